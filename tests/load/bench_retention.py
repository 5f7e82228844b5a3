"""Benchmark: the retention worker over a backlog of archived relays, on
PostgreSQL and SQLite: time per relay, and that memory and statements per
batch stay flat however large the backlog.

Run (PostgreSQL):
    createdb -h 127.0.0.1 -U postgres stafett_bench_retention
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_bench_retention \
        .venv/bin/python tests/load/bench_retention.py
Run (SQLite):
    STAFETT_SQLITE_PATH=/tmp/stafett_bench_retention.sqlite3 \
        .venv/bin/python tests/load/bench_retention.py
Options: BENCH_SIZES (default "1000,10000": backlogs measured one after the
other, each in a fresh municipality), BENCH_ENTRIES (entries per relay, 10),
BENCH_BATCH (200).

For each size it bulk-inserts that many closed relays (one child and
guardian each, a goal, a measure, a consent, a participant, BENCH_ENTRIES
entries) with an archive receipt a year old, then runs
`engine.run_municipality` once under tracemalloc and counts the statements of
each batch. It prints the time, relays per second, the peak of Python
memory, the largest batch's statement count, and checks the audit chain.
Not collected by pytest (tests/load/conftest.py).
"""

import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from stafett.accounts.models import User  # noqa: E402
from stafett.archive.models import ArchiveDelivery  # noqa: E402
from stafett.audit.log import verify_chain  # noqa: E402
from stafett.concerns.models import Child  # noqa: E402
from stafett.guides.loader import load_guide  # noqa: E402
from stafett.relay.models import (  # noqa: E402
    Consent,
    Entry,
    Goal,
    Guardian,
    Measure,
    Participant,
    Relay,
)
from stafett.retention import engine  # noqa: E402
from stafett.tenancy.models import Municipality, Service  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
ENTRIES = int(os.environ.get("BENCH_ENTRIES", 10))
BATCH = int(os.environ.get("BENCH_BATCH", 200))
INSERT = 2000


def build(size: int, number: str):
    with scopes_disabled():
        m = Municipality.objects.create(name=f"Sletting {number}", number=number,
                                        child_welfare_phone="1", after_hours_name="x",
                                        after_hours_phone="1")
        service = Service.objects.create(municipality=m, name="Helsestasjonen", kind="hjelpe")
        holder = User.objects.get_or_create(username="bench-holder",
                                            defaults={"first_name": "Helga"})[0]
        with scope(municipality=m):
            guide = load_guide(m, "national")
        now = timezone.now()
        old = now - dt.timedelta(days=365)
        today = now.date()
        for start in range(0, size, INSERT):
            n = min(INSERT, size - start)
            with transaction.atomic():
                children = Child.objects.bulk_create([
                    Child(municipality=m, name=f"Barn {start + i}", name_key=f"barn {start + i}",
                          birth_date=dt.date(2018, 1, 1)) for i in range(n)])
                Guardian.objects.bulk_create([
                    Guardian(municipality=m, child=c, name="Forelder", relation="mor",
                             phone="40000000") for c in children])
                relays = Relay.objects.bulk_create([
                    Relay(municipality=m, child=c, child_name=c.name, guide=guide, level=1,
                          area_of_concern="Søvn", status="closed", holder=holder,
                          holder_service=service, created_at=old, created_by=holder,
                          last_activity_at=old, closed_at=old, closed_by=holder,
                          closing_reason="goal_reached", closing_summary="Bra")
                    for c in children])
                goals = Goal.objects.bulk_create([
                    Goal(municipality=m, relay=r, title="Sove", indicator="Uthvilt",
                         created_by=holder, created_at=old) for r in relays])
                Measure.objects.bulk_create([
                    Measure(municipality=m, relay=r, goal=g, what="Leggetid",
                            responsible_service=service, starts_on=today, deadline=today,
                            evaluate_on=today, created_by=holder, created_at=old)
                    for r, g in zip(relays, goals, strict=True)])
                Consent.objects.bulk_create([
                    Consent(municipality=m, relay=r, purpose="Samarbeid", given_on=today,
                            valid_until=today, method="digital", recorded_by=holder,
                            recorded_at=old) for r in relays])
                Participant.objects.bulk_create([
                    Participant(municipality=m, relay=r, service=service, user=holder,
                                joined_at=old) for r in relays])
                Entry.objects.bulk_create([
                    Entry(municipality=m, relay=r, kind="note", text="Notat", author=holder,
                          author_service=service, created_at=old)
                    for r in relays for _e in range(ENTRIES)])
                ArchiveDelivery.objects.bulk_create([
                    ArchiveDelivery(municipality=m, source="relay", source_id=r.pk,
                                    status="archived", queued_at=old, archived_at=old)
                    for r in relays])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return m


class Statements:
    """Counts the statements of each transaction (one batch)."""

    def __init__(self):
        self.current, self.batches = 0, []

    def __call__(self, execute, sql, params, many, context):
        self.current += 1
        if sql.strip().upper().startswith(("COMMIT", "RELEASE")):
            self.batches.append(self.current)
            self.current = 0
        return execute(sql, params, many, context)


def main():
    # Django keeps the last 9000 statements in memory under DEBUG (the
    # development default): that would be measured, not the worker.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}; {ENTRIES} entries per relay; batch {BATCH}")
    for index, size in enumerate(SIZES):
        number = f"98{index + 10:02d}"
        with scopes_disabled():
            Municipality.objects.filter(number=number).exists() and sys.exit(
                f"municipality {number} exists: use a fresh database")
        m = build(size, number)
        counter = Statements()
        tracemalloc.start()
        begun = time.perf_counter()
        with connection.execute_wrapper(counter):
            totals = engine.run_municipality(m, batch=BATCH)
        elapsed = time.perf_counter() - begun
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with scopes_disabled():
            intact = verify_chain(m.pk) is None
        print(f"{size:>7} relays: {elapsed:7.1f} s, {size / elapsed:6.0f} relays/s, "
              f"peak {peak / 2**20:5.1f} MiB, at most {max(counter.batches or [0])} statements "
              f"per transaction, {totals.counts}, chain intact: {intact}", flush=True)


if __name__ == "__main__":
    main()
