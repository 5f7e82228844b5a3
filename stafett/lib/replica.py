"""Reads that may be a few seconds old go to a streaming replica, when one is
configured (`DATABASE_REPLICA_URL`); everything else stays on the primary.

Only code that says so reads from the replica: the leadership view, the
exports and the statistics wrap their aggregate reads in `stale_reads_ok()`.
Even inside such a block the primary answers (docs/scaling.md):
- when the block runs inside a transaction on the primary (`atomic`,
  `select_for_update`): a transaction must see one database, its own
  uncommitted writes included, and a hot standby refuses row locks;
- after the block has written anything: a person then reads their own write;
- for the models whose every read must be fresh (`FRESH_APPS`,
  `FRESH_MODELS`): sessions and login, memberships and roles (access
  checks), the audit trail, the task and outbox queues;
- when the replica is down or lags more than `STAFETT_REPLICA_MAX_LAG`
  seconds. The page then costs the primary what it cost before replicas,
  rather than failing or showing figures that are long out of date. The
  verdict is kept for `STAFETT_REPLICA_CHECK_SECONDS`, so a healthy replica
  costs one small query every few seconds per process, and a dead one one
  connection timeout per that interval.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

REPLICA = "replica"
log = logging.getLogger(__name__)

# Never read from a copy, whatever the block says.
FRESH_APPS = frozenset({
    "sessions", "auth", "accounts", "axes", "otp_totp", "django_otp", "admin",  # who is logged in
    "audit",  # the trail is appended and verified on the primary only
    "django_tasks_database", "notify",  # queues: a copy would hand out work twice
})
FRESH_MODELS = frozenset({"tenancy.membership", "tenancy.municipalityrole"})  # access checks


@dataclass
class _Block:
    replica: bool  # the replica was healthy when the block began
    wrote: bool = False


_block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar("stafett_stale_reads_ok", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


# --- Is the replica fit to read from? ---------------------------------------------

# Lag in seconds: 0 while the replica streams and has replayed all it received;
# otherwise the time since the last transaction it replayed (a replica cut off
# from its primary looks caught up, but is not). A server that is not in
# recovery (the URL points at a primary, or the replica was promoted) has none.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false)
       AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END
"""

_health_lock = threading.Lock()
_health: dict[str, float | bool] = {"checked": float("-inf"), "ok": False}


def forget_replica_health() -> None:
    """Check the replica afresh at the next block (tests; after a failover)."""
    with _health_lock:
        _health["checked"] = float("-inf")


def replica_lag() -> float:
    """Seconds the replica is behind the primary; raises DatabaseError when it
    cannot be reached."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def _mark_down() -> None:
    with _health_lock:
        _health.update(checked=time.monotonic(), ok=False)


def replica_usable() -> bool:
    if not replica_configured():
        return False
    now = time.monotonic()
    with _health_lock:
        if now - _health["checked"] < settings.STAFETT_REPLICA_CHECK_SECONDS:
            return bool(_health["ok"])
    max_lag = settings.STAFETT_REPLICA_MAX_LAG
    try:
        lag = replica_lag()
        ok = lag <= max_lag
        if not ok:
            log.warning("replica lags %.1f s (more than %s s): reading from the primary", lag, max_lag)
    except DatabaseError as exc:
        # The connection is dropped, so the next check connects afresh.
        connections[REPLICA].close()
        log.warning("replica unreachable, reading from the primary: %s", exc)
        ok = False
    with _health_lock:
        _health.update(checked=time.monotonic(), ok=ok)
    return ok


@contextmanager
def stale_reads_ok():
    """Inside this block, plain reads may go to the replica (see above).
    Also usable as a decorator. A replica that fails inside the block is
    taken out of use for the next requests; this one's error stands."""
    outer = _block.get()
    block = _Block(replica=False, wrote=outer is not None and outer.wrote)
    token = _block.set(block)
    try:
        # Decide once per block, not per query: one check, one database.
        block.replica = not connections["default"].in_atomic_block and replica_usable()
        yield
    except (OperationalError, InterfaceError):
        if block.replica:
            _mark_down()
        raise
    finally:
        _block.reset(token)
        if outer is not None and block.wrote:
            outer.wrote = True  # a write in a nested block counts for the enclosing one


def stale_connection():
    """The connection for raw SQL that may read a copy: the replica inside a
    block that may use it, else the primary (raw SQL bypasses the router)."""
    block = _block.get()
    if block is None or not block.replica or block.wrote or connections["default"].in_atomic_block:
        return connections["default"]
    return connections[REPLICA]


def _must_be_fresh(model) -> bool:
    meta = model._meta
    return meta.app_label in FRESH_APPS or meta.label_lower in FRESH_MODELS


class ReplicaRouter:
    """Django database router: reads inside `stale_reads_ok()` to the replica,
    every write and every other read to the primary; migrations only on the
    primary (the replica follows it by streaming)."""

    def db_for_read(self, model, **hints):
        block = _block.get()
        if (block is None or not block.replica or block.wrote or _must_be_fresh(model)
                or connections["default"].in_atomic_block):
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        block = _block.get()
        if block is not None:
            block.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
