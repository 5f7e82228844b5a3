"""Benchmark: the relay list's page and count for people in a city of 10 000
open relays among 100 000, on PostgreSQL — the old `holder = me OR
EXISTS(covered participation)` filter beside `visible_relays` as it is now
(`pk IN (held UNION shared)`), timed with EXPLAIN ANALYZE, with JIT on and off.

Run:
    createdb -h 127.0.0.1 -U postgres stafett_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_bench \
        .venv/bin/python tests/load/bench_relay_list.py
It migrates, builds the city once (municipality 9991: 20 services, 400 staff,
each relay with two participating services and a consent in force covering
them), and prints the median execution time of each query. Not collected by
pytest (tests/load/conftest.py).
"""

import datetime as dt
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

OPEN, TOTAL, SERVICES, STAFF, RUNS = 10_000, 100_000, 20, 400, 7


def build():
    from stafett.accounts.models import User
    from stafett.concerns.models import Child
    from stafett.guides.loader import load_guide
    from stafett.relay.models import Consent, Participant, Relay
    from stafett.tenancy.models import Membership, Municipality, Service

    with scopes_disabled():
        m = Municipality.objects.filter(number="9991").first()
        if m and Relay.objects.filter(municipality=m).count() >= TOTAL:
            return m
        assert m is None, "a half-built city 9991: drop the database and run again"
        m = Municipality.objects.create(name="Storby kommune", number="9991", child_welfare_phone="1",
                                        after_hours_name="x", after_hours_phone="1")
        services = Service.objects.bulk_create([
            Service(municipality=m, name=f"Tjeneste {i}", kind="basis" if i < 15 else "hjelpe")
            for i in range(SERVICES)])
        staff = User.objects.bulk_create([User(username=f"storby{i}") for i in range(STAFF)])
        # Person i works in service i % 20; the first person of each service leads it.
        Membership.objects.bulk_create([
            Membership(municipality=m, service=services[i % SERVICES], user=u,
                       role="leader" if i < SERVICES else "employee")
            for i, u in enumerate(staff)])
        with scope(municipality=m):
            guide = load_guide(m, "national")
        now, today = timezone.now(), timezone.localdate()
        kids = Child.objects.bulk_create(
            [Child(municipality=m, name=f"s{i}", name_key=f"s{i}", birth_date=dt.date(2016, 1, 1))
             for i in range(TOTAL // 4)], batch_size=5000)
        relays = []
        for i in range(TOTAL):
            closed = i >= OPEN
            created = now - dt.timedelta(days=i % 900, hours=i % 24)
            relays.append(Relay(
                municipality=m, child=kids[i % len(kids)], guide_id=guide.pk, level=1 + i % 3,
                area_of_concern="-", holder=staff[i % STAFF], holder_service=services[i % STAFF % SERVICES],
                created_at=created, created_by=staff[i % STAFF], last_activity_at=created,
                status="closed" if closed else "open",
                closed_at=created + dt.timedelta(days=1) if closed else None,
                closing_reason="goal_reached" if closed else ""))
        relays = Relay.objects.bulk_create(relays, batch_size=5000)
        participants, consents = [], []
        for i, relay in enumerate(relays):
            # The holder's service and one other, the other with a named person.
            other = (i * 7 + 3) % STAFF
            participants.append(Participant(municipality=m, relay=relay, service_id=relay.holder_service_id,
                                            user=relay.holder, joined_at=relay.created_at))
            participants.append(Participant(municipality=m, relay=relay, service=services[other % SERVICES],
                                            user=staff[other], joined_at=relay.created_at))
            consents.append(Consent(
                municipality=m, relay=relay, purpose="-", given_on=today, method="digital",
                valid_until=today + dt.timedelta(days=365 if i % 10 else -5),  # one in ten expired
                recorded_by=relay.holder, recorded_at=relay.created_at))
        Participant.objects.bulk_create(participants, batch_size=5000)
        consents = Consent.objects.bulk_create(consents, batch_size=5000)
        through = Consent.services.through
        through.objects.bulk_create([
            through(consent_id=c.pk, service_id=p.service_id)
            for c, pair in zip(consents, zip(participants[::2], participants[1::2], strict=True), strict=True)
            for p in pair], batch_size=10000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return m


def old_visible(actor):
    """The filter before issue 12, for comparison."""
    from stafett.relay.models import Relay
    from stafett.relay.policy import covered_participations

    # The old form: the participation correlated with the outer relay.
    return Relay.objects.filter(
        Q(holder=actor.user, holder_service_id__in=actor.service_ids)
        | Q(Exists(covered_participations(actor, OuterRef("pk"))))
    )


def sql_of(run):
    """The SQL statement `run` sends, parameters filled in."""
    with CaptureQueriesContext(connection) as queries:
        run()
    return queries[-1]["sql"]


def explain_ms(sql, jit):
    times = []
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {'on' if jit else 'off'}")
        for _ in range(RUNS):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
            times.append(sum(float(x) for x in re.findall(r"(?:Planning|Execution) Time: ([\d.]+) ms", text)))
        cursor.execute("RESET jit")
    return statistics.median(times), "JIT:" in text


def page_and_count(visible):
    """The list view's two statements: one page, and the paginator's count."""
    queryset = (visible.filter(status="open").select_related("child", "holder", "holder_service")
                .order_by("-last_activity_at", "-pk"))
    return (sql_of(lambda: list(queryset[:25])), sql_of(queryset.count)), queryset.count()


def main():
    from stafett.accounts.models import User
    from stafett.relay.policy import visible_relays
    from stafett.tenancy.actors import build_actor

    assert connection.vendor == "postgresql", "PostgreSQL only"
    call_command("migrate", verbosity=0)
    m = build()
    people = {"an employee": "storby100", "a service leader": "storby3"}
    print(f"city: {OPEN} open relays among {TOTAL}; plan+execution ms, median of {RUNS} EXPLAIN ANALYZE")
    print(f"{'who':18} {'query':6} {'filter':7} {'jit on':>8} {'jit off':>8}  {'rows':>5}")
    with scope(municipality=m):
        for who, username in people.items():
            actor = build_actor(User.objects.get(username=username))
            for label, visible in (("before", old_visible(actor)), ("after", visible_relays(actor, status="open"))):
                (page, count_sql), count = page_and_count(visible)
                for query, sql in (("page", page), ("count", count_sql)):
                    on, compiled = explain_ms(sql, jit=True)
                    off, _ = explain_ms(sql, jit=False)
                    print(f"{who:18} {query:6} {label:7} {on:8.2f} {off:8.2f}  {count:5}"
                          + ("  (JIT compiled)" if compiled else ""))
            assert set(old_visible(actor).values_list("pk", flat=True)) == set(
                visible_relays(actor).values_list("pk", flat=True)), "the two filters disagree"


if __name__ == "__main__":
    main()
