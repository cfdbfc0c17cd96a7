"""The pages never show a stale silence: what is due closes before the page reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from consensus import silence
from consensus.models import SilenceProcedure
from positions.models import Measure, MeasureStatusChange
from tests.silence.conftest import deadline_passes


@pytest.mark.parametrize(
    "page",
    [
        "/dashboard/",
        "/matrix/",
        "/matrix/csv/",
        "/measures/{id}/",
    ],
)
def test_a_page_read_after_the_deadline_shows_the_measure_adopted(
    client, coordinator, reader, measure, page
):
    procedure = silence.silence_start(
        actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=2)
    )
    deadline_passes(procedure)  # no sweep has run
    client.force_login(reader)

    response = client.get(page.format(id=measure.pk))

    assert response.status_code == 200
    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.ADOPTED
    assert SilenceProcedure.objects.get(pk=procedure.pk).state == "closed"
    assert MeasureStatusChange.objects.filter(measure=measure, after="adopted").count() == 1
    if page != "/matrix/csv/":
        assert "Adopted" in response.content.decode()


def test_my_state_closes_what_is_due_and_a_second_read_changes_nothing(
    client, coordinator, delegate_fra, measure
):
    procedure = silence.silence_start(
        actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=2)
    )
    deadline_passes(procedure)
    client.force_login(delegate_fra)

    assert client.get("/my-state/").status_code == 200
    assert client.get("/my-state/").status_code == 200

    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.ADOPTED
    assert MeasureStatusChange.objects.filter(measure=measure, after="adopted").count() == 1


def test_a_running_procedure_before_its_deadline_stays_running(
    client, coordinator, reader, measure
):
    silence.silence_start(
        actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=2)
    )
    client.force_login(reader)

    assert client.get(f"/measures/{measure.pk}/").status_code == 200

    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.SILENCE
