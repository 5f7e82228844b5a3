"""The policy for relays (stafettlogg), part of the one policy layer.

Who sees a relay:
- its holder, always (the holder's service owns the record and its duty to
  document; a withdrawal stops *sharing*, not the holder's own record);
- a named participant, or the leader of a participating service, but only
  while that service takes part (not left) AND a consent in force covers it.
A consent is in force when it is not withdrawn and its end date has not
passed; a withdrawal or expiry therefore ends other services' access in the
very next query, without any job having to run.

Missing and forbidden both answer 404, as for worries.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from stafett.access.actor import Actor
from stafett.access.policy import Forbidden

# What each role may do, and what each state allows.
HOLDER_ACTIONS = frozenset({
    "view", "history", "acute", "consent", "participants", "handover", "content", "meeting",
    "level", "close", "withhold", "guardians",
})
PARTICIPANT_ACTIONS = frozenset({"view", "history", "acute", "content", "meeting"})
LEADER_ACTIONS = PARTICIPANT_ACTIONS
STATE_ACTIONS = {
    "open": HOLDER_ACTIONS | PARTICIPANT_ACTIONS,
    "closed": frozenset({"view", "history", "acute"}),
}


def consents_in_force(today=None):
    from stafett.relay.models import Consent

    today = today or timezone.localdate()
    return Consent.objects.filter(withdrawn_at__isnull=True, valid_until__gte=today)


def covered_participations(actor: Actor, relay_ref, today=None):
    """The actor's active participations in a relay whose service a consent
    in force covers: as a named person, or as the leader of the service."""
    from stafett.relay.models import Participant

    # Correlated with each participation row: its relay and its service.
    covering = consents_in_force(today).filter(
        relay_id=OuterRef("relay_id"), services=OuterRef("service_id")
    )
    return Participant.objects.filter(
        Q(user=actor.user) | Q(service_id__in=actor.led_service_ids),
        relay=relay_ref,
        left_at__isnull=True,
        service_id__in=actor.service_ids,
    ).filter(Exists(covering.values("pk")))


def visible_relays(actor: Actor, today=None) -> QuerySet:
    from stafett.relay.models import Relay

    if not actor.is_staff_member:
        return Relay.objects.none()
    return Relay.objects.filter(
        Q(holder=actor.user) | Q(Exists(covered_participations(actor, OuterRef("pk"), today)))
    )


def relay_actions(actor: Actor, relay, today=None) -> frozenset[str]:
    if not actor.is_staff_member or relay.municipality_id != actor.municipality.pk:
        return frozenset()
    allowed: set[str] = set()
    if relay.holder_id == actor.user.pk:
        allowed |= HOLDER_ACTIONS
    elif covered_participations(actor, relay, today).exists():
        allowed |= PARTICIPANT_ACTIONS
    return frozenset(allowed & STATE_ACTIONS[relay.status])


def load_relay(actor: Actor, pk, action: str = "view"):
    from stafett.relay.models import Relay

    try:
        relay = visible_relays(actor).select_related(
            "child", "holder", "holder_service", "guide"
        ).get(pk=pk)
    except (Relay.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action not in relay_actions(actor, relay):
        raise Http404
    return relay


def require_relay(actor: Actor, action: str, relay) -> None:
    if action not in relay_actions(actor, relay):
        raise Forbidden(action)


def covered_service_ids(relay, today=None) -> set[int]:
    """Services a consent in force covers for this relay."""
    return set(
        consents_in_force(today).filter(relay=relay).values_list("services", flat=True)
    ) - {None}
