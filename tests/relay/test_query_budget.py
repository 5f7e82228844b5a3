"""The relay's pages make the same number of queries whatever the size of the
log: the overview and the guardians' copy fetch one page of the timeline, and
the list one page of relays."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.relay import actions
from stafett.relay.models import Entry

from .helpers import make_relay


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _entries(world, relay, n, start=0):
    """n entries, some of them corrections, as the content pages would leave."""
    with scope(municipality=world.fjordvik):
        now = timezone.now()
        entries = Entry.objects.bulk_create([
            Entry(municipality=world.fjordvik, relay=relay, kind=("note", "bright_spot", "goal")[i % 3],
                  text=f"Innslag {i}", author=world.health_nurse, author_service=world.health_station,
                  created_at=now + dt.timedelta(seconds=i))
            for i in range(start, start + n)
        ])
        for entry in entries[::5]:
            actions.correct_entry(world.actor(world.health_nurse), entry, text=f"{entry.text} (rettet)")


def test_overview_and_guardians_copy_are_bounded(world):
    relay, parents = make_relay(world, guardians=2)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee)
    _entries(world, relay, 5)
    with scope(municipality=world.fjordvik):
        first = Entry.objects.filter(relay=relay).order_by("pk").first()
        actions.withhold_entry(world.actor(world.health_nurse), first, guardian=parents[1], reason="Vern.")
    nurse, olav = world.client_for(world.health_nurse), world.client_for(world.other_employee)
    detail = reverse("relay:detail", args=[relay.pk])
    copy = reverse("relay:guardian_copy", args=[relay.pk]) + f"?foresatt={parents[1].pk}"
    urls = [(nurse, detail), (olav, detail), (nurse, detail + "?type=note"), (nurse, copy), (olav, copy)]
    small = [_count(c, u) for c, u in urls]
    _entries(world, relay, 495, start=5)
    large = [_count(c, u) for c, u in urls]
    assert small == large
    # The overview: the request's own (session, person, places, second
    # factor, menu badges), the relay and its audit row, then one statement
    # each for consents, their services, their parties, handovers,
    # participants, the guide's steps with the relay's progress, the
    # timeline's count and page, guardians, inclusion requests and reports.
    # A participant's access is asked of the database where the holder's is
    # not (covered_participations): when the relay is loaded, for the page's
    # actions (which the report section reuses), and for the service she
    # would report for.
    assert small[:3] == [20, 22, 20]


def test_relay_list_is_bounded(world):
    for i in range(3):
        make_relay(world, name=f"Barn {i}")
    nurse = world.client_for(world.health_nurse)
    small = _count(nurse, reverse("relay:mine"))
    for i in range(3, 40):
        make_relay(world, name=f"Barn {i}", consent_services=[])
    assert _count(nurse, reverse("relay:mine")) == small
    # The page's own queries: the second factor, the handovers waiting, the
    # page's ids, its rows, their audit rows, the person's requests to take
    # part (docs/performance-notes.md). Whether they may start one comes
    # with the actor (the kinds of their services).
    assert small == 12
