"""What waits for a person on their start page: counts and links, never a child.

Every count comes from the policy layer's own querysets (what the person may
list), so the start page can never count what the lists would hide, and it
shows no child's name, so it reads no personal data to audit. This module is
the only place the start page touches the policy layer: when the policy moves,
only the imports below move with it.

A bounded number of queries whatever the data: one per kind of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from stafett.access.actor import Actor
from stafett.access.policy import (
    insight_service_ids,
    may_configure_followup,
    may_edit_guide,
    visible_concerns,
)
from stafett.access.relays import visible_relays
from stafett.concerns.models import Concern
from stafett.guides.loader import current_guide
from stafett.relay.actions import DIRECT_START_KINDS
from stafett.relay.models import Handover, Relay
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


def work_for(actor: Actor) -> Work:
    user = actor.user
    led = actor.led_service_ids

    concerns = visible_concerns(actor).filter(status=Concern.Status.OPEN).aggregate(
        mine=Count("pk", filter=Q(author=user)),
        inbox=Count("pk", filter=Q(service_id__in=led, shared_at__isnull=False)),
    )
    relays = visible_relays(actor).filter(status=Relay.Status.OPEN).aggregate(
        total=Count("pk"), held=Count("pk", filter=Q(holder=user)),
    )
    # The same handovers as the relay list shows: only on relays the person may open,
    # so the link never answers 404. Two queries whatever their number.
    pending = Handover.objects.filter(
        to_user=user, status=Handover.Status.PENDING,
        relay__in=visible_relays(actor).filter(status=Relay.Status.OPEN),
    )
    handovers = pending.count()
    first_two = list(pending.order_by("requested_at", "pk").values_list("relay_id", "pk")[:2])
    service_kinds = set(
        Service.objects.filter(pk__in=actor.service_ids).values_list("kind", flat=True)
    ) if actor.service_ids else set()
    return Work(
        handovers=handovers,
        handover=first_two[0] if len(first_two) == 1 else None,
        my_concerns=concerns["mine"],
        inbox=concerns["inbox"],
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
    )
