"""Benchmark: the family's access log (innsyn) for one child among millions
of audit events, on PostgreSQL and SQLite.

Run (PostgreSQL):
    createdb -h 127.0.0.1 -U postgres stafett_bench_innsyn
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_bench_innsyn \
        .venv/bin/python tests/load/bench_access_log.py
Run (SQLite):
    STAFETT_SQLITE_PATH=/tmp/stafett_bench_innsyn.sqlite3 \
        .venv/bin/python tests/load/bench_access_log.py
Options: BENCH_EVENTS (default 3 000 000), BENCH_CHILDREN (30 000),
BENCH_TARGET (events of the measured child, 100 000), BENCH_RUNS (7).

It migrates, builds the data once (municipality 9991:
BENCH_EVENTS events over BENCH_CHILDREN children, bulk-inserted, then sealed), then prints
the median of BENCH_RUNS runs of the page's read (stafett.citizen.access_log,
audited like the page) plus rendering its template, for the first page and a
deep page (the keyset cursor half-way down the child's events), and the
query plan of the page's query. Not collected by pytest (tests/load/conftest.py).
"""

import datetime as dt
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

# The template is rendered without a request, so without a CSRF token.
warnings.filterwarnings("ignore", message=r"A \{% csrf_token %\} was used")
EVENTS = int(os.environ.get("BENCH_EVENTS", 3_000_000))
CHILDREN = int(os.environ.get("BENCH_CHILDREN", 30_000))
TARGET = int(os.environ.get("BENCH_TARGET", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 7))
BATCH = 20_000
ACTIONS = [("read", ""), ("list", ""), ("read", "goal"), ("create", "entry"), ("read_pdf", ""),
           ("update", "measure"), ("read_consent", ""), ("read_guardian_copy", "guardian")]


def build():
    from stafett.accounts.models import User
    from stafett.audit.models import AuditEvent
    from stafett.audit.partitions import ensure_partitions
    from stafett.audit.sealer import seal
    from stafett.concerns.models import Child
    from stafett.guides.loader import load_guide
    from stafett.relay.models import Guardian, Relay
    from stafett.tenancy.models import Membership, Municipality, Service

    with scopes_disabled():
        m = Municipality.objects.filter(number="9991").first()
        if m and AuditEvent.objects.filter(municipality=m).count() >= EVENTS:
            relay = Relay.objects.get(municipality=m, child__name="Målbarn")
            return m, relay, User.objects.get(username="bench-guardian")
        m = m or Municipality.objects.create(
            name="Innsyn kommune", number="9991", child_welfare_phone="1", after_hours_name="x",
            after_hours_phone="1")
        services = [Service.objects.get_or_create(municipality=m, name=f"Tjeneste {i}",
                                                  kind="basis" if i < 8 else "hjelpe")[0]
                    for i in range(10)]
        staff = []
        for i in range(50):
            user = User.objects.get_or_create(username=f"bench-staff-{i}", defaults={
                "first_name": f"Ansatt{i}", "last_name": "Benk"})[0]
            Membership.objects.get_or_create(municipality=m, service=services[i % 10], user=user,
                                             defaults={"role": "employee"})
            staff.append(user)
        with scope(municipality=m):
            guide = load_guide(m, "national")
        target = Child.objects.create(municipality=m, name="Målbarn", name_key="målbarn",
                                      birth_date=dt.date(2018, 1, 1))
        now = timezone.now()
        relay = Relay.objects.create(
            municipality=m, child=target, child_name="Målbarn", guide=guide, level=1,
            area_of_concern="-", holder=staff[0], holder_service=services[0], created_at=now,
            created_by=staff[0], last_activity_at=now)
        national_id = "01017012345"
        Guardian.objects.create(municipality=m, child=target, name="Mor Benk", relation="mor",
                                national_id=national_id)
        guardian = User.objects.get_or_create(
            username="bench-guardian",
            defaults={"kind": User.Kind.CITIZEN, "national_id": national_id,
                      "first_name": "Mor", "last_name": "Benk"})[0]
        # Events: the target child's spread evenly through the others', over two years.
        start = now - dt.timedelta(days=730)
        ensure_partitions(since=start.date())  # PostgreSQL: the months of the history
        step = dt.timedelta(days=730) / EVENTS
        every = max(1, EVENTS // TARGET)
        rows, chain_seq = [], 0
        begun = time.perf_counter()
        for i in range(EVENTS):
            is_target = i % every == 0 and i // every < TARGET
            child_id = target.pk if is_target else 10_000_000 + (i * 7919) % CHILDREN
            action, item_type = ACTIONS[i % len(ACTIONS)]
            actor = staff[i % len(staff)]
            chain_seq += 1
            event = AuditEvent(
                municipality_id=m.pk, at=start + step * i, actor_id=actor.pk,
                action=action, object_type="relay", object_id=relay.pk if is_target else i,
                item_type=item_type, item_id=1 if item_type else None, child_id=child_id,
                service_id=services[(i % len(staff)) % 10].pk,
                legal_basis="consent" if i % 3 else "service_duty")
            event.row_hash = event.compute_row_hash()
            rows.append(event)
            if len(rows) == BATCH:
                with transaction.atomic():
                    AuditEvent.objects.bulk_create(rows)
                rows = []
                if chain_seq % 500_000 == 0:
                    print(f"  {chain_seq} events ({time.perf_counter() - begun:.0f} s)", flush=True)
        if rows:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(rows)
        print(f"built {EVENTS} events in {time.perf_counter() - begun:.0f} s", flush=True)
        begun = time.perf_counter()
        sealed = seal(m.pk)
        print(f"sealed {sealed} events in {time.perf_counter() - begun:.0f} s", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE audit_auditevent")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return m, relay, guardian


def timed(fn):
    times = []
    for _ in range(RUNS):
        begun = time.perf_counter()
        fn()
        times.append(time.perf_counter() - begun)
    return statistics.median(times)


def main():
    call_command("migrate", verbosity=0)
    from stafett.audit.models import AuditEvent
    from stafett.citizen import access_log
    from stafett.citizen.actors import build_citizen_actor

    m, relay, guardian = build()
    actor = build_citizen_actor(guardian)
    with scopes_disabled():
        shown = access_log.events_for_child(m.pk, [relay.child_id])
        middle = shown[TARGET // 2 - 1: TARGET // 2].get()
        deep = access_log._cursor(middle)
        total = AuditEvent.objects.filter(municipality=m).count()
        own = AuditEvent.objects.filter(municipality=m, child_id=relay.child_id).count()
    print(f"{connection.vendor}: {total} audit events in the municipality, {own} of the child's")

    def page(cursor=None):
        data = access_log.read_access_log(actor, relay.pk, cursor)
        with translation.override("nb"):
            render_to_string("citizen/access_log.html", {**data, "actor": actor, "nav": ""})
        assert len(data["rows"]) == access_log.PAGE_SIZE

    page()
    print(f"first page: median {timed(page) * 1000:.1f} ms of {RUNS} runs")
    print(f"deep page (event {TARGET // 2} of {TARGET}): median "
          f"{timed(lambda: page(deep)) * 1000:.1f} ms of {RUNS} runs")
    with scopes_disabled():
        at, pk = access_log._parse_cursor(deep)
        query = (access_log.events_for_child(m.pk, [relay.child_id])
                 .filter(at__lte=at).exclude(at=at, pk__gte=pk)
                 .select_related("actor", "service")[:access_log.PAGE_SIZE + 1])
        print("query plan (deep page):")
        print(query.explain())


if __name__ == "__main__":
    main()
