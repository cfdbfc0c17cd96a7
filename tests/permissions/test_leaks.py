"""A restricted measure leaks through nothing: no list, matrix, feed, phrase search,
export, webhook, page or error message shows it to anyone outside it.

The world (tests/permissions/world.py) holds restricted measures whose ids all
start with ``98765432`` (no other number shown reaches it) and one with a
title nobody else uses; a transfer motion on it (its title repeats the
parent's); positions, history rows and a running silence on it. Every URL of
the site and the API, with every method of the permission table, is asked by
each caller outside it (anonymous, a reader, the delegate of a state outside
it): neither the title nor the ids may appear in any answer.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile

from django.http import HttpResponse
from django.test import Client

from tests.permissions.test_matrix import (
    BODIES,
    METHODS,
    QUERIES,
    SUBJECTS,
    TABLE,
    request_in_savepoint,
    response_body,
)
from tests.permissions.world import SECRET_ID, SECRET_TITLE, World, endpoints

OUTSIDERS = ("anon", "reader", "outside")
SECRETS = (SECRET_TITLE, "Kestrel", str(SECRET_ID)[:8])

# Queries that go looking for it: filters, every route of the matrix, the whole feed,
# the phrase search on its title's words, as CSV.
PROBES = {
    "api/v1/measures/": ["category=energy", "status=silence", "kind=transfer"],
    "api/v1/matrix/": ["route=eu", "route=bilateral", "category=energy", "format=csv"],
    "api/v1/changes/": ["after=0&limit=1000"],
    "api/v1/phrases/": ["q=Kestrel", "q=Zeebrugge%20LNG%20terminal"],
    "declarations/phrases/": ["q=Kestrel"],
    "dashboard/": ["category=energy", "status=silence"],
    "matrix/": ["route=eu", "category=energy", "as_of=2999-01-01T00:00:00Z"],
    "matrix/csv/": ["route=bilateral", "category=energy"],
    "changes/": ["after=0"],
}


def _client(world: World, role: str, api: bool) -> Client:
    return world.api_client(role) if api else world.page_client(role)


def _leaks(content: bytes, asked: str) -> list[str]:
    """The secrets in an answer, but for those the caller typed (a search echoes its query)."""
    text = content.decode("utf-8", errors="replace")
    return [secret for secret in SECRETS if secret in text and secret not in asked]


def _text(response: HttpResponse) -> bytes:
    """The whole answer, a downloaded workbook's sheets included (XLSX is a zip of XML)."""
    body = response_body(response)
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            return b"".join(workbook.read(name) for name in workbook.namelist())
    return body


def test_no_answer_to_an_outsider_names_a_restricted_measure(world: World) -> None:
    # The measure URLs name the open measure here: an outsider asks about what it may see.
    # Export URLs name each of the outsider's own exports (history and matrix, CSV and XLSX).
    base = world.kwargs() | {"measure_id": world.open_measure.pk}
    found: list[str] = []
    asked = 0
    for endpoint in endpoints():
        if endpoint.is_admin:
            continue
        rows = TABLE[endpoint.route]
        jobs = world.outside_exports if "job_id" in endpoint.params else [world.export]
        for method, job in itertools.product(METHODS, jobs):
            if method not in rows:
                continue
            url = endpoint.url(base | {"job_id": job.pk})
            queries = [QUERIES.get(endpoint.route, ""), *PROBES.get(endpoint.route, [])]
            for query in queries if method == "GET" else [QUERIES.get(endpoint.route, "")]:
                full = f"{url}?{query}" if query else url
                make_body = BODIES.get((endpoint.route, method))
                body = make_body(world) if make_body else None
                for role in OUTSIDERS:
                    client = _client(world, role, endpoint.is_api)
                    response, _ = request_in_savepoint(
                        client, method, full, body, api=endpoint.is_api
                    )
                    asked += 1
                    leaks = _leaks(_text(response), full) + _leaks(
                        response.get("Location", "").encode(), full
                    )
                    if leaks:
                        found.append(f"{method} {full} as {role} ({response.status_code}): {leaks}")
    assert asked > 200
    assert not found, "\n".join(found)


def test_to_an_outsider_a_restricted_measure_is_a_measure_that_does_not_exist(
    world: World,
) -> None:
    """Every URL naming it answers exactly as for an id no measure has."""
    missing = SECRET_ID + 1000
    differences: list[str] = []
    for endpoint in endpoints():
        if "measure_id" not in endpoint.params:
            continue
        for method in METHODS:
            row = TABLE[endpoint.route].get(method)
            if row is None:
                continue
            make_body = BODIES.get((endpoint.route, method))
            body = make_body(world) if make_body else None
            for role in OUTSIDERS:
                answers = []
                for measure in (world.restricted.pk, missing):
                    values = world.kwargs() | {"measure_id": measure}
                    subject = SUBJECTS.get((endpoint.route, method))
                    if subject is not None and measure != missing:
                        values |= subject(world)
                        measure = values["measure_id"]
                    client = _client(world, role, endpoint.is_api)
                    response, written = request_in_savepoint(
                        client, method, endpoint.url(values), body, api=endpoint.is_api
                    )
                    assert not written, f"{method} {endpoint.route} as {role} wrote {written}"
                    content = response_body(response).replace(str(measure).encode(), b"<id>")
                    location = response.get("Location", "").replace(str(measure), "<id>")
                    answers.append((response.status_code, location, _masked(content)))
                if answers[0] != answers[1]:
                    differences.append(
                        f"{method} {endpoint.route} as {role}: {answers[0][:2]} vs {answers[1][:2]}"
                        f"\n  restricted: {answers[0][2][:300]!r}\n  missing:    "
                        f"{answers[1][2][:300]!r}"
                    )
    assert not differences, "\n".join(differences)


def _masked(content: bytes) -> bytes:
    """The answer without what differs on every request (CSRF tokens, CSP nonces)."""
    return re.sub(rb'(csrfmiddlewaretoken" value="|nonce=")[^"]*', rb"\1", content)


def test_an_export_or_a_webhook_is_listed_only_to_those_who_may_see_it(world: World) -> None:
    """Export jobs: their requester and coordinators. Webhooks: their owner alone."""
    listed = {}
    for role in ("reader", "ro", "own", "other", "outside", "coord"):
        exports = world.api_client(role).get("/api/v1/exports/")
        assert exports.status_code == 200, role
        listed[role] = {job["id"] for job in exports.json()["results"]}
    mine = str(world.export.pk)
    assert {role for role, ids in listed.items() if mine in ids} == {"ro", "own", "coord"}
    theirs = {str(job.pk) for job in world.outside_exports}
    assert listed["outside"] == theirs
    assert theirs <= listed["coord"]

    hooks = {
        role: world.api_client(role).get("/api/v1/webhooks/").json() for role in ("reader", "coord")
    }
    assert [hook["id"] for hook in hooks["reader"]["results"]] == [world.webhook.pk]
    assert hooks["coord"]["results"] == []
