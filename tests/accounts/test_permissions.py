"""Who may see which measure and record which state's positions (django-guardian underneath)."""

from __future__ import annotations

from accounts import permissions
from positions.services import measure_update


def visible(user):
    return set(permissions.measures_visible_to(user).values_list("title", flat=True))


def test_a_delegate_may_record_only_their_own_state(delegate_fra, state):
    assert permissions.can_record_position(delegate_fra, state("FRA"))
    assert not permissions.can_record_position(delegate_fra, state("DEU"))
    assert not permissions.can_record_position(delegate_fra, state("AUT"))


def test_the_right_is_an_object_permission_of_the_delegation(delegate_fra, state):
    assert delegate_fra.has_perm("positions.record_position", state("FRA"))
    assert not delegate_fra.has_perm("positions.record_position", state("DEU"))
    assert not delegate_fra.has_perm("positions.record_position")  # no global right
    assert list(delegate_fra.groups.values_list("name", flat=True)) == ["delegation:FRA"]


def test_two_delegates_of_one_state_share_the_right(make_user, state):
    first = make_user("fra-1", "delegate", "FRA")
    second = make_user("fra-2", "delegate", "FRA")
    assert permissions.can_record_position(first, state("FRA"))
    assert permissions.can_record_position(second, state("FRA"))


def test_a_coordinator_records_only_the_eu_states_outside_nato(coordinator, state):
    assert all(
        permissions.can_record_position(coordinator, state(c)) for c in ["AUT", "CYP", "IRL", "MLT"]
    )
    assert not permissions.can_record_position(coordinator, state("FRA"))
    assert not permissions.can_record_position(coordinator, state("USA"))


def test_a_reader_records_nothing(reader, state):
    assert not permissions.can_record_position(reader, state("FRA"))
    assert not permissions.can_record_position(reader, state("AUT"))


def test_a_restricted_measure_is_visible_to_participants_and_coordinators_only(
    measure, restricted_measure, coordinator, reader, delegate_usa, delegate_fra
):
    everything = {measure.title, restricted_measure.title}
    assert visible(coordinator) == everything
    assert visible(delegate_usa) == everything
    assert visible(delegate_fra) == {measure.title}
    assert visible(reader) == {measure.title}
    assert permissions.can_view_measure(delegate_usa, restricted_measure)
    assert not permissions.can_view_measure(delegate_fra, restricted_measure)
    assert not permissions.can_view_measure(reader, restricted_measure)


def test_changing_participants_moves_the_right_to_see(
    restricted_measure, coordinator, delegate_usa, delegate_fra, state
):
    measure_update(
        actor=coordinator, measure=restricted_measure, participants=[state("FRA"), state("DEU")]
    )

    assert permissions.can_view_measure(delegate_fra, restricted_measure)
    assert not permissions.can_view_measure(delegate_usa, restricted_measure)


def test_lifting_the_restriction_shows_the_measure_to_all(
    restricted_measure, coordinator, reader, delegate_fra
):
    lifted = measure_update(actor=coordinator, measure=restricted_measure, restricted=False)

    assert permissions.can_view_measure(reader, lifted)
    assert restricted_measure.title in visible(delegate_fra)


def test_an_inactive_user_sees_nothing(delegate_usa, measure):
    delegate_usa.is_active = False
    delegate_usa.save()
    assert visible(delegate_usa) == set()
    assert not permissions.can_view_measure(delegate_usa, measure)


def test_only_coordinators_manage_measures(coordinator, delegate_usa, reader):
    assert permissions.can_manage_measures(coordinator)
    assert not permissions.can_manage_measures(delegate_usa)
    assert not permissions.can_manage_measures(reader)
