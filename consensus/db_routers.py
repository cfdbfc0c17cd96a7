"""Reads that may be served by a read replica (``DATABASE_REPLICA_URL``), and the rest.

Installed only when a replica is configured (consensus/settings.py). Two kinds
of reads go to the replica:
- the history: reads of position changes and measure status changes;
- whatever runs inside ``replica_reads()``: the support matrix (its measures,
  states and stances, now or as of an instant).

Never while the primary is inside a transaction: every write path
(``position_record`` and the other services) runs in ``transaction.atomic``,
so its reads (row locks, version checks, the stances a transfer motion
needs) stay on the primary, and so does anything a caller reads inside its
own transaction. Writes always go to the primary; the replica is never
migrated (replication copies the schema).

A replica lags its primary by its replication delay: the history and the
matrix it serves are as of a moment ago. Views that must read their own
writes read them inside the write's transaction, or from the write's result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models

REPLICA = "replica"
ROUTER = "consensus.db_routers.ReplicaRouter"  # as consensus/settings.py installs it
# The append-only history tables, named by app label and model name.
HISTORY_MODELS = frozenset({("positions", "positionchange"), ("positions", "measurestatuschange")})

_replica_wanted: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads inside the block to the replica, if one is configured."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def read_alias(model: type[models.Model] | None = None) -> str:
    """The database a read of ``model`` (or a raw read, for ``None``) goes to now."""
    if (
        REPLICA not in connections.settings
        or ROUTER not in settings.DATABASE_ROUTERS  # an alias alone routes nothing
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return DEFAULT_DB_ALIAS
    if _replica_wanted.get():
        return REPLICA
    if model is not None and (model._meta.app_label, model._meta.model_name) in HISTORY_MODELS:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Django's router interface over ``read_alias``; writes and migrations: the primary."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:
        return read_alias(model)

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
