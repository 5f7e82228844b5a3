"""Reads that may be a few seconds old go to a streaming replica, when one is
configured (`DATABASE_REPLICA_URL`); everything else stays on the primary.

Only code that says so reads from the replica: the leadership view, the
exports and the statistics wrap their reads in `stale_reads_ok()`. A person's
own writes, access checks and the audit trail are always read and written on
the primary, so nothing that must be fresh can see an old copy.
"""

import contextvars
from contextlib import contextmanager

from django.db import connections

REPLICA = "replica"

_stale_ok = contextvars.ContextVar("stafett_stale_reads_ok", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def stale_reads_ok():
    """Inside this block, plain reads go to the replica if there is one."""
    token = _stale_ok.set(True)
    try:
        yield
    finally:
        _stale_ok.reset(token)


class ReplicaRouter:
    """Django database router: reads inside `stale_reads_ok()` to the replica,
    every write and every other read to the primary; migrations only on the
    primary (the replica follows it by streaming)."""

    def db_for_read(self, model, **hints):
        if _stale_ok.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
