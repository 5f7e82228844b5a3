"""The schedule page (the coordinator's only) and the legal hold page (the
holder's and the leaders' who see the case): who succeeds, who is refused
(404, nothing recorded), and bad input."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.retention import actions
from stafett.retention.models import LegalHold, RetentionSchedule
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.conftest import _user, nb
from tests.relay.helpers import make_relay

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("retention:schedule")


def _form(schedule, **changes):
    data = {name: schedule.months(name.removesuffix("_months")) for name in RetentionSchedule.FIELDS}
    data["version"] = schedule.version
    data.update(changes)
    return data


def _schedule(world):
    with scope(municipality=world.fjordvik):
        return actions.schedule_for(world.fjordvik)


def _events(**lookup):
    with scopes_disabled():
        return AuditEvent.objects.filter(**lookup).count()


def test_the_coordinator_edits_the_schedule(world):
    client = world.client_for(world.coordinator)
    page = client.get(SCHEDULE)
    assert page.status_code == 200
    assert nb("How long records are kept") in page.content.decode()
    response = client.post(SCHEDULE, _form(_schedule(world), relay_archived_months=24))
    assert response.status_code == 302
    with scopes_disabled():
        schedule = RetentionSchedule.objects.get(municipality=world.fjordvik)
    assert schedule.relay_archived_months == 24 and schedule.updated_by == world.coordinator
    assert _events(action="update_retention_schedule", object_id=schedule.pk) == 1


@pytest.mark.parametrize("who", ["teacher", "leader", "colleague", "other_leader", "outsider"])
def test_everyone_else_is_refused_the_schedule(world, who):
    client = world.client_for(getattr(world, who))
    before = _schedule(world)
    assert client.get(SCHEDULE).status_code == 404
    assert client.post(SCHEDULE, _form(before, relay_archived_months=0)).status_code == 404
    with scopes_disabled():
        assert RetentionSchedule.objects.get(pk=before.pk).relay_archived_months == 3


def test_the_operator_and_strangers_are_refused_the_schedule(world):
    assert world.client_for(world.operator).get(SCHEDULE).status_code == 404
    from django.test import Client
    assert Client().get(SCHEDULE).status_code == 302  # to the login


@pytest.mark.parametrize("bad", ["-1", "tre", "", "1201", "1e3", "99999999999999999999"])
def test_bad_periods_get_a_message_and_save_nothing(world, bad):
    client = world.client_for(world.coordinator)
    schedule = _schedule(world)
    page = client.post(SCHEDULE, _form(schedule, notice_months=bad))
    assert page.status_code == 200
    assert "error-summary" in page.content.decode()
    with scopes_disabled():
        assert RetentionSchedule.objects.get(pk=schedule.pk).notice_months == 6


def test_a_stale_form_is_refused(world):
    client = world.client_for(world.coordinator)
    schedule = _schedule(world)
    stale = _form(schedule, notice_months=2)
    assert client.post(SCHEDULE, _form(schedule, notice_months=9)).status_code == 302
    page = client.post(SCHEDULE, stale)
    assert page.status_code == 200
    with scopes_disabled():
        assert RetentionSchedule.objects.get(pk=schedule.pk).notice_months == 9


# --- legal holds ---------------------------------------------------------------------


@pytest.fixture
def cases(world):
    """A relay held by Helga at the health station, whose leader is Hanne;
    and a worry Kari shared with Leif."""
    with scopes_disabled():
        world.health_leader = _user("hanne", "Hanne", "Helseleder")
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=world.health_leader, role="leader")
    relay, _parents = make_relay(world)
    concern = make_concern(world, shared=True)
    return relay, concern


def _hold_url(kind, case):
    return reverse(f"retention:{kind}_hold", args=[case.pk])


@pytest.mark.parametrize("kind,who", [
    ("relay", "health_nurse"), ("relay", "health_leader"), ("concern", "leader"),
])
def test_the_holder_and_the_leaders_set_and_lift_a_hold(world, cases, kind, who):
    case = cases[0] if kind == "relay" else cases[1]
    client = world.client_for(getattr(world, who))
    url = _hold_url(kind, case)
    page = client.get(url)
    assert page.status_code == 200 and nb("Set a legal hold") in page.content.decode()
    assert client.post(url, {"reason": "complaint"}).status_code == 302
    with scopes_disabled():
        hold = LegalHold.objects.get(child_id=case.child_id, lifted_at__isnull=True)
        assert hold.set_by == getattr(world, who) and hold.reason == "complaint"
        assert AuditEvent.objects.filter(action="legal_hold_set", item_type="legalhold",
                                         item_id=hold.pk, child_id=case.child_id).exists()
    page = client.get(url)
    assert nb("Lift the legal hold") in page.content.decode()
    assert client.post(url, {"lift_reason": "concluded"}).status_code == 302
    with scopes_disabled():
        hold.refresh_from_db()
        assert hold.lifted_at and hold.lifted_by == getattr(world, who)
        assert AuditEvent.objects.filter(action="legal_hold_lifted", item_id=hold.pk).exists()


@pytest.mark.parametrize("kind,who", [
    ("relay", "teacher"), ("relay", "leader"), ("relay", "other_employee"),
    ("relay", "other_leader"), ("relay", "coordinator"), ("relay", "outsider"),
    ("relay", "operator"),
    ("concern", "teacher"), ("concern", "colleague"), ("concern", "other_leader"),
    ("concern", "coordinator"), ("concern", "outsider"), ("concern", "health_nurse"),
])
def test_those_who_may_not_are_refused_and_nothing_is_recorded(world, cases, kind, who):
    case = cases[0] if kind == "relay" else cases[1]
    client = world.client_for(getattr(world, who))
    url = _hold_url(kind, case)
    before = _events()
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "complaint"}).status_code == 404
    assert _events() == before
    with scopes_disabled():
        assert not LegalHold.objects.exists()


def test_the_school_leader_is_refused_even_when_the_consent_names_the_school(world, cases):
    """The consent covers the school, but the school does not take part: no
    case of hers, no hold."""
    relay = cases[0]
    assert world.client_for(world.other_leader).get(_hold_url("relay", relay)).status_code == 404


def test_a_hold_needs_a_reason_and_is_set_once(world, cases):
    relay = cases[0]
    client = world.client_for(world.health_nurse)
    url = _hold_url("relay", relay)
    for bad in ({}, {"reason": "whim"}, {"reason": "<script>"}):
        page = client.post(url, bad)
        assert page.status_code == 200 and "error-summary" in page.content.decode()
    with scopes_disabled():
        assert not LegalHold.objects.exists()
        LegalHold.objects.create(municipality=world.fjordvik, child=relay.child, reason="legal",
                                 set_at=timezone.now(), set_by=world.health_nurse)
    # The page now offers to lift; a stale "set" form posted again is refused.
    page = client.post(url, {"reason": "complaint"})
    assert page.status_code == 200
    with scopes_disabled():
        assert LegalHold.objects.count() == 1


def test_the_link_shows_only_to_those_who_may(world, cases):
    relay, concern = cases
    link = nb("Legal hold: keep the child's data")
    assert link in world.client_for(world.health_nurse).get(
        reverse("relay:detail", args=[relay.pk])).content.decode()
    assert link in world.client_for(world.leader).get(
        reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert link not in world.client_for(world.teacher).get(
        reverse("concerns:detail", args=[concern.pk])).content.decode()
