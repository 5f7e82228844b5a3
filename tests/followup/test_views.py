"""The "Needs attention" list, marking read, and the badge."""

from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.followup.context_processors import badge
from stafett.followup.models import Notification
from stafett.notify.context_processors import unread_notices
from stafett.tenancy.actors import build_actor
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.conftest import nb
from tests.relay.helpers import make_relay

from .conftest import evaluate

LIST = reverse("followup:list")


def _notification(world, user):
    with scope(municipality=world.fjordvik):
        return Notification.objects.filter(user=user).first()


def test_the_author_sees_the_worry_named_and_linked(world, clock, english):
    concern = make_concern(world)
    evaluate(world, clock.at(15))
    response = world.client_for(world.teacher).get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert nb("A worry on level 0 has had no activity for too long") in text
    assert "Ella Strandvik" in text
    assert reverse("concerns:detail", args=[concern.pk]) in text


def test_the_coordinator_of_a_leaderless_service_may_appoint_but_not_read(world, clock, english):
    """The health station has no leader: when its holder leaves, the
    coordinator is linked to the appointment, which names the child, never
    to the log itself."""
    relay, _ = make_relay(world)
    with scopes_disabled():
        Membership.objects.filter(user=world.health_nurse).update(active=False)
    evaluate(world, clock.at(1))
    text = world.client_for(world.coordinator).get(LIST).content.decode()
    assert nb("The holder of a relay has left the service or lost access") in text
    assert "Helsestasjonen" in text
    assert reverse("relay:appoint", args=[relay.pk]) in text
    assert f'href="{reverse("relay:detail", args=[relay.pk])}"' not in text


def test_the_list_shows_only_open_notifications(world, clock, english):
    concern = make_concern(world)
    evaluate(world, clock.at(15))
    from stafett.concerns import actions

    with scope(municipality=world.fjordvik):
        actions.close_concern(world.actor(world.teacher), concern, version=concern.version, reason="Ok.")
    evaluate(world, clock.at(16))
    text = world.client_for(world.teacher).get(LIST).content.decode()
    assert "Ella" not in text
    assert nb("Nothing needs your attention now.") in text


def test_mark_as_read(world, clock):
    make_concern(world)
    evaluate(world, clock.at(15))
    notification = _notification(world, world.teacher)
    client = world.client_for(world.teacher)
    response = client.post(reverse("followup:read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("followup:read", args=[notification.pk])).status_code == 405


def test_another_persons_notification_is_404(world, clock):
    make_concern(world)
    evaluate(world, clock.at(15))
    notification = _notification(world, world.teacher)
    url = reverse("followup:read", args=[notification.pk])
    for user in (world.leader, world.colleague, world.coordinator, world.outsider):
        assert world.client_for(user).post(url).status_code == 404, user
    assert world.client_for(world.teacher).post(reverse("followup:read", args=[999999])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_others_do_not_see_my_notifications(world, clock):
    make_concern(world)
    evaluate(world, clock.at(15))
    for user in (world.leader, world.colleague, world.outsider):
        text = world.client_for(user).get(LIST).content.decode()
        assert "Ella" not in text


def test_anonymous_and_non_staff_are_refused(world, clock):
    from django.test import Client

    assert Client().get(LIST).status_code == 302
    assert world.client_for(world.operator).get(LIST).status_code == 404


def _badge_for(world, user):
    request = RequestFactory().get("/")
    request.user = user
    request.actor = build_actor(user, world.fjordvik.pk)
    with CaptureQueriesContext(connection) as queries:
        value = badge(request)["followup_badge"]
    return value, len(queries)


def test_badge_counts_open_unread_in_one_query(world, clock):
    make_concern(world)
    make_concern(world, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(15))
    assert _badge_for(world, world.teacher) == (2, 1)
    with scopes_disabled():
        first = Notification.objects.filter(user=world.teacher).first()
        Notification.objects.filter(pk=first.pk).update(read_at=clock.at(15))
    assert _badge_for(world, world.teacher) == (1, 1)
    assert _badge_for(world, world.leader) == (0, 1)
    assert _badge_for(world, world.operator) == (0, 0)


def test_the_menu_shows_the_count_and_no_count_once_read(world, clock):
    make_concern(world)
    make_concern(world, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(15))
    client = world.client_for(world.teacher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<a class="badge" href="/oppfolging/">2 need attention</a>' in client.get(LIST).content.decode()
    with scopes_disabled():
        Notification.objects.filter(user=world.teacher).update(read_at=clock.at(15))
    assert '<a href="/oppfolging/">Needs attention</a>' in client.get(LIST).content.decode()


def test_the_list_does_a_bounded_number_of_queries(world, clock):
    make_relay(world)
    evaluate(world, clock.at(400))
    client = world.client_for(world.health_nurse)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for i in range(4):
        make_relay(world, name=f"Barn {i}")
    evaluate(world, clock.at(401))
    with CaptureQueriesContext(connection) as many:
        text = client.get(LIST).content.decode()
    assert "Barn 3" in text
    assert len(many) == len(few) == 11


def test_both_menu_badges_are_counted_in_one_query(world, clock):
    make_concern(world)
    evaluate(world, clock.at(15))
    request = RequestFactory().get("/")
    request.user = world.teacher
    request.actor = build_actor(world.teacher, world.fjordvik.pk)
    with scopes_disabled():
        notices = unread_notices(world.teacher, world.fjordvik).count()
    with CaptureQueriesContext(connection) as queries:
        assert badge(request) == {"followup_badge": 1, "notice_badge": notices}
    assert len(queries) == 1


def test_each_row_names_and_links_its_case(world, clock):
    concern = make_concern(world)
    evaluate(world, clock.at(15))
    html = world.client_for(world.teacher).get(LIST).content.decode()
    link = reverse("concerns:detail", args=[concern.pk])
    assert f'<a href="{link}">{nb("Worry about %(name)s", name="Ella Strandvik")}</a>' in html
