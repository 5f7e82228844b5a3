"""Who has completed the introduction: the leader for the services they lead,
the BTI coordinator for every service; completion only, and 404 to others."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.accounts.models import User
from stafett.onboarding import actions
from stafett.onboarding.models import Part, PartCompletion
from stafett.onboarding.parts import ORDER
from stafett.onboarding.status import completion_by_service
from stafett.tenancy.models import Membership

from .helpers import answers, part_url

STATUS = reverse("onboarding:status")


def _complete(world, user, parts=ORDER):
    client = world.client_for(user)
    for part in parts:
        assert client.post(part_url(part), answers(world, user, part)).status_code == 302


def _rows(page: str) -> dict[str, str]:
    """Name -> the row's text, from the people table (the page's second)."""
    rows = {}
    people = page.split("<table>")[2] if page.count("<table>") > 1 else ""
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", people, re.S):
        rows[row[0].strip()] = " ".join(re.sub(r"<[^>]+>", " ", row[1]).split())
    return rows


def test_the_leader_sees_who_in_her_service_has_completed(world):
    _complete(world, world.teacher)
    _complete(world, world.colleague, ORDER[:2])
    page = world.client_for(world.leader).get(STATUS)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    rows = _rows(page.content.decode())
    today = timezone.localdate()
    assert "Kari Lærersen" in rows and str(today.year) in rows["Kari Lærersen"]
    assert "Kasper Kollegasen" in rows and "2" in rows["Kasper Kollegasen"]
    assert "Leif Styrersen" in rows
    # Only her own service's people.
    assert "Olav Skolesen" not in rows
    # The per-service count: one of three.
    assert "Solsikken barnehage</th><td>1</td><td>3</td>" in page.content.decode()


def test_the_coordinator_sees_every_service_with_a_count(world):
    _complete(world, world.teacher)
    _complete(world, world.other_employee)
    page = world.client_for(world.coordinator).get(STATUS).content.decode()
    assert "Solsikken barnehage</th><td>1</td><td>3</td>" in page
    assert "Bakken skole</th><td>1</td><td>2</td>" in page
    assert "Helsestasjonen</th><td>0</td><td>0</td>" in page
    rows = _rows(page)
    assert {"Kari Lærersen", "Olav Skolesen", "Lise Rektorsen"} <= set(rows)
    # Narrowed to one service.
    school = world.client_for(world.coordinator).get(STATUS, {"tjeneste": world.school.pk})
    assert set(_rows(school.content.decode())) == {"Olav Skolesen", "Lise Rektorsen"}


def test_others_are_refused_or_see_only_their_own(world):
    _complete(world, world.teacher)
    for user in (world.teacher, world.colleague, world.other_employee):
        assert world.client_for(user).get(STATUS).status_code == 404
    # Lise leads the school: the kindergarten's people are not hers to see,
    # not even when she asks for the kindergarten by its id.
    lise = world.client_for(world.other_leader)
    for query in ({}, {"tjeneste": world.kindergarten.pk}):
        rows = _rows(lise.get(STATUS, query).content.decode())
        assert "Kari Lærersen" not in rows and "Leif Styrersen" not in rows
    # Per leads a school in Åsheim: he sees his own, nothing of Fjordvik.
    page = world.client_for(world.outsider).get(STATUS).content.decode()
    assert "Kari Lærersen" not in page and "Solsikken" not in page
    assert "Per Åsheimsen" in _rows(page)


def test_an_inactive_membership_drops_out(world):
    _complete(world, world.colleague)
    with scopes_disabled():
        Membership.objects.filter(user=world.colleague).update(active=False)
    page = world.client_for(world.leader).get(STATUS).content.decode()
    assert "Kasper Kollegasen" not in _rows(page)
    assert "Solsikken barnehage</th><td>0</td><td>2</td>" in page
    # A closed account counts no more than an ended membership.
    world.teacher.is_active = False
    world.teacher.save()
    page = world.client_for(world.leader).get(STATUS).content.decode()
    assert "Kari Lærersen" not in _rows(page)


def test_completion_by_service_for_the_council_report(world):
    _complete(world, world.teacher)
    _complete(world, world.colleague, ORDER[:3])
    _complete(world, world.other_leader)
    with scope(municipality=world.fjordvik):
        with CaptureQueriesContext(connection) as queries:
            rows = completion_by_service(world.fjordvik)
    assert len(queries) <= 3
    assert [(r.service_name, r.active_members, r.completed) for r in rows] == [
        ("Bakken skole", 2, 1), ("Helsestasjonen", 0, 0),
        ("Psykisk helse og rus", 0, 0), ("Solsikken barnehage", 3, 1),
    ]
    assert rows[0].service_id == world.school.pk
    # Åsheim's own count knows nothing of Fjordvik's completions.
    with scope(municipality=world.asheim):
        assert [(r.active_members, r.completed) for r in completion_by_service(world.asheim)] == [(1, 0)]


def test_completing_is_idempotent(world):
    with scope(municipality=world.fjordvik):
        first = actions.complete_part(world.actor(world.teacher), Part.ACUTE)
        again = actions.complete_part(world.actor(world.teacher), Part.ACUTE)
        assert first.pk == again.pk and first.completed_at == again.completed_at
        assert PartCompletion.objects.filter(user=world.teacher).count() == 1


def _employees(world, n, start=0):
    """n more employees of the kindergarten, every other one completed."""
    with scopes_disabled():
        users = User.objects.bulk_create([
            User(username=f"ansatt{i}", first_name="Ansatt", last_name=f"{i:04d}")
            for i in range(start, start + n)
        ])
        Membership.objects.bulk_create([
            Membership(municipality=world.fjordvik, service=world.kindergarten, user=u, role="employee")
            for u in users
        ])
        now = timezone.now()
        PartCompletion.objects.bulk_create([
            PartCompletion(municipality=world.fjordvik, user=u, part=p,
                           completed_at=now - dt.timedelta(minutes=i))
            for i, u in enumerate(users[::2]) for p in Part.values
        ])


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_status_page_makes_the_same_queries_with_10_and_500_employees(world):
    _employees(world, 10)
    clients = [world.client_for(world.leader), world.client_for(world.coordinator)]
    urls = [STATUS, f"{STATUS}?side=2", f"{STATUS}?tjeneste={world.kindergarten.pk}"]
    small = [_count(c, u) for c in clients for u in urls]
    _employees(world, 490, start=10)
    large = [_count(c, u) for c in clients for u in urls]
    assert small == large
    # One page of people at a time.
    assert len(_rows(clients[1].get(STATUS).content.decode())) == 50
