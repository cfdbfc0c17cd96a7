"""Coordinators correct state facts in the admin; nothing else is editable there."""

from __future__ import annotations

from positions.models import Measure, State


def test_a_coordinator_corrects_a_population_figure(client, coordinator):
    client.force_login(coordinator)
    page = client.get("/admin/positions/state/DEU/change/")
    assert page.status_code == 200

    answer = client.post(
        "/admin/positions/state/DEU/change/",
        {"eu_population": "83445100", "source": "Council decision, Annex III, 2025"},
    )

    assert answer.status_code == 302
    germany = State.objects.get(code="DEU")
    assert germany.eu_population == 83_445_100
    assert germany.source == "Council decision, Annex III, 2025"
    assert germany.name == "Germany"  # read-only fields untouched


def test_a_population_figure_must_be_positive(client, coordinator):
    client.force_login(coordinator)
    answer = client.post(
        "/admin/positions/state/DEU/change/", {"eu_population": "-5", "source": "x"}
    )

    assert answer.status_code == 200  # the form again, with its error
    assert State.objects.get(code="DEU").eu_population == 83_445_000


def test_states_cannot_be_added_or_deleted(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/positions/state/add/").status_code == 403
    assert client.post("/admin/positions/state/DEU/delete/", {"post": "yes"}).status_code == 403
    assert State.objects.count() == 36


def test_measures_are_read_only_in_the_admin(client, coordinator, measure):
    client.force_login(coordinator)
    assert client.get(f"/admin/positions/measure/{measure.pk}/change/").status_code == 200
    client.post(f"/admin/positions/measure/{measure.pk}/change/", {"title": "renamed"})
    assert Measure.objects.get().title == measure.title
    assert client.get("/admin/positions/measure/add/").status_code == 403


def test_delegates_and_readers_have_no_admin(client, delegate_fra, reader):
    for user in [delegate_fra, reader]:
        client.force_login(user)
        answer = client.get("/admin/positions/state/DEU/change/")
        assert answer.status_code == 302
        assert "/admin/login/" in answer["Location"]
