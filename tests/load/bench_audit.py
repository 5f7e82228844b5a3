"""Benchmark: appending audit events from concurrent writers, in one
municipality and across municipalities, and the sealer's throughput.

Run (PostgreSQL only; SQLite serialises every writer anyway):
    createdb -h 127.0.0.1 -U postgres stafett_bench_audit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_bench_audit \
        .venv/bin/python tests/load/bench_audit.py
Options: BENCH_SECONDS per cell (default 3), BENCH_PAGE_MS (default "0,2"):
the rest of an audited page's transaction after its audit row (simulated by
a sleep, so a lock held until commit shows), BENCH_SEAL_ROWS (20 000).

Each writer is a thread with its own connection; each write is one
transaction holding one `record()` call, as an audited page does. Prints
events/s (all writers together) and the mean ms per write, then the
sealer's rows/s where there is a sealer. Not collected by pytest.
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 3))
PAGE_MS = [float(v) for v in os.environ.get("BENCH_PAGE_MS", "0,2").split(",")]
SEAL_ROWS = int(os.environ.get("BENCH_SEAL_ROWS", 20_000))
WRITERS = (1, 2, 4)


def setup():
    from stafett.accounts.models import User
    from stafett.tenancy.models import Municipality, Service

    with scopes_disabled():
        services = []
        for i in range(4):
            m = Municipality.objects.get_or_create(number=f"998{i}", defaults={
                "name": f"Revisjon {i}", "child_welfare_phone": "1", "after_hours_name": "x",
                "after_hours_phone": "1"})[0]
            services.append(Service.objects.get_or_create(
                municipality=m, name="Benk", kind="basis")[0])
        user = User.objects.get_or_create(username="bench-audit")[0]
    return services, SimpleNamespace(user=user)


def run_cell(cases, actor, writers: int, page_ms: float):
    """`writers` threads, thread i auditing cases[i % len(cases)]; returns
    (events/s, mean ms per write)."""
    from stafett.audit.log import record

    stop = time.perf_counter() + SECONDS
    counts, latencies = [0] * writers, [[] for _ in range(writers)]
    barrier = threading.Barrier(writers)

    def writer(i):
        case = cases[i % len(cases)]
        try:
            with scopes_disabled():
                barrier.wait()
                while time.perf_counter() < stop:
                    begun = time.perf_counter()
                    with transaction.atomic():
                        record(actor, "read", case, legal_basis="service_duty", child_id=i)
                        if page_ms:
                            time.sleep(page_ms / 1000)
                    latencies[i].append(time.perf_counter() - begun)
                    counts[i] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    begun = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begun
    every = [x for lat in latencies for x in lat]
    return sum(counts) / elapsed, 1000 * statistics.mean(every)


def bench_sealer(cases, actor):
    try:
        from stafett.audit import sealer
    except ImportError:
        return None
    from stafett.audit.log import record_many

    case = cases[0]
    with scopes_disabled():
        sealer.seal()  # start from a sealed chain
        for start in range(0, SEAL_ROWS, 1000):
            with transaction.atomic():
                record_many(actor, "list", [(case, n, None) for n in range(start, start + 1000)],
                            legal_basis="service_duty")
        begun = time.perf_counter()
        sealed = sealer.seal()
        elapsed = time.perf_counter() - begun
    return sealed, elapsed


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench_audit measures PostgreSQL; set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    cases, actor = setup()
    print(f"PostgreSQL, {os.cpu_count()} cores, {SECONDS:g} s per cell")
    for page_ms in PAGE_MS:
        print(f"\nrest of the page's transaction after the audit row: {page_ms:g} ms")
        print(f"{'writers':>7} | {'one municipality':>24} | {'different municipalities':>24}")
        print(f"{'':>7} | {'events/s':>11} {'ms/write':>12} | {'events/s':>11} {'ms/write':>12}")
        for writers in WRITERS:
            same = run_cell(cases[:1], actor, writers, page_ms)
            apart = run_cell(cases, actor, writers, page_ms)
            print(f"{writers:>7} | {same[0]:>11.0f} {same[1]:>12.2f} | "
                  f"{apart[0]:>11.0f} {apart[1]:>12.2f}", flush=True)
    sealed = bench_sealer(cases, actor)
    if sealed is None:
        print("\nsealer: none (rows are chained at insert)")
    else:
        count, elapsed = sealed
        print(f"\nsealer: {count} rows in {elapsed:.2f} s = {count / elapsed:.0f} rows/s")


if __name__ == "__main__":
    main()
