"""``manage.py load_demo``: the July 2024 scenario, through the services, idempotent."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import permissions
from accounts.models import ApiToken, User
from positions.demo import ACCOUNTS, DEFAULT_DEMO_PASSWORD, MEASURES, STANCES
from positions.models import Measure, Position, PositionChange, State
from positions.selectors import position_get
from positions.services import position_record
from tests.conftest import PASSWORD

PORTS_TITLE = "Assume operating control of Chinese-owned port terminals in an emergency"
OWN_PASSWORD = "a demo password of our own"


@pytest.fixture
def demo_mode(settings, monkeypatch):
    settings.DEBUG = True
    settings.DEMO_MODE = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def production(settings, monkeypatch):
    settings.DEBUG = False
    settings.DEMO_MODE = False
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "measures": Measure.objects.count(),
        "positions": Position.objects.count(),
        "changes": PositionChange.objects.count(),
        "tokens": ApiToken.objects.count(),
    }


def nothing_written() -> dict[str, int]:
    return {
        "users": 0,
        "groups": 0,
        "measures": 0,
        "positions": 0,
        "changes": 0,
        "tokens": 0,
    }


def ports() -> Measure:
    return Measure.objects.get(title=PORTS_TITLE)


@pytest.mark.django_db
class TestLoadDemo:
    def test_it_loads_the_accounts_measures_and_stances(self, demo_mode):
        load()

        assert set(User.objects.values_list("username", flat=True)) == {
            a.username for a in ACCOUNTS
        }
        assert len(ACCOUNTS) >= 10
        assert Measure.objects.count() == len(MEASURES) == 4
        assert set(Measure.objects.values_list("status", flat=True)) == {"open"}
        assert PositionChange.objects.count() == Position.objects.count() == len(STANCES)

    def test_the_demo_delegates_speak_for_their_states(self, demo_mode):
        load()

        usa = User.objects.get(username="delegate-usa")
        assert (usa.role, usa.state_id) == ("delegate", "USA")
        assert permissions.can_record_position(usa, State.objects.get(code="USA"))
        assert not permissions.can_record_position(usa, State.objects.get(code="FRA"))
        assert User.objects.get(username="coordinator").is_coordinator
        assert User.objects.get(username="reader").role == "reader"

    def test_every_stance_is_an_import_by_the_delegate_or_by_the_coordinator_for_eu_only_states(
        self, demo_mode
    ):
        load()

        coordinator = User.objects.get(username="coordinator")
        changes = PositionChange.objects.select_related("state", "by")
        assert {c.source for c in changes} == {"import"}
        for change in changes:
            if change.state.nato_member:
                assert change.by.state_id == change.state_id
            else:
                assert change.by == coordinator
        assert {c.state_id for c in changes if not c.state.nato_member} >= {"AUT", "IRL"}

    def test_the_port_measure_is_sponsored_by_the_united_states_with_plausible_stances(
        self, demo_mode
    ):
        load()

        measure = ports()
        assert (measure.category, measure.sponsor_id, measure.lead_id) == ("ports", "USA", "USA")
        assert measure.created_by == User.objects.get(username="coordinator")
        stances = {
            code: position_get(measure=measure, state=State.objects.get(code=code)).stances()
            for code in ["USA", "FRA", "HUN", "TUR"]
        }
        assert stances["USA"] == {"alliance": "support", "bilateral": "support"}
        assert stances["FRA"] == {
            "alliance": "conditional",
            "bilateral": "abstain",
            "eu": "support",
        }
        assert stances["HUN"]["alliance"] == "oppose"
        assert stances["TUR"] == {"alliance": "undecided", "bilateral": "undecided"}

    def test_the_transfer_motion_would_take_the_port_measure_to_the_eu(self, demo_mode):
        load()

        motion = Measure.objects.get(kind="transfer")
        assert motion.parent == ports()
        assert (motion.target_route, motion.sponsor_id) == ("eu", "FRA")

    def test_the_screening_measure_is_seen_only_by_its_participants(self, demo_mode):
        load()

        screening = Measure.objects.get(restricted=True)
        assert screening.category in {"quantum", "semiconductors"}
        participants = set(screening.participants.values_list("code", flat=True))
        assert "USA" in participants
        assert "HUN" not in participants
        hun = User.objects.get(username="delegate-hun")
        nld = User.objects.get(username="delegate-nld")
        assert not permissions.can_view_measure(hun, screening)
        assert permissions.can_view_measure(nld, screening)
        assert (
            set(PositionChange.objects.filter(measure=screening).values_list("state", flat=True))
            <= participants
        )

    def test_running_it_twice_writes_nothing_the_second_time(self, demo_mode):
        load()
        after_first = counts()
        versions = dict(Position.objects.values_list("pk", "version"))

        output = load()

        assert counts() == after_first
        assert dict(Position.objects.values_list("pk", "version")) == versions
        assert "0 measures created, 4 already there" in output
        assert "0 accounts created" in output
        assert "0 positions recorded" in output

    def test_it_never_overwrites_a_position_recorded_since(self, demo_mode):
        load()
        fra = State.objects.get(code="FRA")
        delegate = User.objects.get(username="delegate-fra")
        position_record(
            actor=delegate,
            measure=ports(),
            state=fra,
            stances={"alliance": "support"},
            note="Instructions changed.",
            source="web",
        )
        before = counts()

        load()

        assert counts() == before
        position = position_get(measure=ports(), state=fra)
        assert (position.alliance, position.note, position.version) == (
            "support",
            "Instructions changed.",
            2,
        )

    def test_an_existing_demo_account_keeps_its_password(self, demo_mode, coordinator):
        output = load()

        coordinator.refresh_from_db()
        assert coordinator.check_password(PASSWORD)
        assert Measure.objects.filter(created_by=coordinator).count() == 4
        assert f"{len(ACCOUNTS) - 1} accounts created, 1 already there" in output

    def test_an_existing_account_with_another_role_is_refused_and_nothing_is_written(
        self, demo_mode, make_user
    ):
        make_user("coordinator", "reader")
        before = counts()

        with pytest.raises(CommandError, match=r"^username: 'coordinator' exists but"):
            load()

        assert counts() == before

    def test_in_demo_mode_it_prints_the_accounts_and_the_documented_password(self, demo_mode):
        output = load()

        assert DEFAULT_DEMO_PASSWORD in output
        for account in ACCOUNTS:
            assert account.username in output
        assert User.objects.get(username="delegate-fra").check_password(DEFAULT_DEMO_PASSWORD)

    def test_in_demo_mode_a_demo_password_from_the_environment_is_used_but_not_echoed(
        self, demo_mode, monkeypatch
    ):
        monkeypatch.setenv("DEMO_PASSWORD", OWN_PASSWORD)

        output = load()

        assert User.objects.get(username="reader").check_password(OWN_PASSWORD)
        assert OWN_PASSWORD not in output
        assert DEFAULT_DEMO_PASSWORD not in output
        assert "DEMO_PASSWORD" in output

    def test_with_debug_off_and_no_demo_password_it_refuses_and_writes_nothing(self, production):
        with pytest.raises(CommandError, match="set DEMO_PASSWORD"):
            load()

        assert counts() == nothing_written()

    def test_with_debug_off_and_a_demo_password_it_loads_but_prints_no_credentials(
        self, production, monkeypatch
    ):
        monkeypatch.setenv("DEMO_PASSWORD", OWN_PASSWORD)

        output = load()

        assert Measure.objects.count() == 4
        user = User.objects.get(username="delegate-usa")
        assert user.check_password(OWN_PASSWORD)
        assert not user.check_password(DEFAULT_DEMO_PASSWORD)
        assert OWN_PASSWORD not in output
        assert DEFAULT_DEMO_PASSWORD not in output
        assert "delegate-usa" not in output
        assert "4 measures created" in output

    def test_a_weak_demo_password_is_refused_and_nothing_is_written(self, production, monkeypatch):
        monkeypatch.setenv("DEMO_PASSWORD", "12345678")

        with pytest.raises(
            CommandError, match=r"(?s)^password: .*numeric.*\nNothing was loaded\.$"
        ):
            load()

        assert counts() == nothing_written()
