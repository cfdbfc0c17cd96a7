"""Tabling and editing measures: coordinators only, and only consistent measures."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from consensus.errors import InvalidInput
from positions.models import Measure, MeasureStatusChange
from positions.services import measure_create, measure_update


def test_the_lead_defaults_to_the_sponsor(measure, state):
    assert measure.sponsor == state("USA")
    assert measure.lead == state("USA")
    assert measure.eu_rule == "qmv"
    assert measure.kind == "substantive"


def test_an_explicit_lead_is_kept(make_measure, state):
    measure = make_measure(sponsor="FRA", lead="USA")
    assert (measure.sponsor_id, measure.lead_id) == ("FRA", "USA")


def test_a_lead_must_be_an_ally(make_measure):
    with pytest.raises(InvalidInput) as refused:
        make_measure(sponsor="AUT")
    assert "sponsor" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        make_measure(sponsor="FRA", lead="IRL")
    assert "lead" in refused.value.errors
    assert Measure.objects.count() == 0


def test_a_transfer_motion_names_its_parent_and_target(make_measure, measure):
    motion = make_measure(
        title="Move the port measure to the EU",
        sponsor="FRA",
        kind="transfer",
        parent=measure,
        target_route="eu",
    )
    assert motion.parent == measure
    assert list(measure.transfer_motions.all()) == [motion]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "transfer", "target_route": "eu"}, "parent"),
        ({"kind": "transfer", "parent": "MEASURE"}, "target_route"),
        ({"target_route": "eu"}, "target_route"),
        ({"parent": "MEASURE"}, "parent"),
        ({"kind": "transfer", "parent": "MEASURE", "target_route": "un"}, "target_route"),
        ({"category": "space"}, "category"),
        ({"eu_rule": "majority"}, "eu_rule"),
        ({"status": "silence"}, "status"),
        ({"status": "pending"}, "status"),
        ({"title": ""}, "title"),
        ({"restricted": True}, "participants"),
    ],
)
def test_inconsistent_measures_are_refused(make_measure, measure, fields, bad):
    if fields.get("parent") == "MEASURE":
        fields["parent"] = measure
    with pytest.raises(InvalidInput) as refused:
        make_measure(**fields)
    assert bad in refused.value.errors
    assert Measure.objects.count() == 1


def test_a_motion_cannot_move_another_motion(make_measure, measure):
    motion = make_measure(kind="transfer", parent=measure, target_route="eu", sponsor="FRA")
    with pytest.raises(InvalidInput) as refused:
        make_measure(kind="transfer", parent=motion, target_route="eu", sponsor="FRA")
    assert "parent" in refused.value.errors
    assert Measure.objects.count() == 2


def test_only_coordinators_table_and_edit_measures(delegate_usa, reader, measure, state):
    for actor in [delegate_usa, reader]:
        with pytest.raises(PermissionDenied):
            measure_create(actor=actor, title="t", category="rail", sponsor=state("USA"))
        with pytest.raises(PermissionDenied):
            measure_update(actor=actor, measure=measure, title="changed")
    assert Measure.objects.count() == 1
    measure.refresh_from_db()
    assert measure.title == "Operating control of port terminals"


def test_an_edit_changes_only_the_fields_given(coordinator, measure):
    measure_update(actor=coordinator, measure=measure, status="blocked", eu_rule="unanimity")

    measure.refresh_from_db()
    assert (measure.status, measure.eu_rule, measure.title) == (
        "blocked",
        "unanimity",
        "Operating control of port terminals",
    )


def test_an_invalid_edit_writes_nothing(coordinator, measure):
    with pytest.raises(InvalidInput):
        measure_update(
            actor=coordinator, measure=measure, title="new title", restricted=True, participants=[]
        )
    with pytest.raises(InvalidInput) as refused:
        measure_update(actor=coordinator, measure=measure, created_at=None)
    assert "created_at" in refused.value.errors

    measure.refresh_from_db()
    assert (measure.title, measure.restricted) == ("Operating control of port terminals", False)


def test_the_silence_status_is_not_set_by_hand(coordinator, measure):
    with pytest.raises(InvalidInput):
        measure_update(actor=coordinator, measure=measure, status="silence")
    measure.refresh_from_db()
    assert measure.status == "open"


def test_a_status_set_by_hand_is_recorded_in_the_status_history(coordinator, measure):
    updated = measure_update(actor=coordinator, measure=measure, status="withdrawn")
    measure_update(actor=coordinator, measure=measure, status="withdrawn")  # no change

    assert updated.status == "withdrawn"
    changes = list(
        MeasureStatusChange.objects.filter(measure=measure).values_list("before", "after", "by")
    )
    assert changes == [("open", "withdrawn", coordinator.pk)]
    measure.refresh_from_db()
    assert measure.status == "withdrawn"


def test_clearing_the_lead_falls_back_to_the_sponsor(coordinator, make_measure):
    measure = make_measure(sponsor="FRA", lead="USA")

    updated = measure_update(actor=coordinator, measure=measure, lead=None)

    assert updated.lead_id == "FRA"
    measure.refresh_from_db()
    assert measure.lead_id == "FRA"
