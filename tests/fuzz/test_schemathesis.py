"""Fuzz every operation of the API's OpenAPI schema with schemathesis, in process.

Each operation gets ``FUZZ_EXAMPLES`` generated cases (15 by default: a few hundred in
all), derandomized so CI runs the same cases every time. Every case is sent as the
coordinator, with a fresh Bearer token (``DELETE /auth/token/`` revokes the token it is
sent with), against a database holding a measure, positions, a declaration with two
versions and an amendment, so the ids in paths hit real objects. A case fails on any
5xx answer and on any answer whose body or content type does not match the schema.

A longer run: ``FUZZ_EXAMPLES=200 SECRET_KEY=x .venv/bin/pytest tests/fuzz`` (see
docs/reliability.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accounts.models import User
from accounts.services import token_issue
from consensus.declarations.services import amendment_propose, declaration_create, version_create
from consensus.wsgi import application
from positions.models import Measure
from positions.services import position_record

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def fuzz_world(
    coordinator: User, delegate_fra: User, measure: Measure, state: Any
) -> dict[str, Any]:
    """Real objects behind the small ids the fuzzer tries first."""
    cache.clear()
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "support", "eu": "conditional"},
        note="Instructions of 9 July",
        source="api",
    )
    position_record(
        actor=coordinator,
        measure=measure,
        state=state("AUT"),
        stances={"eu": "oppose"},
        source="api",
    )
    declaration = declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    version_create(
        actor=coordinator,
        declaration=declaration,
        text="We have met.\n\nThe PRC is of [serious][profound] concern.",
        note="First draft",
    )
    version_create(
        actor=coordinator,
        declaration=declaration,
        text="We have met.\n\nThe PRC is a [decisive][key] enabler.",
        note="Second reading",
    )
    amendment_propose(
        actor=delegate_fra,
        declaration=declaration,
        version_number=2,
        paragraph=2,
        text="The PRC is a decisive enabler.",
        rationale="The evidence supports it.",
    )
    return {"coordinator": coordinator, "measure": measure, "declaration": declaration}


@pytest.fixture
def api_schema(fuzz_world: dict[str, Any], settings: Any) -> Iterator[Any]:
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client sends
    # As Django's test client does: the requests run inside the test's transaction, so
    # the end of a request must not close the connection (PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _, raw = token_issue(user=fuzz_world["coordinator"])
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/schema/", application, headers={"Authorization": f"Bearer {raw}"}
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_conforms_and_never_fails(api_schema: Any, fuzz_world: dict[str, Any]) -> None:
    # schemathesis.pytest.from_fixture does not run under pytest 9 (it sets a node
    # attribute pytest 9 removed), so each operation is driven by Hypothesis here.
    coordinator = fuzz_world["coordinator"]
    failures: list[str] = []
    cases = 0

    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis_settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal cases
                cases += 1
                # A fresh token each time: DELETE /auth/token/ revokes the one it is sent with.
                _, raw = token_issue(user=coordinator)
                case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=CHECKS)

            try:
                run()
            except (AssertionError, FailureGroup) as error:  # collect every operation's
                failures.append(f"{operation.label} ({mode}): {error}")

    print(f"schemathesis: {cases} cases")  # the figure docs/reliability.md quotes
    assert cases >= 100
    assert not failures, "\n\n".join(failures)
