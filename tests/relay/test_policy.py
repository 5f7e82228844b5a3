"""Who sees a relay: the holder always; participants only as far as a consent
in force covers their service; nobody else."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from stafett.relay import actions
from stafett.relay.models import Consent
from stafett.relay.policy import relay_actions, visible_relays

from .helpers import make_relay

# Action messages are checked in their English source form.
pytestmark = pytest.mark.usefixtures("english")


def _sees(world, user, relay, municipality=None):
    with scope(municipality=municipality or world.fjordvik):
        actor = world.actor(user, municipality)
        return visible_relays(actor).filter(pk=relay.pk).exists() and "view" in relay_actions(actor, relay)


def _join(world, relay, user, service):
    with scope(municipality=world.fjordvik):
        return actions.add_participant(world.actor(world.health_nurse), relay, service=service, user=user)


def test_holder_and_covered_participant_see_it(world):
    relay, _ = make_relay(world)
    _join(world, relay, world.other_employee, world.school)
    assert _sees(world, world.health_nurse, relay)
    assert _sees(world, world.other_employee, relay)
    assert _sees(world, world.other_leader, relay)  # leads a participating, covered service


@pytest.mark.parametrize("who", ["teacher", "leader", "colleague", "coordinator", "other_employee"])
def test_not_participating_sees_nothing(world, who):
    relay, _ = make_relay(world)
    assert not _sees(world, getattr(world, who), relay)


def test_service_not_covered_cannot_be_added_or_see(world):
    relay, _ = make_relay(world, consent_services=None)
    with scope(municipality=world.fjordvik), pytest.raises(Exception, match="Extend the consent"):
        actions.add_participant(world.actor(world.health_nurse), relay,
                                service=world.kindergarten, user=world.teacher)
    assert not _sees(world, world.teacher, relay)


def test_withdrawal_stops_sharing_at_once(world):
    relay, _ = make_relay(world)
    _join(world, relay, world.other_employee, world.school)
    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(world.actor(world.health_nurse), relay, reason="Familien ønsker ikke mer samarbeid.")
    assert not _sees(world, world.other_employee, relay)
    assert not _sees(world, world.other_leader, relay)
    assert _sees(world, world.health_nurse, relay)  # the holder keeps her own record
    with scope(municipality=world.fjordvik):
        assert relay.entries.filter(event="consent_withdrawn", text__contains="Familien ønsker").exists()


def test_expiry_stops_sharing(world):
    relay, _ = make_relay(world)
    _join(world, relay, world.other_employee, world.school)
    with scope(municipality=world.fjordvik):
        Consent.objects.filter(relay=relay).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert not _sees(world, world.other_employee, relay)


def test_former_participant_loses_access(world):
    relay, _ = make_relay(world)
    participant = _join(world, relay, world.other_employee, world.school)
    with scope(municipality=world.fjordvik):
        actions.remove_participant(world.actor(world.health_nurse), participant)
    assert not _sees(world, world.other_employee, relay)


def test_other_municipality_and_operator_see_nothing(world):
    relay, _ = make_relay(world)
    assert not _sees(world, world.outsider, relay, world.asheim)
    with scope(municipality=world.fjordvik):
        assert not visible_relays(world.actor(world.operator)).exists()
