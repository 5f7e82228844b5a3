"""Every table the leadership view publishes — page, CSV and XLSX, every
period, the coordinator's and every leader's — read back as strings and put
into one LP audit: no hidden count may be narrowed to fewer than three values
by any reader, or by readers comparing what they got."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.catalog.models import CatalogMeasure
from stafett.concerns.models import Child, Concern
from stafett.followup.models import Break, Rule
from stafett.relay import actions as relay_actions
from stafett.relay.models import Consent, LevelChange, Measure, Relay
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.conftest import _user
from tests.relay.helpers import make_relay

from .auditor import Auditor, assert_unnarrowable
from .published import (
    PERIODS,
    Knowledge,
    add_reader,
    add_relations,
    csv_grids,
    page_grids,
    trend_points,
    xlsx_grids,
)

URL = "/ledelse/"


@pytest.fixture
def readers(world):
    """Cora (the whole municipality), Leif (the kindergarten), Lise (the
    school), and Tove, who leads both the health station and the adult
    service, so her totals are a subtotal nobody else sees."""
    with scopes_disabled():
        world.two_service_leader = _user("tove", "Tove", "Tjenestesen")
        for service in (world.health_station, world.adult_service):
            Membership.objects.create(municipality=world.fjordvik, service=service,
                                      user=world.two_service_leader, role="leader")
    return [world.coordinator, world.leader, world.other_leader, world.two_service_leader]


def _ago(now, days):
    return now - dt.timedelta(days=days, hours=1)


def fill(world, *, seed=0, concerns=60, relays=45):
    """Two years of made-up work in every service, mostly in small numbers:
    worries and relays started, decided, changed level and closed at
    scattered times, consents naming one or two services, and open breaks."""
    rng = random.Random(seed)
    now = timezone.now()
    services = [world.kindergarten, world.school, world.health_station, world.adult_service]
    template = make_concern(world)
    first, _parents = make_relay(world)
    with scope(municipality=world.fjordvik):
        meeting = relay_actions.plan_meeting(world.actor(world.health_nurse), first, kind="planning",
                                             place="Helsestasjonen", starts_at=now)
        kids = Child.objects.bulk_create([
            # Each its own birth date: they are different children by any matching rule.
            Child(municipality=world.fjordvik, name=f"Tall {i}",
                  birth_date=dt.date(2014, 1, 1) + dt.timedelta(days=i))
            for i in range(concerns + relays)
        ])
        worries = []
        for kid in kids[:concerns]:
            created = _ago(now, rng.randrange(0, 720))
            decided = rng.random() < 0.5
            worries.append(Concern(
                municipality=world.fjordvik, service=rng.choice(services), author=template.author,
                child=kid, guide=template.guide, observations="-", created_at=created,
                last_activity_at=created,
                outcome=rng.choice(["close", "level1", "level2", "level3"]) if decided else "",
                decided_at=created + dt.timedelta(days=rng.randrange(0, 30)) if decided else None,
            ))
        worries = Concern.objects.bulk_create(worries)
        started = []
        for kid in kids[concerns:]:
            created = _ago(now, rng.randrange(0, 720))
            closed = rng.random() < 0.4
            started.append(Relay(
                municipality=world.fjordvik, child=kid, guide_id=first.guide_id, level=rng.choice([1, 2, 3]),
                area_of_concern="-", holder_id=first.holder_id, holder_service=rng.choice(services),
                created_at=created, created_by_id=first.holder_id, last_activity_at=created,
                status="closed" if closed else "open",
                closed_at=min(now, created + dt.timedelta(days=rng.randrange(1, 200))) if closed else None,
            ))
        started = Relay.objects.bulk_create(started)
        changes, consents = [], []
        for relay in started:
            if rng.random() < 0.4:
                src = rng.choice([lv for lv in (1, 2, 3) if lv != relay.level])
                changes.append(LevelChange(
                    municipality=world.fjordvik, relay=relay, meeting=meeting, from_level=src,
                    to_level=relay.level, reason="-", decided_by_id=first.holder_id,
                    decided_at=relay.created_at + dt.timedelta(days=rng.randrange(0, 60)),
                ))
            if relay.status == "open" and rng.random() < 0.6:
                consents.append(Consent(
                    municipality=world.fjordvik, relay=relay, purpose="-",
                    given_on=now.date() - dt.timedelta(days=5),
                    valid_until=now.date() + dt.timedelta(days=100), method="digital",
                    recorded_by_id=first.holder_id, recorded_at=now,
                ))
        LevelChange.objects.bulk_create([c for c in changes if c.decided_at <= now])
        for consent in Consent.objects.bulk_create(consents):
            extra = [rng.choice(services)] if rng.random() < 0.5 else []
            consent.services.set({consent.relay.holder_service, *extra})
        catalogue = [CatalogMeasure.objects.create(
            municipality=world.fjordvik, key=f"m{i}", name=f"Tiltak {i}", service=services[i],
            access="referral") for i in range(3)]
        Measure.objects.bulk_create([
            Measure(municipality=world.fjordvik, relay=relay, what="-", catalog_measure=rng.choice(catalogue),
                    responsible_service=relay.holder_service, starts_on=now.date(), deadline=now.date(),
                    evaluate_on=now.date(), created_by_id=first.holder_id,
                    created_at=_ago(now, rng.randrange(0, 720)))
            for relay in started if rng.random() < 0.5])
        ChildWelfareReport.objects.bulk_create([
            ChildWelfareReport(municipality=world.fjordvik, child=worry.child, concern=worry,
                               service=worry.service, reporter_id=first.holder_id, status="sent",
                               created_at=worry.created_at, sent_at=worry.created_at + dt.timedelta(days=1))
            for worry in Concern.objects.filter(pk__in=[w.pk for w in worries if w.pk])
            if rng.random() < 0.3 and worry.created_at + dt.timedelta(days=1) < now])
        Break.objects.bulk_create([
            Break(municipality=world.fjordvik, rule=rng.choice(["relay_idle", "consent_expiring"]),
                  object_type="relay", object_id=relay.pk, relay=relay,
                  service=relay.holder_service, opened_at=now)
            for relay in started if relay.status == "open" and rng.random() < 0.5
        ])


def audit_everything(world, readers):
    """Fetch every published table of every reader and period in every
    format, check they agree, and audit them all as one system."""
    auditor = Auditor()
    everyone = None
    coordinator = world.client_for(world.coordinator).get(URL, {"maneder": 24}).content.decode()
    labels = {}
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            labels |= {str(label): value for value, label in Rule.choices}
    know = Knowledge(points=trend_points(), idle_days=14,
                     measures={g.key: g for g in page_grids(coordinator)[0]}["catalog_usage"].labels[:-1],
                     break_kinds=list(Rule.values), break_labels=labels)
    for user in readers:
        client = world.client_for(user)
        for period in PERIODS:
            response = client.get(URL, {"maneder": period})
            assert response.status_code == 200
            page, offered = page_grids(response.content.decode())
            assert tuple(offered) == PERIODS  # the auditor covers every choice offered
            keys = [g.key for g in page]
            text = client.get(reverse("insights:csv"), {"maneder": period}).getvalue().decode()
            workbook = client.get(reverse("insights:xlsx"), {"maneder": period}).getvalue()
            formats = {"page": page, "csv": csv_grids(text, keys), "xlsx": xlsx_grids(workbook)}
            for name, grids in formats.items():
                for grid, shown in zip(grids, page, strict=True):
                    assert grid.cells == shown.cells or not shown.cells, (name, grid.key)
                by_key = {g.key[:31]: g for g in grids} | {g.key: g for g in grids}
                if everyone is None:  # the coordinator comes first and sees every service
                    everyone = by_key["started_by_service"].labels[:-1]
                add_reader(auditor, {g.key: g for g in page} | {k: by_key[k[:31]] for k in keys},
                           period, everyone, f"{user.username}/{period}/{name}", know)
    add_relations(auditor, everyone, know)
    return auditor


def test_every_published_table_together_is_unnarrowable(world, readers):
    fill(world, seed=1)
    assert_unnarrowable(audit_everything(world, readers))


def test_the_finding_as_data(world, readers):
    """The shape of the finding, from the database: the kindergarten 12
    worries, one relay on level 1 and two on level 2; the school and the
    health station one relay each. The old suppression published the
    kindergarten's total 15 beside the grand total 17."""
    for i in range(12):
        make_concern(world, name=f"Barn Nummer{i}", serial=i)
    for i, (service, level) in enumerate(((world.kindergarten, 1), (world.kindergarten, 2),
                                          (world.kindergarten, 2), (world.school, 1),
                                          (world.health_station, 2))):
        relay, _parents = make_relay(world, level=level, consent_services=[],
                                     name=f"Stafettbarn Nummer{i}")
        with scope(municipality=world.fjordvik):
            Relay.objects.filter(pk=relay.pk).update(holder_service=service)
    page, _offered = page_grids(world.client_for(world.coordinator).get(URL).content.decode())
    table = next(g for g in page if g.key == "started_by_service")
    row = table.cells[table.labels.index(world.kindergarten.name)]
    assert row[1] == row[2] == "<5"
    assert not (row[-1] == "15" and table.cells[-1][-1] == "17")  # what gave the two 1s away
    assert_unnarrowable(audit_everything(world, readers), integer=True)
