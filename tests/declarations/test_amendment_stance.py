"""Delegates of states other than the sponsor support or object to an open amendment, once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from consensus.declarations.selectors import (
    amendment_get,
    amendment_objectors,
    amendment_supporters,
)
from consensus.declarations.services import (
    AmendmentConflict,
    amendment_decide,
    amendment_stance_record,
)
from consensus.errors import InvalidInput
from consensus.models import AmendmentStance


@pytest.fixture
def amendment(drafted, delegate_usa, propose):
    return propose(delegate_usa, drafted)


def stances(amendment):
    fresh = amendment_get(declaration=amendment.declaration, amendment_id=amendment.pk)
    return amendment_supporters(fresh), amendment_objectors(fresh)


def test_delegates_of_other_states_support_or_object(
    amendment, delegate_fra, delegate_deu, make_user
):
    amendment_stance_record(actor=delegate_deu, amendment=amendment, stance="support")
    amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="oppose")
    amendment_stance_record(
        actor=make_user("delegate-gbr", "delegate", "GBR"), amendment=amendment, stance="support"
    )

    assert stances(amendment) == (["DEU", "GBR"], ["FRA"])
    stance = AmendmentStance.objects.get(state="FRA")
    assert (stance.by, stance.stance) == (delegate_fra, "oppose")


def test_the_sponsors_own_delegates_take_no_stance(amendment, make_user, written):
    colleague = make_user("delegate-usa-2", "delegate", "USA")
    before = written()

    with pytest.raises(PermissionDenied):
        amendment_stance_record(actor=colleague, amendment=amendment, stance="support")

    assert written() == before


@pytest.mark.parametrize("role", ["coordinator", "reader"])
def test_coordinators_and_readers_take_no_stance(amendment, make_user, role, written):
    user = make_user(f"someone-{role}", role)
    before = written()

    with pytest.raises(PermissionDenied):
        amendment_stance_record(actor=user, amendment=amendment, stance="support")

    assert written() == before


def test_a_state_speaks_once_on_an_amendment(amendment, delegate_fra, make_user, written):
    amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="support")
    before = written()

    for actor, stance in [
        (delegate_fra, "oppose"),
        (make_user("fra-2", "delegate", "FRA"), "oppose"),
    ]:
        with pytest.raises(AmendmentConflict, match="FRA has already taken a stance"):
            amendment_stance_record(actor=actor, amendment=amendment, stance=stance)

    assert written() == before
    assert stances(amendment) == (["FRA"], [])


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_decided_amendment_takes_no_more_stances(
    amendment, coordinator, delegate_fra, written, decision
):
    amendment_decide(actor=coordinator, amendment=amendment, decision=decision)
    before = written()

    with pytest.raises(AmendmentConflict, match="takes no more stances"):
        amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="support")

    assert written() == before


def test_an_unknown_stance_is_refused(amendment, delegate_fra, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="abstain")

    assert list(refusal.value.errors) == ["stance"]
    assert written() == before
