"""The record costs the same number of queries whatever the size of the
child's history: a few worries or many, ten entries or hundreds, with
comments, meetings, withholdings and thousands of audit events."""

import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.concerns import actions as concern_actions
from stafett.core import session
from stafett.fullrecord import policy
from stafett.fullrecord.models import AccessRequest
from stafett.fullrecord.record import assemble
from stafett.relay import actions as relay_actions
from stafett.relay.models import Entry, Meeting


def _grow(scene, n):
    """n more entries (every fifth withheld from Geir), n/10 meetings and
    worries with comments, and 10·n audit events on the child's log."""
    world, mia = scene.world, scene.family.mia_relay
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        now = timezone.now()
        entries = Entry.objects.bulk_create([
            Entry(municipality=world.fjordvik, relay=mia, kind="note", text=f"Notat {i}",
                  author=world.health_nurse, author_service=world.health_station,
                  created_at=now + dt.timedelta(seconds=i))
            for i in range(n)])
        for entry in entries[::5]:
            relay_actions.withhold_entry(nurse, entry, guardian=scene.family.guardians["geir"], reason="Vern.")
        for i in range(max(1, n // 10)):
            relay_actions.plan_meeting(nurse, mia, kind=Meeting.Kind.NETWORK, place=f"Rom {i}",
                                       starts_at=now + dt.timedelta(days=i + 1))
            relay_actions.add_goal(nurse, mia, title=f"Mål {i}", indicator="Bedre søvn.")
            kari = world.actor(world.teacher)
            worry = concern_actions.create_concern(
                kari, service=world.kindergarten,
                child={"name": "Mia Fjeld", "birth_date": mia.child.birth_date, "expected_date": None,
                       "national_id": mia.child.national_id},
                observations=f"Uro {i}", questions="")
            concern_actions.add_comment(kari, worry, text=f"Kommentar {i}")
        with transaction.atomic():
            record_many(nurse, "read", [(mia, mia.child_id, None)] * (10 * n),
                        legal_basis=LegalBasis.SERVICE_DUTY, service_id=world.health_station.pk)


def _queries(scene, request, sight=None):
    """Queries of one assembly, from a request loaded afresh (nothing cached on it)."""
    with scope(municipality=scene.world.fjordvik):
        request = AccessRequest.objects.get(pk=request.pk)
        with CaptureQueriesContext(connection) as queries:
            assemble(request, sight)
    return len(queries)


def test_the_record_and_the_producers_part_are_bounded(scene, monkeypatch):
    # Growing the history and reading the large part take minutes on a loaded
    # machine: the idle timeout's session save (stafett.core.session) would
    # fall in one measurement and not the other. It is not the page's.
    monkeypatch.setattr(session, "TOUCH_SECONDS", 24 * 3600)
    frida, geir = scene.register(who="frida"), scene.register(who="geir")
    nurse = scene.actor(scene.world.health_nurse)
    client = scene.world.client_for(scene.world.health_nurse)
    part_url = reverse("fullrecord:part_json", args=[frida.pk])
    client.post(reverse("fullrecord:produce", args=[frida.pk]), {"version": frida.version})

    def measure():
        with CaptureQueriesContext(connection) as page:
            assert client.get(part_url).status_code == 200
        return [_queries(scene, frida), _queries(scene, geir), _queries(scene, frida, policy.Sight(nurse)),
                len(page)]

    _grow(scene, 5)
    small = measure()
    _grow(scene, 200)
    large = measure()
    assert small == large
    with scope(municipality=scene.world.fjordvik):
        document = assemble(geir)
    assert len(document["relays"][0]["entries"]) > 160 and len(document["access_log"]) > 2000
    assert len(document["worries"]) > 20
