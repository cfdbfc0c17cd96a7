"""POST /api/v1/measures/{id}/transfer/: a state's motion to move a measure to another route."""

from __future__ import annotations

import pytest

from positions.models import Measure, MeasureStatusChange, State
from positions.services import position_record


def table(api, user, measure, **body):
    body.setdefault("target_route", "eu")
    body.setdefault("rationale", "Port concessions are a matter of the single market.")
    return api(user).post(f"/api/v1/measures/{measure.pk}/transfer/", body, format="json")


def test_a_delegate_tables_a_motion_sponsored_by_their_state(api, delegate_fra, measure):
    response = table(api, delegate_fra, measure)

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["parent"], body["target_route"]) == ("transfer", measure.pk, "eu")
    assert (body["sponsor"], body["lead"], body["status"]) == ("FRA", "FRA", "open")
    assert body["summary"] == "Port concessions are a matter of the single market."
    assert body["category"] == measure.category
    assert list(measure.transfer_motions.values_list("pk", flat=True)) == [body["id"]]


def test_agreement_on_the_alliance_route_transfers_the_parent(
    api, delegate_fra, make_user, measure, state
):
    motion = Measure.objects.get(pk=table(api, delegate_fra, measure).json()["id"])
    allies = list(State.objects.filter(nato_member=True).order_by("code"))
    delegates = {
        s.code: make_user(f"d-{s.code}", "delegate", s.code) for s in allies if s.code != "FRA"
    }
    delegates["FRA"] = delegate_fra

    for ally in allies[:-1]:
        position_record(
            actor=delegates[ally.code],
            measure=motion,
            state=ally,
            stances={"alliance": "support"},
            source="api",
        )
    measure.refresh_from_db()
    assert measure.status == "open"
    assert not MeasureStatusChange.objects.exists()

    last = allies[-1]
    position_record(
        actor=delegates[last.code],
        measure=motion,
        state=last,
        stances={"alliance": "conditional"},
        source="api",
    )

    measure.refresh_from_db()
    motion.refresh_from_db()
    assert measure.status == "transferred"
    assert motion.status == "adopted"
    moved = MeasureStatusChange.objects.get(measure=measure)
    assert (moved.before, moved.after, moved.motion, moved.by) == (
        "open",
        "transferred",
        motion,
        delegates[last.code],
    )
    assert "eu" in moved.reason
    assert MeasureStatusChange.objects.get(measure=motion).after == "adopted"

    # Its history says so, in the API too.
    shown = api(delegate_fra).get(f"/api/v1/measures/{measure.pk}/").json()
    assert shown["status"] == "transferred"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_route": "un"}, "target_route"),
        ({"rationale": ""}, "rationale"),
        ({"rationale": "   "}, "rationale"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(api, delegate_fra, measure, body, field):
    response = table(api, delegate_fra, measure, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert Measure.objects.count() == 1


def test_the_same_motion_twice_is_refused(api, delegate_fra, measure):
    assert table(api, delegate_fra, measure).status_code == 201
    again = table(api, delegate_fra, measure)
    assert again.status_code == 400
    assert "target_route" in again.json()
    assert Measure.objects.count() == 2


def test_a_motion_cannot_move_a_motion_or_a_closed_measure(api, coordinator, delegate_fra, measure):
    from positions.services import measure_update

    motion_id = table(api, delegate_fra, measure).json()["id"]
    assert table(api, delegate_fra, Measure.objects.get(pk=motion_id)).status_code == 400
    measure_update(actor=coordinator, measure=measure, status="withdrawn")
    assert table(api, delegate_fra, measure).status_code == 400
    assert Measure.objects.count() == 2


def test_only_delegates_table_motions(api, coordinator, reader, measure):
    assert table(api, coordinator, measure).status_code == 403
    assert table(api, reader, measure).status_code == 403
    assert Measure.objects.count() == 1


def test_a_read_only_token_tables_nothing(api, delegate_fra, measure):
    response = api(delegate_fra, read_only=True).post(
        f"/api/v1/measures/{measure.pk}/transfer/",
        {"target_route": "eu", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert Measure.objects.count() == 1


def test_a_restricted_measure_is_404_for_outsiders_and_its_motion_stays_restricted(
    api, delegate_fra, delegate_usa, reader, restricted_measure
):
    assert table(api, delegate_fra, restricted_measure).status_code == 404
    response = table(api, delegate_usa, restricted_measure)
    assert response.status_code == 201
    motion = response.json()
    assert motion["restricted"] is True
    assert motion["participants"] == ["DEU", "NLD", "USA"]
    assert api(reader).get(f"/api/v1/measures/{motion['id']}/").status_code == 404
    assert api(delegate_fra).get(f"/api/v1/measures/{motion['id']}/").status_code == 404
