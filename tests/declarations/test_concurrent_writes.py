"""Concurrent writers on PostgreSQL: version numbers without gaps, one acceptance per paragraph."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from consensus.declarations.services import AmendmentConflict, amendment_decide, version_create
from consensus.models import Amendment, DeclarationVersion

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def run_in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_racing_writers_get_numbers_from_one_without_gaps(declaration, coordinator):
    errors = run_in_threads(
        8,
        lambda i: version_create(
            actor=coordinator, declaration=declaration, text=f"Draft by writer {i}."
        ),
    )

    assert errors == []
    numbers = sorted(
        DeclarationVersion.objects.filter(declaration=declaration).values_list("number", flat=True)
    )
    assert numbers == list(range(1, 9))


def test_of_two_amendments_to_one_paragraph_accepted_at_once_one_wins(
    drafted, delegate_usa, delegate_fra, propose, coordinator
):
    amendments = [
        propose(delegate_usa, drafted, text="The PRC has become a decisive enabler."),
        propose(delegate_fra, drafted, text="The PRC supports Russia's war."),
    ]

    errors = run_in_threads(
        2,
        lambda i: amendment_decide(actor=coordinator, amendment=amendments[i], decision="accept"),
    )

    assert len(errors) == 1
    assert isinstance(errors[0], AmendmentConflict)
    assert DeclarationVersion.objects.filter(declaration=drafted).count() == 3
    assert sorted(Amendment.objects.values_list("status", flat=True)) == ["accepted", "open"]
