"""The demo scenario's assets: Chinese-owned or Chinese-financed stakes in European ports,
rail and energy, drawn from public reporting.

Every fact carries its source note. Figures that public reporting gives
differently over time, or that we could not pin down, say "illustrative" in
their note; criticality is the demo's own judgement, said as much. Entered
through ``assets.services`` as the demo coordinator; idempotent: an asset is
found by name, and a measure's assets are set only while it has none, so a
second load writes nothing and never undoes a coordinator's choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import User
from assets.models import Asset
from assets.services import asset_create, measure_assets_set
from positions.models import Measure, State

PORTS = "ports"  # the keys of positions.demo's measures
RAIL = "rail"

CRITICALITY_NOTE = "Demo judgement (illustrative): {why}"
REPORTING = "Public reporting (company announcements and press), as summarised for the demo"


@dataclass(frozen=True)
class DemoAsset:
    name: str
    kind: str
    host: str
    latitude: str
    longitude: str
    owner: str
    owner_country: str
    owner_source: str
    share: str | None
    share_source: str
    criticality: int
    why_critical: str
    measures: tuple[str, ...]
    location_source: str = "Approximate position of the terminal, for the map (illustrative)"


ASSETS: tuple[DemoAsset, ...] = (
    DemoAsset(
        name="Piraeus Port Authority (container terminals)",
        kind=Asset.Kind.PORT_TERMINAL,
        host="GRC",
        latitude="37.95",
        longitude="23.59",
        owner="COSCO Shipping",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO's acquisition of the Piraeus Port Authority, 2016",
        share="67",
        share_source="Reported majority stake: 51% in 2016, raised to 67% in 2021",
        criticality=5,
        why_critical="the largest container port in the eastern Mediterranean",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="CSP Zeebrugge Terminal",
        kind=Asset.Kind.PORT_TERMINAL,
        host="BEL",
        latitude="51.33",
        longitude="3.20",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO Shipping Ports' Zeebrugge terminal, from 2017",
        share="100",
        share_source="Illustrative: reported as full ownership after 2017; not checked since",
        criticality=4,
        why_critical="a North Sea terminal on a reinforcement route",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Euromax Terminal Rotterdam",
        kind=Asset.Kind.PORT_TERMINAL,
        host="NLD",
        latitude="51.96",
        longitude="4.03",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO's minority stake in Euromax, 2016",
        share="35",
        share_source="Illustrative: a minority stake reported at about a third",
        criticality=5,
        why_critical="Europe's largest port, on the North Sea",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Container Terminal Tollerort, Hamburg",
        kind=Asset.Kind.PORT_TERMINAL,
        host="DEU",
        latitude="53.54",
        longitude="9.93",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: the German government's 2023 decision on COSCO's stake",
        share="24.99",
        share_source="Reported: the stake was capped below 25% by the German government, 2023",
        criticality=4,
        why_critical="one of Hamburg's four container terminals",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="CSP Valencia Terminal",
        kind=Asset.Kind.PORT_TERMINAL,
        host="ESP",
        latitude="39.44",
        longitude="-0.32",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO's acquisition of Noatum Port Holdings, 2017",
        share="51",
        share_source="Illustrative: the reported majority of Noatum Port Holdings, 2017",
        criticality=3,
        why_critical="a large Mediterranean transhipment terminal",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="CSP Bilbao Terminal",
        kind=Asset.Kind.PORT_TERMINAL,
        host="ESP",
        latitude="43.35",
        longitude="-3.05",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO's acquisition of Noatum Port Holdings, 2017",
        share="51",
        share_source="Illustrative: the reported majority of Noatum Port Holdings, 2017",
        criticality=2,
        why_critical="an Atlantic terminal of regional importance",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Vado Gateway, Vado Ligure",
        kind=Asset.Kind.PORT_TERMINAL,
        host="ITA",
        latitude="44.27",
        longitude="8.44",
        owner="COSCO Shipping Ports and Qingdao Port",
        owner_country="CHN",
        owner_source=f"{REPORTING}: the Vado Gateway joint venture with APM Terminals, 2016",
        share="49.9",
        share_source="Illustrative: reported as 40% (COSCO) plus 9.9% (Qingdao Port)",
        criticality=3,
        why_critical="a deep-water terminal near Genoa",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Antwerp Gateway",
        kind=Asset.Kind.PORT_TERMINAL,
        host="BEL",
        latitude="51.28",
        longitude="4.27",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source=f"{REPORTING}: COSCO's minority stake in DP World's Antwerp Gateway",
        share="20",
        share_source="Illustrative: a minority stake reported at about a fifth",
        criticality=4,
        why_critical="a North Sea terminal in Europe's second-largest port",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Kumport, Ambarlı (Istanbul)",  # noqa: RUF001  (the Turkish place name)
        kind=Asset.Kind.PORT_TERMINAL,
        host="TUR",
        latitude="40.97",
        longitude="28.68",
        owner="COSCO Shipping Ports, China Merchants Port and CIC (consortium)",
        owner_country="CHN",
        owner_source=f"{REPORTING}: the Chinese consortium's purchase of Kumport, 2015",
        share="65",
        share_source="Reported: the consortium bought about 65% in 2015 (illustrative)",
        criticality=3,
        why_critical="a terminal on the Sea of Marmara, near the Straits",
        measures=(PORTS,),
    ),
    DemoAsset(
        name="Terminal Link terminals in French ports",
        kind=Asset.Kind.PORT_TERMINAL,
        host="FRA",
        latitude="49.47",
        longitude="0.15",
        owner="China Merchants Port Holdings, through Terminal Link (with CMA CGM)",
        owner_country="CHN",
        owner_source=f"{REPORTING}: China Merchants' stake in CMA CGM's Terminal Link, 2013",
        share="49",
        share_source="Illustrative: the reported stake in Terminal Link, not in each terminal",
        criticality=3,
        why_critical="several terminals on the Channel and the Mediterranean",
        measures=(PORTS,),
        location_source="Shown at Le Havre; the terminals are in several ports (illustrative)",
    ),
    DemoAsset(
        name="Budapest-Belgrade railway, Hungarian section",
        kind=Asset.Kind.RAIL_LINE,
        host="HUN",
        latitude="46.90",
        longitude="19.70",
        owner="Hungarian state; built by a Chinese-Hungarian consortium, Chinese loan",
        owner_country="HUN",
        owner_source=(
            f"{REPORTING}: the line is Hungarian; Chinese firms build it and the Export-Import "
            "Bank of China lends most of the cost (Belt and Road Initiative)"
        ),
        share=None,
        share_source="",
        criticality=3,
        why_critical="a freight corridor from Piraeus into central Europe",
        measures=(RAIL,),
        location_source="Midpoint of the Hungarian section, for the map (illustrative)",
    ),
    DemoAsset(
        name="REN - Redes Energéticas Nacionais",
        kind=Asset.Kind.ENERGY,
        host="PRT",
        latitude="38.72",
        longitude="-9.14",
        owner="State Grid Corporation of China",
        owner_country="CHN",
        owner_source=f"{REPORTING}: State Grid's purchase in Portugal's privatisation, 2012",
        share="25",
        share_source="Illustrative: a quarter reported at the 2012 privatisation",
        criticality=4,
        why_critical="Portugal's electricity and gas transmission grids",
        measures=(),
        location_source="Shown at Lisbon, the operator's seat (illustrative)",
    ),
)


@dataclass
class AssetsLoaded:
    created: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    measures_linked: list[int] = field(default_factory=list)


def assets_demo_load(*, coordinator: User, measures: dict[str, Measure]) -> AssetsLoaded:
    """Record the demo's assets and the measures covering them, in the caller's transaction."""
    loaded = AssetsLoaded()
    states = {s.code: s for s in State.objects.all()}
    existing = {a.name: a for a in Asset.objects.filter(name__in=[d.name for d in ASSETS])}
    assets: dict[str, Asset] = {}
    for spec in ASSETS:
        asset = existing.get(spec.name)
        if asset is None:
            asset = asset_create(
                actor=coordinator,
                host=states[spec.host],
                name=spec.name,
                kind=spec.kind,
                host_source=f"{REPORTING}: where the asset is",
                latitude=Decimal(spec.latitude),
                longitude=Decimal(spec.longitude),
                location_source=spec.location_source,
                owner=spec.owner,
                owner_country=spec.owner_country,
                owner_source=spec.owner_source,
                share=None if spec.share is None else Decimal(spec.share),
                share_source=spec.share_source,
                criticality=spec.criticality,
                criticality_source=CRITICALITY_NOTE.format(why=spec.why_critical),
            )
            loaded.created.append(asset.name)
        else:
            loaded.found.append(asset.name)
        assets[spec.name] = asset
    for key, measure in measures.items():
        wanted = [assets[spec.name] for spec in ASSETS if key in spec.measures]
        # Only while the measure covers nothing: never undo what a coordinator set since.
        if wanted and not measure.assets.exists():
            measure_assets_set(actor=coordinator, measure=measure, assets=wanted)
            loaded.measures_linked.append(measure.pk)
    return loaded
