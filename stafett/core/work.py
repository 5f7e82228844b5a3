"""What waits for a person on their start page: counts and links, never a child.

Every count comes from the policy layer's own querysets (what the person may
list), so the start page can never count what the lists would hide, and it
shows no child's name, so it reads no personal data to audit. This module is
the only place the start page touches the apps' policies.

A bounded number of queries whatever the data: one per kind of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from stafett.access.actor import Actor
from stafett.archive.policy import may_configure_archive
from stafett.concerns.models import Concern
from stafett.concerns.policy import led_concerns, visible_concerns
from stafett.feedback.actions import waiting_count
from stafett.followup.policy import may_configure_followup
from stafett.guides.loader import current_guide
from stafett.guides.policy import may_edit_guide
from stafett.insights.policy import insight_service_ids
from stafett.onboarding.policy import status_service_ids
from stafett.onboarding.status import ALL_PARTS, parts_done
from stafett.relay.actions import DIRECT_START_KINDS
from stafett.relay.models import Relay
from stafett.relay.policy import pending_for, visible_relays
from stafett.retention.policy import may_edit_schedule
from stafett.surveys.actions import my_open_invitations
from stafett.surveys.policy import may_run_surveys, may_see_some_results
from stafett.tenancy.models import Service


@dataclass(frozen=True)
class Work:
    # Pending handovers to the person, on relays they may open; the one's
    # (relay id, handover id) when there is exactly one, for a direct link.
    handovers: int
    handover: tuple[int, int] | None
    # The person's own open worries, and the open worries shared with them as leader.
    my_concerns: int
    inbox: int
    # Open relays the person may open, and how many of those they hold.
    relays: int
    relays_held: int
    is_leader: bool
    has_service: bool
    may_start_relay: bool
    guide_published: bool
    may_edit_guide: bool
    may_see_insights: bool
    may_configure_followup: bool
    may_configure_archive: bool = False
    may_edit_retention: bool = False
    # Parts of the introduction to BTI the person has completed, of how many;
    # and whether they see who in their services has completed it.
    introduction_done: int = 0
    introduction_parts: int = ALL_PARTS
    may_see_introduction_status: bool = False
    # Feedback to leadership waiting for the coordinator (status received).
    feedback_waiting: int = 0
    # Survey waves waiting for the person's answer (the first one's id, for
    # a direct link), and whether they run or read the competence mapping.
    surveys_waiting: int = 0
    survey_wave: int | None = None
    may_run_surveys: bool = False
    may_see_survey_results: bool = False


def work_for(actor: Actor) -> Work:
    user = actor.user
    led = actor.led_service_ids

    mine = visible_concerns(actor).filter(status=Concern.Status.OPEN, author=user).count()
    inbox = led_concerns(actor).filter(status=Concern.Status.OPEN).count() if led else 0
    relays = visible_relays(actor, status=Relay.Status.OPEN).aggregate(
        total=Count("pk"),
        held=Count("pk", filter=Q(holder=user, holder_service_id__in=actor.service_ids)),
    )
    # The same handovers and appointments as the relay list shows; the page
    # that answers one opens for the person asked. Two queries whatever their number.
    pending = pending_for(actor)
    handovers = pending.count()
    first_two = list(pending.order_by("requested_at", "pk").values_list("relay_id", "pk")[:2])
    service_kinds = set(
        Service.objects.filter(pk__in=actor.service_ids).values_list("kind", flat=True)
    ) if actor.service_ids else set()
    waiting = list(my_open_invitations(actor).order_by("wave_id").values_list("wave_id", flat=True)[:20])
    return Work(
        handovers=handovers,
        handover=first_two[0] if len(first_two) == 1 else None,
        my_concerns=mine,
        inbox=inbox,
        relays=relays["total"],
        relays_held=relays["held"],
        is_leader=bool(led),
        has_service=bool(actor.service_ids),
        may_start_relay=bool(service_kinds & DIRECT_START_KINDS),
        # The guide's pages answer 404 until a version is published.
        guide_published=current_guide() is not None,
        may_edit_guide=may_edit_guide(actor),
        may_see_insights=bool(insight_service_ids(actor)),
        may_configure_followup=may_configure_followup(actor),
        may_configure_archive=may_configure_archive(actor),
        may_edit_retention=may_edit_schedule(actor),
        introduction_done=len(parts_done(actor)),
        may_see_introduction_status=bool(status_service_ids(actor)),
        feedback_waiting=waiting_count(actor),
        surveys_waiting=len(waiting),
        survey_wave=waiting[0] if waiting else None,
        may_run_surveys=may_run_surveys(actor),
        may_see_survey_results=may_see_some_results(actor),
    )
