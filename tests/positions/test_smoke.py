from positions.models import State


def test_states_are_loaded(db):
    assert State.objects.count() == 36
