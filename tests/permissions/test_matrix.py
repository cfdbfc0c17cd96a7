"""Who may do what, on every URL of the site and the API, for every role.

The URLs come from the URL resolver: a new endpoint without a row below fails
``test_every_url_has_an_entry``, naming it. Each row gives, per role (see
``tests/permissions/world.py``), the status the request must answer; where it
is refused (4xx, or a redirect to the login page) the database must hold
exactly what it held before. Every request runs in a savepoint rolled back
afterwards, so each role meets the same world.

Columns after the method: anon, reader, ro, own, other, outside, coord (the last
one unlabelled above the tables, for width). Cells: a status code, or ``L`` for a
redirect to log in first (``?next=``). Measure URLs name the restricted measure
(participants DEU, USA, NLD; a silence running); position URLs name DEU's position.
A route too long to share its line stands alone on the line before. A method
missing from the table must answer 405 to the coordinator, writing nothing.

To add an endpoint: one line per method in API or PAGES, a body in BODIES for
a write, a query in QUERIES or a different object in SUBJECTS if it needs one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.permissions.world import (
    ROLES,
    Endpoint,
    World,
    database_snapshot,
    endpoints,
    snapshot_diff,
)

#                                                      method  anon reader ro  own other outside
API = """
api/v1/auth/token/                                     POST    201  201   201 201  201   201     201
api/v1/auth/token/                                     DELETE  401  204   204 204  204   204     204
api/v1/states/                                         GET     401  200   200 200  200   200     200
api/v1/measures/                                       GET     401  200   200 200  200   200     200
api/v1/measures/                                       POST    401  403   403 403  403   403     201
api/v1/measures/<int:measure_id>/                      GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/                      PATCH   401  404   403 403  403   404     200
api/v1/measures/<int:measure_id>/positions/            GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/positions/<str:code>/ GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/positions/<str:code>/ PUT     401  404   403 200  403   404     403
api/v1/measures/<int:measure_id>/history/              GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/support/              GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/transfer/             POST    401  404   403 201  201   404     403
api/v1/measures/<int:measure_id>/silence/              GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/silence/              POST    401  404   403 403  403   404     201
api/v1/measures/<int:measure_id>/silence/break/        POST    401  404   403 200  200   404     403
api/v1/matrix/                                         GET     401  200   200 200  200   200     200
api/v1/changes/                                        GET     401  200   200 200  200   200     200
api/v1/declarations/                                   GET     401  200   200 200  200   200     200
api/v1/declarations/                                   POST    401  403   403 403  403   403     201
api/v1/declarations/<int:declaration_id>/              GET     401  200   200 200  200   200     200
api/v1/declarations/<int:declaration_id>/versions/     GET     401  200   200 200  200   200     200
api/v1/declarations/<int:declaration_id>/versions/     POST    401  403   403 403  403   403     201
api/v1/declarations/<int:declaration_id>/versions/<int:number>/ GET 401 200 200 200 200 200     200
api/v1/declarations/<int:declaration_id>/diff/         GET     401  200   200 200  200   200     200
api/v1/declarations/<int:declaration_id>/amendments/   GET     401  200   200 200  200   200     200
api/v1/declarations/<int:declaration_id>/amendments/   POST    401  403   403 201  201   201     403
api/v1/declarations/<int:declaration_id>/amendments/<int:amendment_id>/
                                                       GET     401  200   200 200  200   200     200
api/v1/declarations/<int:declaration_id>/amendments/<int:amendment_id>/stance/
                                                       POST    401  403   403 201  403   201     403
api/v1/declarations/<int:declaration_id>/amendments/<int:amendment_id>/decide/
                                                       POST    401  403   403 403  403   403     200
api/v1/phrases/                                        GET     401  200   200 200  200   200     200
api/v1/measures/<int:measure_id>/assets/               GET     401  404   200 200  200   404     200
api/v1/measures/<int:measure_id>/assets/               PUT     401  404   403 403  403   404     200
api/v1/assets/                                         GET     401  200   200 200  200   200     200
api/v1/assets/                                         POST    401  403   403 403  403   403     201
api/v1/assets/import/                                  POST    401  403   403 403  403   403     201
api/v1/assets/<int:asset_id>/                          GET     401  200   200 200  200   200     200
api/v1/assets/<int:asset_id>/                          PATCH   401  403   403 403  403   403     200
api/v1/webhooks/                                       GET     401  200   403 403  403   403     200
api/v1/webhooks/                                       POST    401  201   403 403  403   403     201
api/v1/webhooks/<int:webhook_id>/                      GET     401  200   403 403  403   403     404
api/v1/webhooks/<int:webhook_id>/                      DELETE  401  204   403 403  403   403     404
api/v1/webhooks/<int:webhook_id>/deliveries/           GET     401  200   403 403  403   403     404
api/v1/exports/                                        GET     401  200   200 200  200   200     200
api/v1/exports/                                        POST    401  202   403 202  202   202     202
api/v1/exports/<uuid:job_id>/                          GET     401  404   200 200  404   404     200
api/v1/exports/<uuid:job_id>/download/                 GET     401  404   200 200  404   404     200
api/v1/schema/                                         GET     401  200   200 200  200   200     200
api/v1/docs/                                           GET     401  200   200 200  200   200     200
"""

# The pages: a session for every role that logs in; ``ro`` sends only its token, which
# logs nobody in. Django's own views answer more methods than they need: LoginView takes
# PUT as POST (an empty PUT shows the form again), set_language redirects whatever the
# method.
#                                                      method  anon reader ro  own other outside
PAGES = """
                                                       GET     L    302   L   302  302   302     302
my-state/                                              GET     L    403   L   200  200   200     403
measures/<int:measure_id>/                             GET     L    404   L   200  200   404     200
measures/<int:measure_id>/positions/<str:code>/        GET     L    404   L   200  200   404     200
measures/<int:measure_id>/positions/<str:code>/        POST    L    404   L   302  403   404     403
dashboard/                                             GET     L    200   L   200  200   200     200
matrix/                                                GET     L    200   L   200  200   200     200
matrix/csv/                                            GET     L    200   L   200  200   200     200
changes/                                               GET     L    200   L   200  200   200     200
accounts/login/                                        GET     200  200   200 200  200   200     200
accounts/login/                                        POST    302  302   302 302  302   302     302
accounts/login/                                        PUT     200  200   200 200  200   200     200
accounts/logout/                                       POST    302  302   302 302  302   302     302
declarations/                                          GET     L    200   L   200  200   200     200
declarations/phrases/                                  GET     L    200   L   200  200   200     200
declarations/<int:declaration_id>/                     GET     L    200   L   200  200   200     200
declarations/<int:declaration_id>/versions/<int:number>/ GET   L    200   L   200  200   200     200
declarations/<int:declaration_id>/diff/                GET     L    200   L   200  200   200     200
health/                                                GET     200  200   200 200  200   200     200
assets/                                                GET     L    200   L   200  200   200     200
assets/<int:asset_id>/                                 GET     L    200   L   200  200   200     200
exports/                                               GET     L    200   L   200  200   200     200
exports/                                               POST    L    302   L   302  302   302     302
i18n/setlang/                                          POST    302  302   302 302  302   302     302
i18n/setlang/                                          GET     302  302   302 302  302   302     302
i18n/setlang/                                          PUT     302  302   302 302  302   302     302
i18n/setlang/                                          PATCH   302  302   302 302  302   302     302
i18n/setlang/                                          DELETE  302  302   302 302  302   302     302
"""

Body = Callable[[World], dict[str, Any]]

# A valid body for each write: whoever is refused, it is not for a bad body.
BODIES: dict[tuple[str, str], Body] = {
    ("api/v1/auth/token/", "POST"): lambda w: {"username": "reader", "password": PASSWORD},
    ("api/v1/measures/", "POST"): lambda w: {
        "title": "Screening telecom vendors",
        "category": "telecom",
        "sponsor": "NOR",
        "status": "open",
    },
    ("api/v1/measures/<int:measure_id>/", "PATCH"): lambda w: {"summary": "Edited."},
    ("api/v1/measures/<int:measure_id>/positions/<str:code>/", "PUT"): lambda w: {
        "stances": {"alliance": "support"},
        "note": "Instructions of 9 July",
    },
    ("api/v1/measures/<int:measure_id>/transfer/", "POST"): lambda w: {
        "target_route": "bilateral",
        "rationale": "Better done bilaterally.",
    },
    ("api/v1/measures/<int:measure_id>/silence/", "POST"): lambda w: {
        "deadline": (timezone.now() + timedelta(days=2)).isoformat()
    },
    ("api/v1/measures/<int:measure_id>/silence/break/", "POST"): lambda w: {
        "reason": "Our parliament must be consulted."
    },
    ("api/v1/declarations/", "POST"): lambda w: {
        "title": "Vilnius Summit Communiqué",
        "summit": "Vilnius",
        "year": 2023,
    },
    ("api/v1/declarations/<int:declaration_id>/versions/", "POST"): lambda w: {
        "text": "We met in Washington.\n\nWe remain united.",
        "note": "Third draft.",
    },
    ("api/v1/declarations/<int:declaration_id>/amendments/", "POST"): lambda w: {
        "version": 2,
        "paragraph": 3,
        "text": "We remain united and determined.",
        "rationale": "Stronger.",
    },
    (
        "api/v1/declarations/<int:declaration_id>/amendments/<int:amendment_id>/stance/",
        "POST",
    ): lambda w: {"stance": "support"},
    (
        "api/v1/declarations/<int:declaration_id>/amendments/<int:amendment_id>/decide/",
        "POST",
    ): lambda w: {"decision": "accept"},
    ("measures/<int:measure_id>/positions/<str:code>/", "POST"): lambda w: {
        "version": "1",
        "alliance": "support",
        "bilateral": "undecided",
        "eu": "undecided",
        "reservations": "",
        "note": "By the form.",
    },
    ("api/v1/measures/<int:measure_id>/assets/", "PUT"): lambda w: {"assets": [w.asset.pk]},
    ("api/v1/assets/", "POST"): lambda w: {
        "name": "Hamburg Tollerort terminal",
        "kind": "port_terminal",
        "host": "DEU",
        "host_source": "Port authority",
        "owner": "COSCO Shipping Ports",
        "owner_country": "CHN",
        "owner_source": "Annual report",
        "criticality": 4,
        "criticality_source": "Coordinators' assessment",
    },
    ("api/v1/assets/import/", "POST"): lambda w: {"file": _asset_csv()},
    ("api/v1/assets/<int:asset_id>/", "PATCH"): lambda w: {"criticality": 4},
    ("api/v1/webhooks/", "POST"): lambda w: {
        "url": "https://consumer.example.org/other",
        "events": ["position.changed"],
        "secret": "another-shared-secret-value",
    },
    ("api/v1/exports/", "POST"): lambda w: {"kind": "matrix", "format": "csv", "route": "eu"},
    ("exports/", "POST"): lambda w: {"kind": "matrix", "format": "csv", "route": "eu"},
    ("accounts/login/", "POST"): lambda w: {"username": "reader", "password": PASSWORD},
    ("i18n/setlang/", "POST"): lambda w: {"language": "fr", "next": "/dashboard/"},
}

# Sent as a form with a file (multipart), not as JSON.
MULTIPART = {("api/v1/assets/import/", "POST")}


def _asset_csv() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "name,kind,host,host_source,owner,owner_country,owner_source,criticality,"
        "criticality_source\nGdansk DCT,port_terminal,POL,Port authority,PSA,SGP,"
        "Annual report,3,Coordinators' assessment\n"
    )
    return SimpleUploadedFile("assets.csv", text.encode(), content_type="text/csv")


QUERIES: dict[str, str] = {
    "api/v1/phrases/": "q=united",
    "declarations/phrases/": "q=united",
}

# Rows that need another object than the world's default (World.kwargs).
SUBJECTS: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    # Starting a silence needs a measure without one; it is restricted the same way.
    ("api/v1/measures/<int:measure_id>/silence/", "POST"): lambda w: {"measure_id": w.quiet.pk},
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    expected: dict[str, str]  # role -> "200", "L"...


def _rows(table: str) -> list[Row]:
    """Parse a table: route, method, one cell per role. A line holding only a route (too
    long to share its line) names the route of the line after it."""
    rows = []
    pending = ""
    for line in table.strip("\n").splitlines():
        words = line.split()
        if len(words) == 1 and not line[0].isspace():
            pending = words[0]
            continue
        route, method, cells = "".join(words[:-8]) or pending, words[-8], words[-7:]
        pending = ""
        assert len(words) <= 9, f"{line!r}: route, method, {ROLES}"
        assert method in METHODS, f"{line!r}: route, method, {ROLES}"
        rows.append(Row(route, method, dict(zip(ROLES, cells, strict=True))))
    return rows


API_ROWS = _rows(API)
PAGE_ROWS = _rows(PAGES)
ROWS = API_ROWS + PAGE_ROWS
TABLE: dict[str, dict[str, Row]] = {}
for _row in ROWS:
    assert _row.method not in TABLE.get(_row.route, {}), f"two rows for {_row}"
    TABLE.setdefault(_row.route, {})[_row.method] = _row


def _non_admin_endpoints() -> list[Endpoint]:
    return [e for e in endpoints() if not e.is_admin]


# The walk -------------------------------------------------------------------------


def test_every_url_has_an_entry() -> None:
    routes = {e.route for e in _non_admin_endpoints()}
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, "URLs without a row in tests/permissions/test_matrix.py: " + ", ".join(
        repr(r) for r in missing
    )
    assert not stale, "rows for URLs that no longer exist: " + ", ".join(repr(r) for r in stale)


# Writes that need no body: revoking the token in use or a webhook, logging out, Django's
# own views.
BODILESS = {
    ("api/v1/auth/token/", "DELETE"),
    ("api/v1/webhooks/<int:webhook_id>/", "DELETE"),
    ("accounts/logout/", "POST"),
    ("accounts/login/", "PUT"),
    *(("i18n/setlang/", m) for m in ("PUT", "PATCH", "DELETE")),
}


def test_every_write_has_a_body() -> None:
    writes = {(r.route, r.method) for r in ROWS if r.method != "GET"}
    missing = writes - BODILESS - set(BODIES)
    assert not missing, f"writes without a body in BODIES: {sorted(missing)}"


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None, api: bool) -> Any:
    if method == "GET":
        return client.get(url)
    if body is not None and any(hasattr(v, "read") for v in body.values()):
        for value in body.values():
            if hasattr(value, "seek"):
                value.seek(0)
        return client.post(url, body)  # multipart
    if api:
        data = json.dumps(body or {})
        return client.generic(method, url, data, content_type="application/json")
    return client.generic(
        method, url, urlencode(body or {}), content_type="application/x-www-form-urlencoded"
    )


def _login_redirect(response: HttpResponse) -> bool:
    """A redirect to log in first (``?next=``); logging out also lands on the login page."""
    login = reverse(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(f"{login}?next=")


def _refused(response: HttpResponse) -> bool:
    return response.status_code >= 400 or _login_redirect(response)


def request_in_savepoint(
    client: Client, method: str, url: str, body: dict[str, Any] | None, *, api: bool
) -> tuple[HttpResponse, list[str]]:
    """Send the request, then roll back whatever it wrote; return what it wrote (by model)."""
    with transaction.atomic():
        before = database_snapshot()
        response = _send(client, method, url, body, api)
        written = snapshot_diff(before, database_snapshot())
        transaction.set_rollback(True)
    return response, written


def response_body(response: Any) -> bytes:
    """The body of any answer, a streamed file's included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _status(response: HttpResponse) -> str:
    return "L" if _login_redirect(response) else str(response.status_code)


def _url(world: World, endpoint: Endpoint, method: str) -> str:
    values = world.kwargs()
    subject = SUBJECTS.get((endpoint.route, method))
    if subject is not None:
        values.update(subject(world))
    url = endpoint.url(values)
    query = QUERIES.get(endpoint.route)
    return f"{url}?{query}" if query else url


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: r or "<root>")
def test_who_may_do_what(world: World, route: str) -> None:
    endpoint = next((e for e in _non_admin_endpoints() if e.route == route), None)
    if endpoint is None:
        pytest.fail(f"{route!r} is in the table but not in the URL configuration")
    failures: list[str] = []
    for method in METHODS:
        row = TABLE[route].get(method)
        url = _url(world, endpoint, method)
        body = BODIES[(route, method)](world) if (route, method) in BODIES else None
        client_for = world.api_client if endpoint.is_api else world.page_client
        if row is None:
            # A method without a row is not routed, even for the coordinator.
            response, written = request_in_savepoint(
                client_for("coord"), method, url, body, api=endpoint.is_api
            )
            if response.status_code != 405 or written:
                failures.append(
                    f"{method} {url} as coord: {response.status_code} (wrote {written}); "
                    "expected 405 and nothing written, or add a row"
                )
            continue
        for role in ROLES:
            response, written = request_in_savepoint(
                client_for(role), method, url, body, api=endpoint.is_api
            )
            got = _status(response)
            if got != row.expected[role]:
                failures.append(
                    f"{method} {url} as {role}: {got}, expected {row.expected[role]}"
                    f" ({response_body(response)[:200]!r})"
                )
            if _refused(response) and written:
                failures.append(f"{method} {url} as {role}: refused ({got}) but wrote {written}")
    assert not failures, "\n".join(failures)


def test_the_snapshot_sees_any_write_but_token_bookkeeping(world: World) -> None:
    from accounts.models import ApiToken
    from positions.models import Measure

    before = database_snapshot()
    ApiToken.objects.update(last_used_at=timezone.now())
    assert snapshot_diff(before, database_snapshot()) == []
    Measure.objects.filter(pk=world.open_measure.pk).update(summary="changed")
    assert snapshot_diff(before, database_snapshot()) == ["positions.Measure"]
