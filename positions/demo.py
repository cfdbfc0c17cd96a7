"""The demo scenario: a few measures and stances drawn from the July 2024 situation.

Around the Washington Summit (9-11 July 2024), allies discussed what to do about
Chinese state-linked stakes in European ports, rail links and sensitive
technology. The measures below follow that public debate; the stances are
plausible illustrations for trying the service, not any government's position.

Everything is entered through the services real users go through:
``account_create``, ``measure_create`` and ``position_record`` (source
``import``, by the state's demo delegate, or by the coordinator for the EU
states outside NATO). Loading is idempotent: accounts and measures are found by
username and title, and a demo stance is recorded only while the state has not
spoken on that measure, so a second load writes nothing and never overwrites
what someone recorded since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import User
from accounts.services import account_create
from assets.demo import AssetsLoaded, assets_demo_load
from consensus.declarations.demo import DeclarationsLoaded, declarations_demo_load
from consensus.errors import InvalidInput
from positions.models import Measure, PositionChange, State
from positions.services import StaleVersion, measure_create, position_record

# The password of the demo accounts when DEMO_PASSWORD is not set; used only in demo mode.
DEFAULT_DEMO_PASSWORD = "demo-password-2024"

COORDINATOR = "coordinator"
READER = "reader"
DELEGATION_CODES = ("USA", "FRA", "DEU", "GBR", "HUN", "TUR", "POL", "NLD", "BEL", "GRC")


def delegate_username(code: str) -> str:
    return f"delegate-{code.lower()}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    state_code: str | None = None


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(COORDINATOR, User.Role.COORDINATOR),
    DemoAccount(READER, User.Role.READER),
    *(DemoAccount(delegate_username(c), User.Role.DELEGATE, c) for c in DELEGATION_CODES),
)


@dataclass(frozen=True)
class DemoMeasure:
    key: str
    title: str
    summary: str
    category: str
    sponsor: str
    restricted: bool = False
    participants: tuple[str, ...] = ()
    kind: str = Measure.Kind.SUBSTANTIVE
    parent: str | None = None
    target_route: str | None = None


PORTS = "ports"
RAIL = "rail"
SCREENING = "screening"
TRANSFER = "transfer"

MEASURES: tuple[DemoMeasure, ...] = (
    DemoMeasure(
        key=PORTS,
        title="Assume operating control of Chinese-owned port terminals in an emergency",
        summary=(
            "Allies would prepare to take over the operation of container terminals in the "
            "North Sea and the Baltic in which Chinese state-linked companies hold stakes, "
            "should a wider war break out, so that reinforcements and supplies can move "
            "through them. COSCO Shipping and China Merchants Port are reported to hold "
            "stakes in terminals at ports such as Rotterdam, Antwerp-Bruges, Zeebrugge and "
            "Hamburg (Tollerort); further south, COSCO holds a majority of the Piraeus port "
            "authority. The measure would cover contingency planning, the legal basis in each "
            "host state and the terms of any compensation."
        ),
        category=Measure.Category.PORTS,
        sponsor="USA",
    ),
    DemoMeasure(
        key=RAIL,
        title="Secure rail freight links and terminals with Chinese stakes",
        summary=(
            "Map the rail freight lines and inland terminals on allied reinforcement "
            "corridors that Chinese companies own, operate or are building, such as the "
            "Budapest-Belgrade railway financed and built largely by Chinese firms under the "
            "Belt and Road Initiative, and agree how military mobility would be assured on "
            "them in a crisis."
        ),
        category=Measure.Category.RAIL,
        sponsor="POL",
    ),
    DemoMeasure(
        key=SCREENING,
        title="Screen investments in quantum computing, semiconductors and telecom networks",
        summary=(
            "Participants would screen, and where needed unwind, investments by companies "
            "under the control of systemic rivals in quantum computing, semiconductor "
            "manufacturing and equipment, and telecom networks, building on national "
            "screening regimes and the EU framework for screening foreign direct investment. "
            "Precedents discussed include sales made on security grounds, such as the 2023 "
            "sale of Helsinki Shipyard, until then under Russian ownership. Restricted to a "
            "few participants while the scope is negotiated."
        ),
        category=Measure.Category.SEMICONDUCTORS,
        sponsor="USA",
        restricted=True,
        participants=("USA", "GBR", "NLD", "DEU", "FRA", "POL"),
    ),
    DemoMeasure(
        key=TRANSFER,
        title="Take the measure on port terminals to the European Union",
        summary=(
            "France's motion to move the measure on Chinese-owned port terminals to the "
            "Council of the European Union, arguing that port concessions, investment "
            "screening and the single market are matters of EU law, and that the EU route "
            "would bind the member states that host the terminals."
        ),
        category=Measure.Category.PORTS,
        sponsor="FRA",
        kind=Measure.Kind.TRANSFER,
        parent=PORTS,
        target_route="eu",
    ),
)


@dataclass(frozen=True)
class DemoStance:
    measure: str
    state: str
    stances: dict[str, str]
    reservations: str = ""
    note: str = ""


STANCES: tuple[DemoStance, ...] = (
    # The port terminals (sponsor: USA).
    DemoStance(PORTS, "USA", {"alliance": "support", "bilateral": "support"}, note="Sponsor."),
    DemoStance(
        PORTS,
        "FRA",
        {"alliance": "conditional", "bilateral": "abstain", "eu": "support"},
        reservations="The alliance's role limited to contingency planning.",
        note="Prefers an EU framework for port concessions; see France's transfer motion.",
    ),
    DemoStance(
        PORTS,
        "DEU",
        {"alliance": "conditional", "bilateral": "undecided", "eu": "conditional"},
        reservations="Only under a declared emergency and with a basis in national law.",
        note="Hamburg's Tollerort terminal is directly concerned.",
    ),
    DemoStance(PORTS, "GBR", {"alliance": "support", "bilateral": "support"}),
    DemoStance(
        PORTS,
        "HUN",
        {"alliance": "oppose", "bilateral": "abstain", "eu": "oppose"},
        note="Sees the measure as aimed at a trading partner's lawful investments.",
    ),
    DemoStance(
        PORTS,
        "TUR",
        {"alliance": "undecided", "bilateral": "undecided"},
        note="Awaiting instructions from the capital.",
    ),
    DemoStance(PORTS, "POL", {"alliance": "support", "bilateral": "support", "eu": "support"}),
    DemoStance(
        PORTS,
        "NLD",
        {"alliance": "conditional", "bilateral": "conditional", "eu": "support"},
        reservations="Rotterdam terminal operators consulted first; compensation under Dutch law.",
    ),
    DemoStance(
        PORTS,
        "BEL",
        {"alliance": "conditional", "bilateral": "abstain", "eu": "support"},
        reservations="Concession contracts at Antwerp-Bruges and Zeebrugge to be respected.",
    ),
    DemoStance(
        PORTS,
        "GRC",
        {"alliance": "abstain", "bilateral": "abstain", "eu": "abstain"},
        note="Will not block, but the Piraeus concession is outside the North Sea and Baltic.",
    ),
    DemoStance(PORTS, "AUT", {"eu": "conditional"}, reservations="No military obligations."),
    DemoStance(PORTS, "IRL", {"eu": "abstain"}, note="Military neutrality."),
    # Rail links (sponsor: POL).
    DemoStance(
        RAIL,
        "POL",
        {"alliance": "support", "bilateral": "support", "eu": "support"},
        note="Sponsor.",
    ),
    DemoStance(RAIL, "USA", {"alliance": "support", "bilateral": "support"}),
    DemoStance(
        RAIL,
        "HUN",
        {"alliance": "oppose", "bilateral": "oppose", "eu": "oppose"},
        note="The Budapest-Belgrade line is a national project; no outside restrictions on it.",
    ),
    DemoStance(
        RAIL,
        "DEU",
        {"alliance": "support", "bilateral": "undecided", "eu": "conditional"},
        reservations="Coordinate with the EU's military mobility work.",
    ),
    DemoStance(
        RAIL,
        "FRA",
        {"alliance": "conditional", "bilateral": "abstain", "eu": "support"},
        reservations="Through the EU's trans-European transport network rules.",
    ),
    DemoStance(RAIL, "TUR", {"alliance": "abstain", "bilateral": "abstain"}),
    DemoStance(RAIL, "NLD", {"alliance": "support", "bilateral": "conditional", "eu": "support"}),
    DemoStance(RAIL, "GBR", {"alliance": "support", "bilateral": "support"}),
    # Investment screening (restricted; sponsor: USA).
    DemoStance(SCREENING, "USA", {"alliance": "support", "bilateral": "support"}, note="Sponsor."),
    DemoStance(SCREENING, "GBR", {"alliance": "support", "bilateral": "support"}),
    DemoStance(
        SCREENING,
        "NLD",
        {"alliance": "conditional", "bilateral": "conditional", "eu": "conditional"},
        reservations="Export controls on chip-making equipment remain national decisions.",
    ),
    DemoStance(
        SCREENING,
        "DEU",
        {"alliance": "conditional", "bilateral": "undecided", "eu": "conditional"},
        reservations="Listed technologies only; no blanket review of existing holdings.",
    ),
    DemoStance(
        SCREENING,
        "FRA",
        {"alliance": "abstain", "bilateral": "abstain", "eu": "support"},
        note="Investment screening belongs with the EU framework.",
    ),
    DemoStance(SCREENING, "POL", {"alliance": "support", "bilateral": "support", "eu": "support"}),
    # France's transfer motion (sponsor: FRA).
    DemoStance(
        TRANSFER,
        "FRA",
        {"alliance": "support", "bilateral": "abstain", "eu": "support"},
        note="Sponsor.",
    ),
    DemoStance(
        TRANSFER,
        "USA",
        {"alliance": "oppose", "bilateral": "oppose"},
        note="Wartime control of ports is a matter for the alliance.",
    ),
    DemoStance(TRANSFER, "GBR", {"alliance": "oppose", "bilateral": "abstain"}),
    DemoStance(
        TRANSFER,
        "DEU",
        {"alliance": "abstain", "bilateral": "abstain", "eu": "conditional"},
        reservations="Only if the alliance keeps its contingency planning.",
    ),
    DemoStance(TRANSFER, "BEL", {"alliance": "support", "bilateral": "abstain", "eu": "support"}),
    DemoStance(TRANSFER, "HUN", {"alliance": "abstain", "bilateral": "abstain", "eu": "oppose"}),
    DemoStance(TRANSFER, "POL", {"alliance": "oppose", "bilateral": "oppose", "eu": "abstain"}),
    DemoStance(TRANSFER, "NLD", {"alliance": "undecided", "eu": "conditional"}),
    DemoStance(TRANSFER, "AUT", {"eu": "support"}),
    DemoStance(TRANSFER, "IRL", {"eu": "support"}),
)


@dataclass
class DemoLoaded:
    """What a load wrote, and what it found already there."""

    accounts_created: list[str] = field(default_factory=list)
    accounts_found: list[str] = field(default_factory=list)
    measures_created: list[Measure] = field(default_factory=list)
    measures_found: list[Measure] = field(default_factory=list)
    positions_recorded: int = 0
    positions_kept: int = 0
    declarations: DeclarationsLoaded = field(default_factory=DeclarationsLoaded)
    assets: AssetsLoaded = field(default_factory=AssetsLoaded)


def _account_get_or_create(account: DemoAccount, password: str, loaded: DemoLoaded) -> User:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = account_create(
            username=account.username,
            password=password,
            role=account.role,
            state_code=account.state_code,
        )
        loaded.accounts_created.append(user.username)
        return user
    if user.role != account.role or user.state_id != account.state_code:
        wanted = account.role + (f" of {account.state_code}" if account.state_code else "")
        raise InvalidInput(
            {"username": f"{user.username!r} exists but is not the demo's {wanted}; rename it"}
        )
    # An existing account keeps its password: the demo never resets one.
    loaded.accounts_found.append(user.username)
    return user


def _measure_get_or_create(
    spec: DemoMeasure, coordinator: User, parents: dict[str, Measure], loaded: DemoLoaded
) -> Measure:
    found = Measure.objects.filter(title=spec.title, kind=spec.kind).order_by("id").first()
    if found is not None:
        loaded.measures_found.append(found)
        return found
    states = {s.code: s for s in State.objects.filter(code__in=[spec.sponsor, *spec.participants])}
    measure = measure_create(
        actor=coordinator,
        title=spec.title,
        summary=spec.summary,
        category=spec.category,
        sponsor=states[spec.sponsor],
        status=Measure.Status.OPEN,
        restricted=spec.restricted,
        participants=[states[code] for code in spec.participants],
        kind=spec.kind,
        parent=parents[spec.parent] if spec.parent else None,
        target_route=spec.target_route,
    )
    loaded.measures_created.append(measure)
    return measure


def demo_load(*, password: str) -> DemoLoaded:
    """Load the demo scenario through the services, in one transaction; idempotent.

    New demo accounts get ``password``; existing ones are kept as they are.
    Raises ``InvalidInput`` (nothing written) for a password the validators
    refuse or an existing account whose role or state is not the demo's.
    """
    loaded = DemoLoaded()
    with transaction.atomic():
        users = {a.username: _account_get_or_create(a, password, loaded) for a in ACCOUNTS}
        coordinator = users[COORDINATOR]
        measures: dict[str, Measure] = {}
        for spec in MEASURES:
            measures[spec.key] = _measure_get_or_create(spec, coordinator, measures, loaded)
        states = {s.code: s for s in State.objects.all()}
        for stance in STANCES:
            state = states[stance.state]
            actor = coordinator if not state.nato_member else users[delegate_username(state.code)]
            try:
                recorded = position_record(
                    actor=actor,
                    measure=measures[stance.measure],
                    state=state,
                    stances=stance.stances,
                    reservations=stance.reservations,
                    note=stance.note,
                    # Only while the state has not spoken: never overwrite a recorded position.
                    expected_version=0,
                    source=PositionChange.Source.IMPORT,
                )
            except StaleVersion:
                loaded.positions_kept += 1
                continue
            if recorded.change is None:
                loaded.positions_kept += 1
            else:
                loaded.positions_recorded += 1
        loaded.assets = assets_demo_load(coordinator=coordinator, measures=measures)
        loaded.declarations = declarations_demo_load(
            coordinator=coordinator,
            delegates={code: users[delegate_username(code)] for code in DELEGATION_CODES},
        )
    return loaded
