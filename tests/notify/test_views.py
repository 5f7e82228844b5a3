"""/varsler/: my notices, newest first, paginated; marking read; the badge.
Nobody else's notices, ever; no child's name on the page."""

from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from stafett.followup.context_processors import badge
from stafett.notify import outbox
from stafett.notify.models import Notice
from stafett.tenancy.actors import build_actor
from tests.conftest import nb
from tests.relay.helpers import make_relay

from .conftest import notices_of

LIST = reverse("notify:list")


def _tell(world, user, kind, about=None, municipality=None):
    municipality = municipality or world.fjordvik
    with scope(municipality=municipality), transaction.atomic():
        return outbox.tell(user, kind, municipality=municipality, about=about)


def test_my_notices_newest_first_with_a_link_and_no_child(world, clock):
    relay, _ = make_relay(world)
    _tell(world, world.other_employee, "participant_added", about=relay)
    clock.advance(minutes=5)
    _tell(world, world.other_employee, "meeting_invited", about=relay)
    response = world.client_for(world.other_employee).get(LIST)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    meeting = text.index(nb("You have been invited to a meeting about a relay."))
    added = text.index(nb("You have been added as a participant in a relay."))
    assert meeting < added
    assert reverse("relay:detail", args=[relay.pk]) in text
    assert "Ella" not in text and "Strandvik" not in text


def test_the_list_is_paginated(world, settings):
    settings.STAFETT_PAGE_SIZE = 3
    for _ in range(4):
        _tell(world, world.teacher, "meeting_invited")
    client = world.client_for(world.teacher)
    first = client.get(LIST).content.decode()
    assert first.count(nb("You have been invited to a meeting about a relay.")) == 3
    second = client.get(LIST + "?side=2").content.decode()
    assert second.count(nb("You have been invited to a meeting about a relay.")) == 1
    assert client.get(LIST + "?side=999").status_code == 200
    assert client.get(LIST + "?side=x").status_code == 200


def test_mark_one_and_all_as_read(world):
    first = _tell(world, world.teacher, "meeting_invited")
    _tell(world, world.teacher, "participant_added")
    client = world.client_for(world.teacher)
    response = client.post(reverse("notify:read", args=[first.pk]), {"side": "1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?side=1"
    assert client.get(reverse("notify:read", args=[first.pk])).status_code == 405
    states = {n.pk: n.read_at is not None for n in notices_of(world, world.teacher)}
    assert states[first.pk] and sum(states.values()) == 1
    client.post(reverse("notify:read_all"))
    assert all(n.read_at for n in notices_of(world, world.teacher))
    assert nb("Mark all as read") not in client.get(LIST).content.decode()


def test_nobody_else_sees_or_marks_my_notices(world):
    mine = _tell(world, world.teacher, "handover_offered")
    for other in (world.leader, world.colleague, world.coordinator):
        client = world.client_for(other)
        assert nb("You are asked to take over as holder of a relay.") not in \
            client.get(LIST).content.decode()
        assert client.post(reverse("notify:read", args=[mine.pk])).status_code == 404
        client.post(reverse("notify:read_all"))
    assert notices_of(world, world.teacher)[0].read_at is None
    # Per in Åsheim: refused the same way
    per = world.client_for(world.outsider)
    assert per.post(reverse("notify:read", args=[mine.pk])).status_code == 404
    assert per.post(reverse("notify:read", args=[10**12])).status_code == 404


def test_the_page_is_for_staff_only(world, client):
    assert client.get(LIST).status_code == 302  # to the login page
    assert world.client_for(world.operator).get(LIST).status_code == 404  # no municipality


def test_notices_stay_in_their_municipality(world):
    """A person working in two municipalities sees, in each, only its notices."""
    from stafett.tenancy.models import Membership

    with scopes_disabled():
        asheim_school = world.outsider.memberships.get().service
        Membership.objects.create(municipality=world.asheim, service=asheim_school,
                                  user=world.teacher, role="employee")
    _tell(world, world.teacher, "meeting_invited", municipality=world.asheim)
    _tell(world, world.teacher, "participant_added")
    client = world.client_for(world.teacher)
    text = client.get(LIST).content.decode()  # acting in Fjordvik (the first)
    assert nb("You have been added as a participant in a relay.") in text
    assert nb("You have been invited to a meeting about a relay.") not in text
    with scopes_disabled():
        asheim_notice = Notice.objects.get(municipality=world.asheim)
    assert client.post(reverse("notify:read", args=[asheim_notice.pk])).status_code == 404


def test_the_badge_counts_unread_notices_in_one_query(world):
    for _ in range(3):
        _tell(world, world.teacher, "meeting_invited")
    read = _tell(world, world.teacher, "participant_added")
    with scopes_disabled():
        Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    _tell(world, world.leader, "meeting_invited")
    request = RequestFactory().get("/")
    request.user = world.teacher
    request.actor = build_actor(world.teacher, world.fjordvik.pk)
    with CaptureQueriesContext(connection) as queries:
        assert badge(request)["notice_badge"] == 3
    assert len(queries) == 1
    text = world.client_for(world.teacher).get(reverse("home"), follow=True).content.decode()
    with translation.override("nb"):
        expected = translation.ngettext("%(n)s new notification", "%(n)s new notifications", 3)
    assert expected % {"n": 3} in text and not expected.startswith("%(n)s new")
    request.user, request.actor = world.coordinator, build_actor(world.coordinator)
    assert badge(request)["notice_badge"] == 0
