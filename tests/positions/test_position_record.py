"""The one write path for positions: what it records, and everything it refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from consensus.errors import InvalidInput
from positions.models import Position, PositionChange
from positions.services import StaleVersion, position_record


def record(actor, measure, state, **kwargs):
    kwargs.setdefault("source", "api")
    return position_record(actor=actor, measure=measure, state=state, **kwargs)


def written():
    return Position.objects.count(), PositionChange.objects.count()


def test_it_creates_the_position_lazily_and_records_the_change(delegate_fra, measure, state):
    assert written() == (0, 0)

    result = record(
        delegate_fra,
        measure,
        state("FRA"),
        stances={"alliance": "conditional"},
        reservations="Only in wartime",
        note="Paris instructions of 9 July",
    )

    position = Position.objects.get()
    assert (position.alliance, position.bilateral, position.eu) == (
        "conditional",
        "undecided",
        "undecided",
    )
    assert position.version == 1
    assert position.updated_by == delegate_fra
    assert position.reservations == "Only in wartime"
    change = PositionChange.objects.get()
    assert result.change == change
    assert (change.alliance_before, change.alliance_after) == ("undecided", "conditional")
    assert (change.bilateral_before, change.bilateral_after) == ("undecided", "undecided")
    assert (change.eu_before, change.eu_after) == ("undecided", "undecided")
    assert change.version == 1
    assert change.by == delegate_fra
    assert change.source == "api"
    assert change.note == "Paris instructions of 9 July"
    assert change.transitions() == {"alliance": ("undecided", "conditional")}


def test_routes_not_listed_keep_their_stance(delegate_fra, measure, state):
    record(delegate_fra, measure, state("FRA"), stances={"alliance": "oppose", "eu": "support"})
    record(delegate_fra, measure, state("FRA"), stances={"bilateral": "abstain"})

    position = Position.objects.get()
    assert (position.alliance, position.bilateral, position.eu) == ("oppose", "abstain", "support")
    assert position.version == 2
    last = PositionChange.objects.get(version=2)
    assert last.transitions() == {"bilateral": ("undecided", "abstain")}


def test_a_state_outside_the_eu_has_no_eu_stance(delegate_usa, measure, state):
    record(delegate_usa, measure, state("USA"), stances={"alliance": "support"})

    position = Position.objects.get()
    assert position.eu is None
    assert position.stances() == {"alliance": "support", "bilateral": "undecided"}
    assert PositionChange.objects.get().eu_before is None


def test_a_write_that_changes_nothing_records_nothing_and_keeps_the_version(
    delegate_fra, measure, state
):
    fra = state("FRA")
    record(delegate_fra, measure, fra, stances={"alliance": "support"}, note="n")

    result = record(delegate_fra, measure, fra, stances={"alliance": "support"}, note="n")

    assert result.change is None
    assert result.position.version == 1
    assert written() == (1, 1)


def test_an_empty_write_on_a_new_position_creates_nothing(delegate_fra, measure, state):
    result = record(delegate_fra, measure, state("FRA"), stances={"alliance": "undecided"})

    assert result.change is None
    assert result.position.version == 0
    assert written() == (0, 0)


def test_a_change_of_reservations_alone_is_recorded(delegate_fra, measure, state):
    fra = state("FRA")
    record(delegate_fra, measure, fra, stances={"alliance": "conditional"})

    result = record(delegate_fra, measure, fra, stances={}, reservations="Parliament must approve")

    assert result.change is not None
    assert result.change.transitions() == {}
    assert result.change.reservations == "Parliament must approve"
    assert result.position.version == 2


def test_versions_grow_by_one_with_every_change(delegate_fra, measure, state):
    fra = state("FRA")
    for stance in ["support", "oppose", "abstain", "support"]:
        record(delegate_fra, measure, fra, stances={"eu": stance})

    versions = list(PositionChange.objects.order_by("id").values_list("version", flat=True))
    assert versions == [1, 2, 3, 4]
    assert Position.objects.get().version == 4


def test_the_expected_version_is_checked(delegate_fra, measure, state):
    fra = state("FRA")
    record(delegate_fra, measure, fra, stances={"alliance": "support"}, expected_version=0)

    with pytest.raises(StaleVersion) as stale:
        record(delegate_fra, measure, fra, stances={"alliance": "oppose"}, expected_version=0)

    assert stale.value.current.version == 1
    assert stale.value.current.alliance == "support"
    assert Position.objects.get().alliance == "support"
    assert written() == (1, 1)


def test_a_stale_version_on_a_new_position_is_refused(delegate_fra, measure, state):
    with pytest.raises(StaleVersion):
        record(
            delegate_fra, measure, state("FRA"), stances={"alliance": "oppose"}, expected_version=3
        )

    assert written() == (0, 0)


@pytest.mark.parametrize(
    ("code", "stances", "bad"),
    [
        ("FRA", {"alliance": "maybe"}, "alliance"),
        ("FRA", {"nato": "support"}, "nato"),
        ("FRA", {"eu": None}, "eu"),
        ("FRA", {"eu": 3}, "eu"),
        ("USA", {"eu": "support"}, "eu"),
        ("NOR", {"alliance": "support", "eu": "oppose"}, "eu"),
    ],
)
def test_bad_stances_are_refused_naming_the_route(make_user, measure, state, code, stances, bad):
    delegate = make_user(f"d-{code}", "delegate", code)

    with pytest.raises(InvalidInput) as refused:
        record(delegate, measure, state(code), stances=stances)

    assert list(refused.value.errors) == ["stances"]
    assert bad in refused.value.errors["stances"]
    assert written() == (0, 0)


def test_an_eu_state_outside_nato_has_only_an_eu_stance(coordinator, measure, state):
    with pytest.raises(InvalidInput) as refused:
        record(coordinator, measure, state("AUT"), stances={"alliance": "support"})
    assert "alliance" in refused.value.errors["stances"]

    record(coordinator, measure, state("AUT"), stances={"eu": "abstain"})
    assert Position.objects.get().stances() == {"eu": "abstain"}


def test_a_delegate_may_change_only_their_own_state(delegate_fra, measure, state):
    with pytest.raises(PermissionDenied):
        record(delegate_fra, measure, state("DEU"), stances={"alliance": "support"})
    assert written() == (0, 0)


def test_a_coordinator_records_eu_only_states_but_no_ally(coordinator, measure, state):
    for code in ["AUT", "CYP", "IRL", "MLT"]:
        record(coordinator, measure, state(code), stances={"eu": "support"})
    assert PositionChange.objects.count() == 4

    with pytest.raises(PermissionDenied):
        record(coordinator, measure, state("FRA"), stances={"eu": "support"})
    assert PositionChange.objects.count() == 4


def test_a_reader_changes_nothing(reader, measure, state):
    with pytest.raises(PermissionDenied):
        record(reader, measure, state("FRA"), stances={"eu": "support"})
    assert written() == (0, 0)


def test_an_inactive_delegate_changes_nothing(delegate_fra, measure, state):
    delegate_fra.is_active = False
    delegate_fra.save()

    with pytest.raises(PermissionDenied):
        record(delegate_fra, measure, state("FRA"), stances={"eu": "support"})
    assert written() == (0, 0)


def test_a_restricted_measure_takes_stances_from_participants_only(
    restricted_measure, delegate_usa, delegate_fra, coordinator, state
):
    record(delegate_usa, restricted_measure, state("USA"), stances={"alliance": "support"})
    assert written() == (1, 1)

    # FRA is not a participant: its delegate may not even see the measure.
    with pytest.raises(PermissionDenied):
        record(delegate_fra, restricted_measure, state("FRA"), stances={"alliance": "support"})
    # AUT is not a participant either: the coordinator may see it, but AUT takes no stance.
    with pytest.raises(InvalidInput) as refused:
        record(coordinator, restricted_measure, state("AUT"), stances={"eu": "support"})
    assert "state" in refused.value.errors
    assert written() == (1, 1)


def test_an_unknown_source_is_a_programming_error(delegate_fra, measure, state):
    with pytest.raises(ValueError, match="unknown source"):
        record(delegate_fra, measure, state("FRA"), stances={"eu": "support"}, source="fax")
    assert written() == (0, 0)
