"""Who is refused at the pages of a relay: missing and forbidden both answer
404, the relay is absent from their list, and anonymous people are sent to log
in. Mirrors tests/relay/test_policy.py at the level of views."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.relay import actions
from stafett.relay.models import Participant
from stafett.tenancy.models import Membership
from tests.conftest import _user, nb

from .helpers import make_relay

# Every page of one relay, as (url name, extra args).
PAGES = ["detail", "acute", "guardians", "consent", "extend_consent", "withdraw_consent",
         "participants", "handover", "close", "pdf", "guardian_copy"]
READ_PAGES = ["detail", "acute", "pdf", "guardian_copy"]


def get(world, user, name, relay):
    client = world.client_for(user)
    return client.get(reverse(f"relay:{name}", args=[relay.pk]))


def listed(world, user, relay) -> bool:
    client = world.client_for(user)
    response = client.get(reverse("relay:mine"))
    assert response.status_code == 200
    return relay in response.context["relays"]


def assert_refused(world, user, relay, pages=PAGES):
    for name in pages:
        assert get(world, user, name, relay).status_code == 404, name
    assert not listed(world, user, relay)


@pytest.fixture
def relay(world):
    relay, _ = make_relay(world)  # consent: the health station and the school
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee, task="Kontaktlærer")
    return relay


def test_covered_participant_reads_but_is_refused_the_holders_pages(world, relay):
    for name in READ_PAGES:
        assert get(world, world.other_employee, name, relay).status_code == 200, name
    assert listed(world, world.other_employee, relay)
    for name in PAGES:
        if name not in READ_PAGES:
            assert get(world, world.other_employee, name, relay).status_code == 404, name


def test_a_service_not_covered_by_the_consent_is_refused(world, relay):
    adult_worker = _user("anders", "Anders", "Voksensen")
    with scopes_disabled():
        Membership.objects.create(municipality=world.fjordvik, service=world.adult_service,
                                  user=adult_worker, role="employee")
        # Taking part without the consent covering the service (e.g. data from before a change).
        Participant.objects.create(municipality=world.fjordvik, relay=relay, service=world.adult_service,
                                   user=adult_worker, joined_at=timezone.now())
    assert_refused(world, adult_worker, relay)


def test_every_other_service_is_refused_after_the_consent_is_withdrawn(world, relay):
    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(world.actor(world.health_nurse), relay, reason="Familien trakk samtykket.")
    assert_refused(world, world.other_employee, relay)
    assert_refused(world, world.other_leader, relay)
    # The holder keeps the service's own record.
    assert get(world, world.health_nurse, "detail", relay).status_code == 200


def test_every_other_service_is_refused_when_the_consent_has_expired(world, relay):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with scopes_disabled():
        relay.consents.update(given_on=yesterday - dt.timedelta(days=30), valid_until=yesterday)
    assert_refused(world, world.other_employee, relay)
    assert nb("No consent in force.") in get(world, world.health_nurse, "detail", relay).content.decode()


def test_a_former_participant_is_refused(world, relay):
    with scope(municipality=world.fjordvik):
        participant = relay.participants.get(user=world.other_employee)
        actions.remove_participant(world.actor(world.health_nurse), participant)
    assert_refused(world, world.other_employee, relay)


@pytest.mark.parametrize("who", ["teacher", "leader", "coordinator", "outsider"])
def test_people_outside_the_relay_are_refused(world, relay, who):
    user = getattr(world, who)
    for name in PAGES:
        assert get(world, user, name, relay).status_code == 404, name
    if who != "outsider":
        assert not listed(world, user, relay)


def test_the_other_municipality_is_refused_everything(world, relay):
    client = world.client_for(world.outsider)
    with scope(municipality=world.fjordvik):
        handover = actions.request_handover(world.actor(world.health_nurse), relay,
                                            to_user=world.other_employee, to_service=world.school,
                                            note="Skolen tar over.")
        guardian = relay.child.guardians.first()
    for path in [
        reverse("relay:respond_to_handover", args=[relay.pk, handover.pk]),
        reverse("relay:guardian_copy", args=[relay.pk]) + f"?foresatt={guardian.pk}",
    ]:
        assert client.get(path).status_code == 404
    assert client.post(reverse("relay:cancel_handover", args=[relay.pk, handover.pk])).status_code == 404
    with scopes_disabled():
        handover.refresh_from_db()
    assert handover.status == "pending"


def test_anonymous_is_sent_to_log_in(client, world, relay):
    for name in [*PAGES, "mine", "new"]:
        args = [] if name in ("mine", "new") else [relay.pk]
        response = client.get(reverse(f"relay:{name}", args=args))
        assert response.status_code == 302 and "/konto/logg-inn/" in response.url, name


def test_writes_by_someone_refused_change_nothing(world, relay):
    olav = world.client_for(world.other_employee)
    with scopes_disabled():
        participant = relay.participants.get(user=world.health_nurse)
    assert olav.post(reverse("relay:withdraw_consent", args=[relay.pk]), {"reason": "x"}).status_code == 404
    assert olav.post(reverse("relay:remove_participant", args=[relay.pk, participant.pk])).status_code == 404
    assert olav.post(reverse("relay:close", args=[relay.pk]), {
        "version": relay.version, "reason": "goal_reached", "summary": "x"}).status_code == 404
    with scopes_disabled():
        relay.refresh_from_db()
        assert relay.is_open and relay.consents.filter(withdrawn_at__isnull=True).exists()


def test_a_handover_is_answered_only_by_the_person_asked(world, relay):
    with scope(municipality=world.fjordvik):
        handover = actions.request_handover(world.actor(world.health_nurse), relay,
                                            to_user=world.other_employee, to_service=world.school,
                                            note="Skolen tar over.")
    path = reverse("relay:respond_to_handover", args=[relay.pk, handover.pk])
    # The school's leader sees the relay, but was not asked.
    assert world.client_for(world.other_leader).get(path).status_code == 404
    assert world.client_for(world.other_leader).post(path, {"decision": "accept"}).status_code == 404
    assert handover not in world.client_for(world.other_leader).get(reverse("relay:mine")).context["waiting"]


def test_a_start_from_someone_elses_worry_is_refused(world):
    from stafett.concerns import actions as concern_actions
    from tests.concerns.helpers import make_concern

    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        concern_actions.decide(world.actor(world.teacher), concern, version=concern.version,
                               outcome="level1", reason="Nivå 1.")
    path = reverse("relay:start_from_concern", args=[concern.pk])
    for user in (world.colleague, world.health_nurse, world.outsider):
        assert world.client_for(user).post(path, {"level": "1", "area_of_concern": "x"}).status_code == 404
