"""Benchmark: the leadership view's aggregates (and, when present, the
follow-up rule evaluation) for one municipality with 10 000 open relays and
100 000 closed ones, on PostgreSQL.

It measures the direct computation (what every request did before the
snapshot, kept as the reference), the worker's refresh of the snapshot, and
the page as a reader gets it from the snapshot: the coordinator and a
leader, through Django's test client (no web server), p50 and p95.

Run:
    createdb -h 127.0.0.1 -U postgres stafett_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_bench \
        .venv/bin/python tests/load/bench_insights.py
It migrates, (re)builds the data once (municipality 9990), and prints the
median of several runs. Not collected by pytest (tests/load/conftest.py).
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

OPEN, CLOSED, RUNS, PAGE_RUNS = 10_000, 100_000, 5, 200


def build():
    from stafett.accounts.models import User
    from stafett.concerns.models import Child
    from stafett.guides.loader import load_guide
    from stafett.relay.models import Relay
    from stafett.tenancy.models import Municipality, Service

    with scopes_disabled():
        m = Municipality.objects.filter(number="9990").first()
        if m and Relay.objects.filter(municipality=m).count() >= OPEN + CLOSED:
            return m
        m = m or Municipality.objects.create(name="Benk kommune", number="9990", child_welfare_phone="1",
                                             after_hours_name="x", after_hours_phone="1")
        services = [Service.objects.get_or_create(municipality=m, name=f"Tjeneste {i}",
                                                  kind="basis" if i < 15 else "hjelpe")[0] for i in range(20)]
        user = User.objects.get_or_create(username="benk")[0]
        with scope(municipality=m):
            guide = load_guide(m, "national")
        now = timezone.now()
        kids = Child.objects.bulk_create(
            # One row per child (docs/one-child.md): each its own name key.
            [Child(municipality=m, name=f"x{i}", name_key=f"x{i}", birth_date=dt.date(2018, 1, 1))
             for i in range(OPEN)],
            batch_size=5000)
        rows = []
        for i in range(OPEN + CLOSED):
            closed = i >= OPEN
            created = now - dt.timedelta(days=i % 700, hours=i % 24)
            rows.append(Relay(
                municipality=m, child=kids[i % OPEN], guide_id=guide.pk, level=1 + i % 3, area_of_concern="-",
                holder=user, holder_service=services[i % 20], created_at=created, created_by=user,
                last_activity_at=created, status="closed" if closed else "open",
                closed_at=created + dt.timedelta(days=1 + i % 200) if closed else None,
                closing_reason="goal_reached" if closed else ""))
        Relay.objects.bulk_create(rows, batch_size=5000)
    return m


def timed(fn):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pages(m, ids):
    """The page read from the snapshot, as the coordinator and as a leader."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stafett.accounts.models import User
    from stafett.insights import snapshot
    from stafett.tenancy.models import Membership, MunicipalityRole

    with scopes_disabled():
        m.require_two_factor = False
        m.save(update_fields=["require_two_factor"])
        coordinator = User.objects.get_or_create(username="benk-koordinator")[0]
        MunicipalityRole.objects.get_or_create(municipality=m, user=coordinator, role="coordinator")
        # A leader for this run only: the direct figures above are measured without one.
        leader = User.objects.get_or_create(username="benk-leder")[0]
        membership = Membership.objects.create(municipality=m, service_id=min(ids), user=leader, role="leader")
    try:
        with scope(municipality=m):
            print(f"snapshot refresh (every reader, period and language; reads, then one write): "
                  f"median {timed(lambda: snapshot.refresh(m)):.3f} s")
            connection.queries_log.clear()  # a full log would count nothing
            with CaptureQueriesContext(connection) as q:
                snapshot.dashboard(m, ids, 12)
            print(f"snapshot read (the page's data), 12 months: median "
                  f"{statistics.median(_times(lambda: snapshot.dashboard(m, ids, 12), PAGE_RUNS)) * 1000:.1f} ms,"
                  f" {len(q)} queries")
        for name, user in (("coordinator", coordinator), ("leader, one service", leader)):
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            assert client.get("/ledelse/").status_code == 200
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as q:
                client.get("/ledelse/")
            times = sorted(_times(lambda client=client: client.get("/ledelse/"), PAGE_RUNS))
            print(f"page /ledelse/ ({name}, 12 months, from the snapshot): p50 "
                  f"{statistics.median(times) * 1000:.1f} ms, p95 {times[int(0.95 * len(times)) - 1] * 1000:.1f} ms,"
                  f" {len(q)} queries")
    finally:
        with scopes_disabled():
            membership.delete()


def _times(fn, runs):
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main():
    call_command("migrate", verbosity=0)
    m = build()
    from stafett.insights.aggregates import dashboard
    from stafett.tenancy.models import Service

    with scope(municipality=m):
        ids = set(Service.objects.filter(municipality=m).values_list("pk", flat=True))
        for months in (12, 24):
            print(f"direct computation (the reference), {months} months: median "
                  f"{timed(lambda months=months: dashboard(m, ids, months)):.3f} s")
        one = {min(ids)}
        median = timed(lambda: dashboard(m, one))
        print(f"direct computation, one service (leader): median {median:.3f} s")
    pages(m, ids)
    if "--pages" in sys.argv:
        return
    try:
        from stafett.followup import engine
    except ImportError:
        print("follow-up rules: not available")
        return
    with scope(municipality=m):
        now = timezone.now()
        print(f"follow-up rule evaluation: median {timed(lambda: engine.evaluate(m, now)):.3f} s")


if __name__ == "__main__":
    main()
