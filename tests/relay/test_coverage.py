"""Whether the consent in force covers a participation is kept by the
database (Participant.covered_until, migration relay 0011), whatever writes
the consent, its services or the participation: the actions, or anything
around them (the admin, a data migration, a hand-written UPDATE). Each test
names the person who sees the relay and the person refused after the write,
through the pages themselves."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.relay import actions
from stafett.relay.models import Consent, Participant
from stafett.relay.policy import visible_relays
from stafett.tenancy.models import Membership
from tests.conftest import _user

from .helpers import make_relay


@pytest.fixture
def siri(world):
    """A teacher at the school, named in no relay yet."""
    with scopes_disabled():
        siri = _user("siri", "Siri", "Skolesen")
        Membership.objects.create(municipality=world.fjordvik, service=world.school, user=siri)
    return siri


def _add(world, relay, person, service):
    """A participation written directly, not through the actions."""
    with scopes_disabled():
        return Participant.objects.create(municipality=world.fjordvik, relay=relay, service=service,
                                          user=person, joined_at=timezone.now())


def _with_olav(world, name="Ella Strandvik"):
    """A relay of the health station whose consent covers it and the school,
    with Olav taking part for the school."""
    relay, parents = make_relay(world, name=name)
    with scope(municipality=world.fjordvik):
        olav = actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                       user=world.other_employee)
    return relay, parents, olav


def _sees(world, person, relay) -> bool:
    response = world.client_for(person).get(reverse("relay:detail", args=[relay.pk]))
    assert response.status_code in (200, 404)
    return response.status_code == 200


def _covered_until(participant):
    with scopes_disabled():
        return Participant.objects.values_list("covered_until", flat=True).get(pk=participant.pk)


def _open_consent(relay):
    with scopes_disabled():
        return Consent.objects.get(relay=relay, withdrawn_at__isnull=True, superseded_at__isnull=True)


def test_the_actions_keep_coverage_current(world):
    """Given, narrowed, extended again, withdrawn: Olav's participation follows
    each consent, and Helga, who holds the relay, sees it throughout."""
    relay, parents, olav = _with_olav(world)
    assert _covered_until(olav) == _open_consent(relay).valid_until
    assert _sees(world, world.other_employee, relay)

    nurse = world.actor(world.health_nurse)
    today = timezone.localdate()
    consent = {"guardians": parents, "child_consents": False, "purpose": "Samarbeid.",
               "given_on": today, "method": "digital"}
    with scope(municipality=world.fjordvik):
        actions.give_consent(nurse, relay, services=[world.health_station],
                             valid_until=today + dt.timedelta(days=30), **consent)
    assert _covered_until(olav) is None
    assert not _sees(world, world.other_employee, relay)

    with scope(municipality=world.fjordvik):
        actions.give_consent(nurse, relay, services=[world.health_station, world.school],
                             valid_until=today + dt.timedelta(days=60), **consent)
    assert _covered_until(olav) == today + dt.timedelta(days=60)
    assert _sees(world, world.other_employee, relay)

    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(nurse, relay, reason="Foreldrene trakk samtykket.")
    assert _covered_until(olav) is None
    assert not _sees(world, world.other_employee, relay)
    assert _sees(world, world.health_nurse, relay)


def test_coverage_ends_with_the_consent_s_last_day_without_any_write(world):
    """Expiry is asked on every read: the consent covers Olav through its last
    day, and the day after he is refused although nothing was written."""
    relay, _parents, olav = _with_olav(world)
    last_day = _covered_until(olav)
    olav_actor = world.actor(world.other_employee)
    with scope(municipality=world.fjordvik):
        assert visible_relays(olav_actor, last_day, pk=relay.pk).exists()
        assert not visible_relays(olav_actor, last_day + dt.timedelta(days=1), pk=relay.pk).exists()
        assert visible_relays(world.actor(world.health_nurse), last_day + dt.timedelta(days=1),
                              pk=relay.pk).exists()


def test_writes_around_the_actions_keep_coverage_current(world):
    """The consent's services and dates changed directly in the tables, as an
    operator or a data migration might: Olav is refused and let in again in
    step with each write."""
    relay, _parents, olav = _with_olav(world)
    consent = _open_consent(relay)
    with scopes_disabled():
        consent.services.remove(world.school)
        assert not _sees(world, world.other_employee, relay)
        consent.services.add(world.school)
        assert _sees(world, world.other_employee, relay)

        Consent.objects.filter(pk=consent.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
        assert not _sees(world, world.other_employee, relay)
        Consent.objects.filter(pk=consent.pk).update(valid_until=timezone.localdate())
        assert _sees(world, world.other_employee, relay)

        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
        assert not _sees(world, world.other_employee, relay)
        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=None)
        assert _sees(world, world.other_employee, relay)
    assert _sees(world, world.health_nurse, relay)


def test_a_participation_s_own_writes_cannot_set_its_coverage(world, siri):
    """A participation saved from an instance read before the consent was
    withdrawn keeps no coverage; one moved to a service the consent leaves
    out loses it; a new one for a covered service has it from the start."""
    relay, _parents, olav = _with_olav(world)
    with scopes_disabled():
        stale = Participant.objects.get(pk=olav.pk)
        Consent.objects.filter(relay=relay).update(withdrawn_at=timezone.now())
        stale.task = "Følge opp skolehverdagen"
        stale.save()
        assert _covered_until(olav) is None
        Participant.objects.filter(pk=olav.pk).update(covered_until=dt.date(2999, 1, 1))
        assert _covered_until(olav) is None
        assert not _sees(world, world.other_employee, relay)

    relay, _parents, olav = _with_olav(world, name="Jonas Strandvik")
    with scopes_disabled():
        Participant.objects.filter(pk=olav.pk).update(service=world.kindergarten)
        assert _covered_until(olav) is None
    assert not _sees(world, world.other_employee, relay)
    assert not _sees(world, siri, relay)
    added = _add(world, relay, siri, world.school)
    assert _covered_until(added) == _open_consent(relay).valid_until
    assert _sees(world, siri, relay)


def test_the_coverage_triggers_are_in_place(world):
    """A migration that rebuilds one of the three tables on SQLite drops its
    triggers: this names them, so such a migration fails here first."""
    tables = {"relay_participant", "relay_consent", "relay_consent_services"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                           "WHERE trigger_name LIKE %s", ["relay_%coverage%"])
        else:
            cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE ?", ["relay_%coverage%"])
        assert {table for (table,) in cursor.fetchall()} == tables


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_participation_added_while_the_consent_is_withdrawn_waits_for_it(transactional_db, world,
                                                                             siri):
    """One transaction withdraws the consent (written directly, without the
    actions' lock on the relay) and is slow to commit; another adds Siri for
    the school meanwhile. Siri's participation waits for the withdrawal and
    is not covered: she is refused, as Olav is."""
    relay, _parents, olav = _with_olav(world)
    withdrawn, done = threading.Event(), []

    def withdraw():
        try:
            with scopes_disabled(), transaction.atomic():
                Consent.objects.filter(relay=relay).update(withdrawn_at=timezone.now())
                withdrawn.set()
                time.sleep(0.5)
        finally:
            connections.close_all()

    def add_siri():
        try:
            withdrawn.wait(5)
            done.append(_add(world, relay, siri, world.school))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw), threading.Thread(target=add_siri)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (added,) = done
    assert _covered_until(added) is None and _covered_until(olav) is None
    assert not _sees(world, siri, relay)
    assert not _sees(world, world.other_employee, relay)
    assert _sees(world, world.health_nurse, relay)
