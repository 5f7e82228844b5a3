"""How far behind the replica is: run by hand, prints figures (docs/scaling.md).

    .venv/bin/python -m tests.replica.bench_lag

Starts the tests' throwaway primary and replica (tests/replica/cluster.py:
fsync off, so this is the replay and network path, not the disks), commits
single rows on the primary with synchronous_commit on and measures how long
until each is visible on the replica; then times the router's health check.
"""

from __future__ import annotations

import time

import psycopg

from tests.replica.cluster import start_pair

ROWS = 300


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return f"p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, max {values[-1]:.2f} ms"


def main() -> None:
    import django

    django.setup()
    from stafett.lib.replica import LAG_SQL

    pair = start_pair()
    try:
        dsn = "host=127.0.0.1 user=postgres dbname=postgres port={}"
        with psycopg.connect(dsn.format(pair.primary_port), autocommit=True) as primary, \
                psycopg.connect(dsn.format(pair.replica_port), autocommit=True) as replica:
            primary.execute("SET synchronous_commit = on")
            primary.execute("CREATE TABLE probe (id int PRIMARY KEY, pad text)")
            time.sleep(0.5)
            visible = []
            for i in range(ROWS):
                primary.execute("INSERT INTO probe VALUES (%s, repeat('x', 200))", [i])
                start = time.perf_counter()
                while not replica.execute("SELECT EXISTS (SELECT 1 FROM probe WHERE id = %s)", [i]).fetchone()[0]:
                    pass
                visible.append((time.perf_counter() - start) * 1000)
            checks = []
            for _ in range(ROWS):
                start = time.perf_counter()
                replica.execute(LAG_SQL).fetchone()
                checks.append((time.perf_counter() - start) * 1000)
        print(f"commit to visible on the replica, {ROWS} single-row commits: {_percentiles(visible)}")
        print(f"the router's health check (LAG_SQL): {_percentiles(checks)}")
    finally:
        pair.stop()


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")
    main()
