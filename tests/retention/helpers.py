"""Cases with everything in them, closed and (optionally) archived, built
through the real actions; the archive's receipt is written as the archive
app records it (status archived, with the time)."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.archive.models import ArchiveDelivery
from stafett.concerns import actions as concern_actions
from stafett.relay import actions
from stafett.relay.models import Consent, Meeting
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

MONTH = dt.timedelta(days=31)


def archive(world, source: str, case, at: dt.datetime | None, status="archived"):
    with scopes_disabled():
        return ArchiveDelivery.objects.create(
            municipality=world.fjordvik, source=source, source_id=case.pk, status=status,
            queued_at=timezone.now(), archived_at=at if status == "archived" else None,
        )


def full_relay(world, name="Ella Strandvik", *, archived_at=None, close=True):
    """A relay with a goal, a measure, a note, an evaluation, a meeting with a
    level change and a scanned consent form; closed, and archived at
    `archived_at` (not archived when None)."""
    relay, parents = make_relay(world, name=name)
    today = dt.date.today()
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        goal = actions.add_goal(actor, relay, title="Sove hele natten", indicator="Uthvilt i barnehagen")
        measure = actions.add_measure(
            actor, relay, what="Fast leggetid", responsible_service=world.health_station, goal=goal,
            starts_on=today, deadline=today + dt.timedelta(days=30),
            evaluate_on=today + dt.timedelta(days=31))
        actions.add_entry(actor, relay, kind="note", text="Mor forteller om mareritt.")
        meeting = actions.plan_meeting(actor, relay, kind=Meeting.Kind.EVALUATION_DECISION,
                                       starts_at=timezone.now(), place="Helsestasjonen",
                                       agenda="Søvn")
        actions.record_evaluation(actor, relay, what_happened="Bedre søvn", conclusion="Fortsett",
                                  goal=goal, measure=measure, meeting=meeting)
        actions.change_level(actor, relay, meeting=meeting, to_level=2, reason="Trenger skolen med")
        consent = Consent.objects.get(relay=relay, withdrawn_at__isnull=True, superseded_at__isnull=True)
        consent.scan.save("samtykke.pdf", ContentFile(b"%PDF-1.4 signert"), save=True)
        if close:
            relay.refresh_from_db()
            actions.close_relay(actor, relay, version=relay.version, reason="goal_reached",
                                summary="Ella sover godt nå.", child_last_word="Jeg er glad")
        relay.refresh_from_db()
    if archived_at is not None:
        archive(world, "relay", relay, archived_at)
    return relay, parents, consent


def closed_concern(world, name="Nora Berg", serial=7):
    concern = make_concern(world, name=name, serial=serial, shared=True)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern_actions.add_comment(actor, concern, text="Snakket med mor.")
        concern.refresh_from_db()
        concern = concern_actions.decide(world.actor(world.leader), concern, version=concern.version,
                                         outcome="close", reason="Ingen grunn til mer nå.")
        concern = concern_actions.close_concern(actor, concern, version=concern.version,
                                                reason="Alt er bra.")
    return concern
