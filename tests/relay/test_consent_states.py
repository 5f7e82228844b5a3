"""Consent means exactly what the newest record says (issue 8, point 2): a
new consent supersedes the one it replaces from the moment it is recorded, so
a service it leaves out loses access in the same request; its participants are
shown as no longer covered; and the follow-up rules read the same state."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.access.states import CONSENT, ConsentState
from stafett.relay import actions
from stafett.relay.models import Consent, Entry
from stafett.relay.policy import consent_state, consents_in_force, covered_service_ids

from .helpers import make_relay


def _consent(world, relay, parents, services, days=365):
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        return actions.give_consent(
            world.actor(world.health_nurse), relay, guardians=parents, child_consents=False,
            services=services, purpose="Samarbeid.", given_on=today,
            valid_until=today + dt.timedelta(days=days), method="digital",
        )


def _with_olav(world):
    relay, parents = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee)
    return relay, parents


def test_a_narrower_consent_ends_the_left_out_service_access_at_once(world, english):
    """The first consent covered the school until next year; the family now
    consents for the health station only. Olav (school) and Lise (its leader)
    are refused in the very next request, although the old consent's end date
    has not come."""
    relay, parents = _with_olav(world)
    detail = reverse("relay:detail", args=[relay.pk])
    assert world.client_for(world.other_employee).get(detail).status_code == 200
    _consent(world, relay, parents, [world.health_station], days=30)
    for person in (world.other_employee, world.other_leader):
        assert world.client_for(person).get(detail).status_code == 404, person
    assert world.client_for(world.health_nurse).get(detail).status_code == 200
    with scope(municipality=world.fjordvik):
        assert covered_service_ids(relay) == {world.health_station.pk}
        states = [consent_state(c) for c in relay.consents.order_by("recorded_at", "pk")]
        assert states == [ConsentState.SUPERSEDED, ConsentState.IN_FORCE]
        narrowed = Entry.objects.get(relay=relay, event="consent_narrowed")
        assert "Bakken skole" in narrowed.display_text

    # The holder sees the school's participant as no longer covered.
    page = world.client_for(world.health_nurse).get(reverse("relay:participants", args=[relay.pk]))
    olav = next(p for p in page.context["participants"] if p.user_id == world.other_employee.pk)
    assert olav.covered is False


def test_an_extension_covers_more_and_only_one_consent_is_in_force(world):
    relay, parents = make_relay(world, consent_services=[world.health_station])
    _consent(world, relay, parents, [world.health_station, world.school, world.kindergarten])
    with scope(municipality=world.fjordvik):
        assert consents_in_force().filter(relay=relay).count() == 1
        assert covered_service_ids(relay) == {world.health_station.pk, world.school.pk,
                                              world.kindergarten.pk}
        newest = relay.consents.order_by("-recorded_at", "-pk").first()
        assert newest.supersedes is not None


def test_the_database_keeps_one_open_consent_per_relay(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        current = Consent.objects.get(relay=relay)
        with pytest.raises(IntegrityError), transaction.atomic():
            Consent.objects.create(
                municipality=world.fjordvik, relay=relay, purpose="Dobbelt.",
                given_on=current.given_on, valid_until=current.valid_until, method="digital",
                recorded_by=world.health_nurse, recorded_at=timezone.now(),
            )


def test_each_state_and_what_it_allows(world):
    relay, parents = make_relay(world)
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        first = Consent.objects.get(relay=relay)
        assert consent_state(first) == ConsentState.IN_FORCE
        assert consent_state(first, today + dt.timedelta(days=400)) == ConsentState.EXPIRED
    _consent(world, relay, parents, [world.health_station])
    with scope(municipality=world.fjordvik):
        first.refresh_from_db()
        assert consent_state(first) == ConsentState.SUPERSEDED
        actions.withdraw_consent(world.actor(world.health_nurse), relay, reason="Familien trekker det.")
        states = {consent_state(c) for c in relay.consents.all()}
    assert states == {ConsentState.SUPERSEDED, ConsentState.WITHDRAWN}
    # Only a consent in force shares; nothing but an expired one may be renewed.
    assert CONSENT.states_allowing("share") == [ConsentState.IN_FORCE]
    assert CONSENT.states_allowing("renew") == [ConsentState.EXPIRED]
    assert not CONSENT.actions(ConsentState.SUPERSEDED)
