"""A real streaming replica for the replica tests.

Design: the tests start their own primary and streaming replica (cluster.py)
rather than replicate the machine's PostgreSQL server. A replica of that
server would need a replication line in its pg_hba.conf and a base backup of
every database on it (on a developer's machine, gigabytes of benchmark
data), and pausing its replay would be visible to whoever else uses it. The
pair takes about three seconds to start.

For this module `default` points at the pair's primary and `replica` at its
replica; both hold a copy of the session's test database (schema and rows,
copied with pg_dump: migrating afresh would cost some 20 seconds). The
replica's alias keeps `TEST: MIRROR`, so the flush after each test runs on
the primary only, as it does for every test. Everything is put back after
the module.

On SQLite the tests skip. On PostgreSQL, a pair that cannot be started fails
the run when CI=true and skips it (with the reason) otherwise.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from django.db import connections

from stafett.lib.replica import REPLICA, forget_replica_health
from tests.relay.conftest import world  # noqa: F401  (the world with the health nurse)

from .cluster import ClusterError, Pair, start_pair


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI: the streaming replica could not be started: {reason}", pytrace=False)
    pytest.skip(f"no streaming replica on this machine: {reason}")


def _copy_database(pair: Pair, source: dict) -> None:
    """The session's test database onto the pair's primary, same name."""
    name = source["NAME"]
    env = os.environ | ({"PGPASSWORD": str(source["PASSWORD"])} if source.get("PASSWORD") else {})
    pair._run(pair.bin / "createdb", "-h", "127.0.0.1", "-p", pair.primary_port, "-U", "postgres", name)
    dump = subprocess.Popen(
        [str(pair.bin / "pg_dump"), "--no-owner", "--no-privileges",
         "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
         "-U", source["USER"] or "postgres", name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, stdin=subprocess.DEVNULL,
    )
    load = subprocess.run(
        [str(pair.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
         "-p", str(pair.primary_port), "-U", "postgres", "-d", name],
        stdin=dump.stdout, capture_output=True, text=True, timeout=300,
    )
    dump.stdout.close()
    dump_err = dump.stderr.read().decode(errors="replace")
    if dump.wait(timeout=300) != 0 or load.returncode != 0:
        raise ClusterError(f"copying {name} failed:\n{dump_err}{load.stderr[-4000:]}")


def _swap(settings_by_alias: dict[str, dict | None]) -> dict[str, dict | None]:
    """Point aliases at other servers; returns what they pointed at before."""
    before = {}
    for alias, new in settings_by_alias.items():
        before[alias] = connections.settings.get(alias)
        if alias in connections.settings:
            connections[alias].close()
            del connections[alias]  # the next use opens a connection from the new settings
        if new is None:
            connections.settings.pop(alias, None)
        else:
            connections.settings[alias] = new
    return before


@pytest.fixture(scope="module")
def replica_pair(django_db_setup, django_db_blocker):
    """Start the pair and point `default` and `replica` at it for the module."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("streaming replication is PostgreSQL's; this run uses SQLite")
    try:
        pair = start_pair()
    except ClusterError as exc:
        _unavailable(str(exc))
    try:
        source = dict(connections["default"].settings_dict)
        _copy_database(pair, source)
        primary = source | {"HOST": "127.0.0.1", "PORT": str(pair.primary_port), "USER": "postgres",
                            "PASSWORD": "", "CONN_MAX_AGE": 0}
        replica = primary | {"PORT": str(pair.replica_port), "TEST": source["TEST"] | {"MIRROR": "default"},
                             "OPTIONS": {"connect_timeout": 2}}
        with django_db_blocker.unblock():
            before = _swap({"default": primary, REPLICA: replica})
            try:
                wait_for_replay()
                forget_replica_health()
                yield pair
            finally:
                _swap(before)
                forget_replica_health()
    except ClusterError as exc:
        _unavailable(str(exc))
    finally:
        pair.stop()


def scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written."""
    target = scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not scalar(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")
        time.sleep(0.05)


@pytest.fixture
def paused_replay(replica_pair):
    """The replica stops replaying (it still receives WAL) until the test ends."""
    wait_for_replay()
    scalar(REPLICA, "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        scalar(REPLICA, "SELECT pg_wal_replay_resume()")
        forget_replica_health()
