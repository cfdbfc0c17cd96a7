"""The permission tests' world: every role, a restricted measure, a declaration, and the
walk over every URL of the site and the API, taken from the URL resolver.

The roles (the columns of the expectation tables):

| role      | who                                                                         |
| --------- | --------------------------------------------------------------------------- |
| `anon`    | nobody: no token, no session                                                |
| `reader`  | an API consumer (a token; a session on the pages)                           |
| `ro`      | a read-only token of the delegate of the state concerned (the pages: only   |
|           | the token, which never logs anyone in)                                      |
| `own`     | the delegate of the state concerned (DEU), a participant in the restricted  |
|           | measure                                                                     |
| `other`   | the delegate of another state (USA), also a participant; it sponsors the    |
|           | restricted measure and the open amendment                                   |
| `outside` | the delegate of a state outside the restricted measure (FRA)                |
| `coord`   | a coordinator                                                               |
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from accounts.models import User
from accounts.services import account_create, token_issue
from assets.models import Asset
from assets.services import asset_create, measure_assets_set
from consensus import silence
from consensus.declarations import services as declarations
from consensus.models import Amendment, Declaration
from events.models import Delivery, Event, EventKind, Webhook
from events.services import event_fan_out, webhook_create
from exports.models import ExportJob
from exports.services import export_build, export_request
from positions.models import Measure, PositionChange, State
from positions.services import measure_create, position_record, transfer_motion_table
from tests.conftest import PASSWORD

ROLES = ("anon", "reader", "ro", "own", "other", "outside", "coord")
# Not a role with rights of its own: what the pages make of a token (nothing).
PAGE_TOKEN_ONLY = "ro"

# Distinctive, so a test can look for them in any answer: a title nobody else uses
# and an id no other row of any table reaches.
SECRET_TITLE = "Sealed annex Kestrel-4471: seizure of the Zeebrugge LNG terminal"
SECRET_ID = 987_654_321
# Where the measures made after the restricted ones start: far from their ids.
LATER_ID = 990_000_001

PARAGRAPHS = (
    "We, the Heads of State and Government, met in Washington.",
    "We will screen [investments in] critical infrastructure.",
    "We remain united.",
)


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]  # role -> raw API token
    open_measure: Measure
    restricted: Measure  # the measure concerned: participants DEU, USA, NLD; silence running
    quiet: Measure  # restricted like it, with no silence procedure
    motion: Measure  # a transfer motion on the restricted measure, restricted with it
    declaration: Declaration
    amendment: Amendment  # open, sponsored by USA, on the latest version
    webhook: Webhook  # the reader's, subscribed to every event, its deliveries fanned out
    export: ExportJob  # the history, CSV, requested by the delegate of DEU, built
    outside_exports: list[ExportJob]  # the history and the matrix, requested by FRA, built
    asset: Asset  # covered by the open measure and the restricted one
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session cookie

    def kwargs(self) -> dict[str, Any]:
        """A value for every URL parameter of the site, the measure concerned first."""
        return {
            "measure_id": self.restricted.pk,
            "code": "DEU",
            "declaration_id": self.declaration.pk,
            "number": 1,
            "amendment_id": self.amendment.pk,
            "webhook_id": self.webhook.pk,
            "job_id": self.export.pk,
            "asset_id": self.asset.pk,
        }

    def api_client(self, role: str) -> Client:
        if role == "anon":
            return Client()
        return Client(headers={"Authorization": f"Bearer {self.tokens[role]}"})

    def page_client(self, role: str) -> Client:
        """A browser: a session cookie for the roles that log in; the bare token for ``ro``."""
        if role == "anon":
            return Client()
        if role == PAGE_TOKEN_ONLY:
            return self.api_client(role)
        client = Client()
        client.cookies["sessionid"] = self.sessions[role]
        return client


def measure_sequence_restart(next_id: int) -> None:
    """Make the next measure take ``next_id``, so its id is unlike any other number shown."""
    table = Measure._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, next_id]
            )
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, next_id - 1]
            )


def world_build() -> World:
    """Build the world through the services real users go through."""
    users = {
        "reader": account_create(username="reader", password=PASSWORD, role="reader"),
        "own": account_create(
            username="delegate-deu", password=PASSWORD, role="delegate", state_code="DEU"
        ),
        "other": account_create(
            username="delegate-usa", password=PASSWORD, role="delegate", state_code="USA"
        ),
        "outside": account_create(
            username="delegate-fra", password=PASSWORD, role="delegate", state_code="FRA"
        ),
        "coord": account_create(username="coordinator", password=PASSWORD, role="coordinator"),
    }
    tokens = {role: token_issue(user=user)[1] for role, user in users.items()}
    tokens["ro"] = token_issue(user=users["own"], read_only=True)[1]
    coord = users["coord"]
    states = {s.code: s for s in State.objects.all()}
    webhook = webhook_create(
        actor=users["reader"],
        url="https://consumer.example.org/hook",
        events=list(EventKind.values),
        secret="a-shared-secret-of-some-length",
    )

    # Sequences outlive a rolled-back test on PostgreSQL: start from 1 every time.
    measure_sequence_restart(1)
    open_measure = measure_create(
        actor=coord,
        title="Operating control of port terminals",
        category="ports",
        sponsor=states["USA"],
        status="open",
    )
    measure_sequence_restart(SECRET_ID)
    restricted = measure_create(
        actor=coord,
        title=SECRET_TITLE,
        summary="Participants only.",
        category="energy",
        sponsor=states["USA"],
        status="open",
        restricted=True,
        participants=[states["DEU"], states["USA"], states["NLD"]],
    )
    assert restricted.pk == SECRET_ID
    quiet = measure_create(
        actor=coord,
        title="Screening quantum investments",
        category="quantum",
        sponsor=states["USA"],
        status="open",
        restricted=True,
        participants=[states["DEU"], states["USA"], states["NLD"]],
    )
    for role, code, stance in [("own", "DEU", "conditional"), ("other", "USA", "support")]:
        position_record(
            actor=users[role],
            measure=restricted,
            state=states[code],
            stances={"alliance": stance},
            reservations=f"{code} reservations",
            source=PositionChange.Source.API,
        )
    position_record(
        actor=users["outside"],
        measure=open_measure,
        state=states["FRA"],
        stances={"eu": "support"},
        source=PositionChange.Source.API,
    )
    motion = transfer_motion_table(
        actor=users["own"], parent=restricted, target_route="eu", rationale="Move it to the EU."
    )
    silence.silence_start(
        actor=coord, measure=restricted, deadline=timezone.now() + timedelta(days=3)
    )
    measure_sequence_restart(LATER_ID)

    declaration = declarations.declaration_create(
        actor=coord, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    declarations.version_create(actor=coord, declaration=declaration, text="\n\n".join(PARAGRAPHS))
    declarations.version_create(
        actor=coord,
        declaration=declaration,
        text="\n\n".join((*PARAGRAPHS[:2], "We remain united and resolute.")),
    )
    amendment = declarations.amendment_propose(
        actor=users["other"],
        declaration=declaration,
        version_number=2,
        paragraph=2,
        text="We will screen investments in critical infrastructure.",
        rationale="Agree the bracket.",
    )

    asset = asset_create(
        actor=coord,
        host=states["NLD"],
        name="Euromax Terminal Rotterdam",
        kind="port_terminal",
        host_source="Port authority",
        owner="COSCO Shipping Ports",
        owner_country="CHN",
        owner_source="Annual report",
        criticality=5,
        criticality_source="Coordinators' assessment",
    )
    for measure in (open_measure, restricted):
        measure_assets_set(actor=coord, measure=measure, assets=[asset])
    # What leaves the process: every event fanned out to the reader's webhook (only
    # the measures the reader may see), every export built (no worker in these tests).
    for event_id in Event.objects.values_list("pk", flat=True):
        event_fan_out(event_id=event_id)
    # The reader's delivery log holds events (about the open measure), not none at all.
    assert Delivery.objects.filter(webhook=webhook).exists()
    assert Event.objects.filter(measure=restricted).exists()
    export = export_build(
        job_id=str(export_request(user=users["own"], kind="history", format="csv").pk)
    )
    outside_exports = [
        export_build(job_id=str(export_request(user=users["outside"], kind=kind, format=fmt).pk))
        for kind, fmt in (("history", "csv"), ("matrix", "csv"), ("history", "xlsx"))
    ]
    assert export is not None
    assert export.status == ExportJob.Status.DONE
    assert all(job is not None and job.status == ExportJob.Status.DONE for job in outside_exports)

    world = World(
        users=users,
        tokens=tokens,
        open_measure=open_measure,
        restricted=restricted,
        quiet=quiet,
        motion=motion,
        declaration=declaration,
        amendment=amendment,
        webhook=webhook,
        export=export,
        outside_exports=[job for job in outside_exports if job is not None],
        asset=asset,
    )
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies["sessionid"].value
    return world


# The URL configuration ------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern, with its whole route as written in the URL configuration."""

    route: str  # e.g. "api/v1/measures/<int:measure_id>/"
    name: str | None  # namespaced, for reverse()
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, values: dict[str, Any]) -> str:
        kwargs = {name: values[name] for name in self.params}
        if self.name is not None:
            return reverse(self.name, kwargs=kwargs)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.route)
        return "/" + path


def _params(pattern: RoutePattern | RegexPattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the site, recursing into every include."""

    def walk(
        patterns: Sequence[URLPattern | URLResolver],
        prefix: str,
        namespace: str | None,
        params: tuple[str, ...],
    ) -> Iterator[Endpoint]:
        for entry in patterns:
            here = tuple(_params(entry.pattern))  # type: ignore[arg-type]
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(
                    entry.url_patterns, prefix + str(entry.pattern), inner, params + here
                )
            else:
                name = None
                if entry.name:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Endpoint(prefix + str(entry.pattern), name, params + here)

    return list(walk(get_resolver().url_patterns, "", None, ()))


# What the database holds ----------------------------------------------------------

# Bookkeeping that a request may do whatever its answer: when a token was last used.
UNCHECKED_COLUMNS = {("accounts", "apitoken"): {"last_used_at"}}


def _checked_columns(model: type[Model]) -> list[str]:
    meta = model._meta
    skip = UNCHECKED_COLUMNS.get((meta.app_label, meta.model_name or ""), set())
    return [str(f.column) for f in meta.concrete_fields if f.attname not in skip]


def database_snapshot() -> dict[str, str]:
    """A digest of every row of every table, by model."""
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # One round trip: each table's rows as text, sorted, digested by the server.
        parts = [
            f"SELECT %s, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM "
            f"(SELECT ROW({', '.join(quote(c) for c in _checked_columns(m))})::text AS r "
            f"FROM {quote(m._meta.db_table)}) AS t{i}"
            for i, m in enumerate(models)
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), [m._meta.label for m in models])
            return dict(cursor.fetchall())
    # SQLite: each table's rows as quoted text, sorted and joined, in one query too.
    joined = " || ',' || "
    parts = [
        f"SELECT %s, (SELECT group_concat(r, '|') FROM (SELECT "
        f"{joined.join(f'quote({quote(c)})' for c in _checked_columns(m))} AS r "
        f"FROM {quote(m._meta.db_table)} ORDER BY r))"
        for m in models
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [m._meta.label for m in models])
        return {
            label: hashlib.sha256((rows or "").encode()).hexdigest()
            for label, rows in cursor.fetchall()
        }


def snapshot_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The models whose rows differ."""
    return sorted(label for label in before if before[label] != after.get(label))
