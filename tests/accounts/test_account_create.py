"""Creating accounts: a role, a state for delegates only, and the rights that go with them."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import account_create
from consensus.errors import InvalidInput
from tests.conftest import PASSWORD


def create(**kwargs):
    kwargs.setdefault("password", PASSWORD)
    return account_create(**kwargs)


def test_a_delegate_speaks_for_one_state(db):
    user = create(username="d", role="delegate", state_code="fra")
    assert (user.role, user.state_id, user.is_staff) == ("delegate", "FRA", False)
    assert user.check_password(PASSWORD)


def test_a_coordinator_may_use_the_admin_to_correct_state_facts(db):
    user = create(username="c", role="coordinator")
    assert user.is_staff
    assert not user.is_superuser
    assert user.has_perm("positions.change_state")
    assert not user.has_perm("positions.change_measure")
    assert not user.has_perm("positions.add_state")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "delegate"}, "state"),
        ({"role": "delegate", "state_code": "XXX"}, "state"),
        ({"role": "reader", "state_code": "FRA"}, "state"),
        ({"role": "admin"}, "role"),
        ({"role": "reader", "password": "123"}, "password"),
        ({"role": "reader", "username": "bad name!"}, "username"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(db, kwargs, field):
    kwargs.setdefault("username", "someone")
    with pytest.raises(InvalidInput) as refused:
        create(**kwargs)
    assert field in refused.value.errors
    assert not User.objects.exists()


def test_a_taken_username_is_refused(db):
    create(username="taken", role="reader")
    with pytest.raises(InvalidInput) as refused:
        create(username="taken", role="coordinator")
    assert "username" in refused.value.errors
    assert User.objects.get().role == "reader"
