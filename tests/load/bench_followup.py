"""Benchmark: the follow-up rules on a city with 10 000 open relays (about
50 000 open breaks) and a number of smaller municipalities, on PostgreSQL.

Run:
    createdb -h 127.0.0.1 -U postgres stafett_followup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_followup \
        .venv/bin/python tests/load/bench_followup.py [--small 40]
It migrates, builds the data once (bulk_create; municipality numbers 98xx, 8xxx),
wipes the follow-up's own rows, then times three runs of all municipalities:
the first (every break opens), a steady one (nothing changed) and one after
1% of the city changed (a note by the holder, a measure evaluated, a worry
closed). For each it prints the seconds, the totals, the statements and the
longest single transaction (an atomic block, or one statement outside any).
Not collected by pytest (tests/load/conftest.py).
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

CITY_RELAYS = 10_000
SMALL_RELAYS = 250
SERVICES = 20
NOW = timezone.now().replace(microsecond=0)


def build_municipality(number, relays):
    from stafett.accounts.models import User
    from stafett.concerns.models import Child, Concern
    from stafett.guides.loader import load_guide
    from stafett.relay.models import Consent, Handover, Measure, Relay
    from stafett.tenancy.models import Membership, Municipality, MunicipalityRole, Service

    m = Municipality.objects.filter(number=number).first()
    if m and Relay.objects.filter(municipality=m).count() >= relays:
        return m
    m = m or Municipality.objects.create(name=f"Benk {number}", number=number, child_welfare_phone="1",
                                         after_hours_name="x", after_hours_phone="1")
    services = [Service.objects.get_or_create(municipality=m, name=f"Tjeneste {i}",
                                              kind="basis" if i < 15 else "hjelpe")[0] for i in range(SERVICES)]
    # Per service: an employee who holds the relays, a leader; one in five
    # holders has left (their relays are "holder gone").
    staff = []
    for i, service in enumerate(services):
        holder = User.objects.get_or_create(username=f"b{number}h{i}")[0]
        leader = User.objects.get_or_create(username=f"b{number}l{i}")[0]
        Membership.objects.get_or_create(municipality=m, service=service, user=holder,
                                         defaults={"role": "employee", "active": i % 5 != 0})
        Membership.objects.get_or_create(municipality=m, service=service, user=leader,
                                         defaults={"role": "leader"})
        staff.append(holder)
    coordinator = User.objects.get_or_create(username=f"b{number}c")[0]
    MunicipalityRole.objects.get_or_create(municipality=m, user=coordinator, role="coordinator")
    with scope(municipality=m):
        guide = load_guide(m, "national")
    kids = Child.objects.bulk_create(
        [Child(municipality=m, name=f"x{i}", name_key=f"x{i}", birth_date=dt.date(2012 + i % 10, 1 + i % 12, 1))
         for i in range(relays)], batch_size=5000)
    rows = []
    for i in range(relays):
        created = NOW - dt.timedelta(days=60 + i % 600, hours=i % 24)
        rows.append(Relay(
            municipality=m, child=kids[i], child_name=f"x{i}", guide_id=guide.pk, level=1 + i % 3,
            area_of_concern="-", holder=staff[i % SERVICES], holder_service=services[i % SERVICES],
            created_at=created, created_by=staff[i % SERVICES], last_activity_at=created, status="open"))
    relay_rows = Relay.objects.bulk_create(rows, batch_size=5000)
    today = timezone.localdate(NOW)
    Consent.objects.bulk_create([
        Consent(municipality=m, relay=r, purpose="-", given_on=today - dt.timedelta(days=300),
                # Nine in ten expire within the warning period or have expired.
                valid_until=today + dt.timedelta(days=(i % 40) - 20 if i % 10 else 200),
                method="digital", recorded_by=r.holder, recorded_at=r.created_at)
        for i, r in enumerate(relay_rows)], batch_size=5000)
    Measure.objects.bulk_create([
        Measure(municipality=m, relay=r, what="-", responsible_service=r.holder_service,
                starts_on=today - dt.timedelta(days=50), deadline=today - dt.timedelta(days=1 + i % 9),
                evaluate_on=today - dt.timedelta(days=2 + i % 9), created_by=r.holder, created_at=r.created_at)
        for i, r in enumerate(relay_rows)], batch_size=5000)
    Handover.objects.bulk_create([
        Handover(municipality=m, relay=r, from_user=r.holder, from_service=r.holder_service,
                 to_user=staff[(i + 1) % SERVICES], to_service=services[(i + 1) % SERVICES], note="-",
                 requested_by=r.holder, requested_at=NOW - dt.timedelta(days=3 + i % 10))
        for i, r in enumerate(relay_rows) if i % 10 == 3], batch_size=5000)
    Concern.objects.bulk_create([
        Concern(municipality=m, service=services[i % SERVICES], author=staff[i % SERVICES],
                child=kids[i], child_name=f"x{i}", guide_id=guide.pk, observations="-",
                created_at=NOW - dt.timedelta(days=i % 30), last_activity_at=NOW - dt.timedelta(days=i % 30))
        for i in range(0, relays, 5)], batch_size=5000)
    return m


class TransactionClock:
    """The longest transaction: an outermost atomic block from entry to exit
    (`longest`, where the writes are), and the longest single statement run
    outside any (`longest_read`: autocommit, its own transaction)."""

    def __init__(self):
        self.longest = self.longest_read = 0.0
        self.statements = 0
        self._began = None

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not connection.in_atomic_block:
                self.longest_read = max(self.longest_read, time.perf_counter() - start)

    def install(self):
        clock = self
        enter, exit_ = transaction.Atomic.__enter__, transaction.Atomic.__exit__

        def timed_enter(atomic):
            outermost = not transaction.get_connection(atomic.using).in_atomic_block
            enter(atomic)
            if outermost:
                clock._began = time.perf_counter()

        def timed_exit(atomic, *exc):
            result = exit_(atomic, *exc)
            if not transaction.get_connection(atomic.using).in_atomic_block and clock._began is not None:
                clock.longest = max(clock.longest, time.perf_counter() - clock._began)
                clock._began = None
            return result

        transaction.Atomic.__enter__, transaction.Atomic.__exit__ = timed_enter, timed_exit


def timed_run(label, moment, clock):
    from stafett.followup import engine

    clock.longest = clock.longest_read = 0.0
    clock.statements = 0
    start = time.perf_counter()
    with connection.execute_wrapper(clock):
        totals = engine.run_rules(moment)
    took = time.perf_counter() - start
    print(f"{label:<20} {took:7.2f} s   longest transaction {clock.longest:6.3f} s, statement outside one "
          f"{clock.longest_read:6.3f} s   {clock.statements:5d} statements   {totals}")


def change_one_percent(city):
    """A note by the holder on 1% of the city's relays, an evaluation of 1%
    of its measures, 1% of its worries closed."""
    from stafett.concerns.models import Concern
    from stafett.relay.models import Entry, Evaluation, Measure, Relay

    moment = NOW + dt.timedelta(minutes=5)
    relays = list(Relay.objects.filter(municipality=city, status="open").order_by("pk")[:: 100])
    Entry.objects.bulk_create([
        Entry(municipality=city, relay=r, kind="note", text="-", author_id=r.holder_id,
              author_service_id=r.holder_service_id, created_at=moment) for r in relays])
    Relay.objects.filter(pk__in=[r.pk for r in relays]).update(last_activity_at=moment)
    measures = list(Measure.objects.filter(municipality=city).order_by("-pk")[:: 100])
    Evaluation.objects.bulk_create([
        Evaluation(municipality=city, relay_id=me.relay_id, measure=me, what_happened="-", conclusion="-",
                   created_by_id=me.created_by_id, created_at=moment) for me in measures])
    closed = list(Concern.objects.filter(municipality=city, status="open").order_by("pk")
                  .values_list("pk", flat=True)[:: 100])
    Concern.objects.filter(pk__in=closed).update(status="closed", closed_at=moment)
    return len(relays), len(measures), len(closed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=40, help="smaller municipalities (250 relays each, at most 2000)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL).")
    call_command("migrate", verbosity=0)
    from django.apps import apps

    from stafett.followup.models import Break, Notification
    from stafett.relay.models import Relay

    started = time.perf_counter()
    with scopes_disabled():
        city = build_municipality("9800", CITY_RELAYS)
        for i in range(args.small):
            build_municipality(str(9801 + i) if i < 99 else str(8000 + i), SMALL_RELAYS)
        print(f"data ready in {time.perf_counter() - started:.0f} s: "
              f"{Relay.objects.filter(status='open').count()} open relays in all")
        # Every run starts from no follow-up rows at all, and fresh data.
        Notification.objects.all().delete()
        Break.objects.all().delete()
        for name in ("RuleRun",):  # the rules' own bookkeeping, where it exists
            try:
                apps.get_model("followup", name).objects.all().delete()
            except LookupError:
                pass
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE") if not connection.in_atomic_block else None
        clock = TransactionClock()
        clock.install()
        timed_run("first run", NOW, clock)
        with connection.cursor() as cursor:
            # What autovacuum does after a table grows this much; without it the
            # planner still believes the break table empty.
            cursor.execute("ANALYZE")
        with scope(municipality=city):
            print(f"open breaks in the city: {Break.objects.filter(municipality=city, mended_at__isnull=True).count()}")
        timed_run("steady run", NOW + dt.timedelta(minutes=1), clock)
        timed_run("steady run again", NOW + dt.timedelta(minutes=2), clock)
        changed = change_one_percent(city)
        print(f"changed: {changed[0]} relays noted, {changed[1]} measures evaluated, {changed[2]} worries closed")
        timed_run("after 1% changed", NOW + dt.timedelta(minutes=10), clock)
        # Undo the change so the next run of the benchmark starts alike.
        from stafett.concerns.models import Concern
        from stafett.relay.models import Entry, Evaluation
        Entry.objects.filter(relay__municipality=city, created_at__gte=NOW).delete()
        Evaluation.objects.filter(relay__municipality=city, created_at__gte=NOW).delete()
        Concern.objects.filter(municipality=city, closed_at__gte=NOW).update(status="open", closed_at=None)


if __name__ == "__main__":
    main()
