"""What a citizen may see and do, on the kernel in stafett.access.

- A guardian registered WITH parental responsibility for a child sees that
  child's relays (open and closed): the family's view of the log, without the
  entries withheld from that guardian (and every correction of them).
- The young person sees their own relays from the municipality's consent age.
- Nobody else sees anything; missing and forbidden both answer 404.

The relationships come from the actor (stafett.citizen.actors), built once
per request from the person's national identity number. The lookups cross
municipalities on purpose, narrowed to the actor's own children; a page then
works inside the relay's municipality (`family_scope`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_scopes import scope, scopes_disabled

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden
from stafett.relay.models import Guardian, Relay
from stafett.relay.policy import timeline_queryset

GUARDIAN_ACTIONS = frozenset({"view", "write", "consent", "reply"})
CHILD_ACTIONS = frozenset({"view", "write", "consent", "reply"})


def family_relays(actor: Actor) -> QuerySet:
    """Every relay of the actor's children, in any municipality. Evaluate it
    inside `scopes_disabled()`; it is narrowed to the actor's children."""
    if not actor.is_citizen or not actor.family.child_ids:
        return Relay.objects.none()
    return Relay.objects.filter(child_id__in=actor.family.child_ids)


def family_scope(relay):
    """Work inside the relay's municipality, as staff pages do inside theirs."""
    return scope(municipality=relay.municipality_id)


def load_family_relay(actor: Actor, pk, action: str = "view", *, lock: bool = False) -> Relay:
    if not actor.is_citizen or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Forbidden("relay")
    with scopes_disabled():
        queryset = family_relays(actor).select_related("municipality", "holder", "holder_service")
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        relay = queryset.filter(pk=pk).first()
    if relay is None or action not in family_actions(actor, relay):
        raise Forbidden("relay")
    return relay


def family_actions(actor: Actor, relay) -> frozenset[str]:
    if not actor.is_citizen:
        return frozenset()
    if actor.family.guardian_for(relay.child_id) is not None:
        actions = GUARDIAN_ACTIONS
    elif actor.family.is_the_child(relay.child_id):
        actions = CHILD_ACTIONS
    else:
        return frozenset()
    # A closed log can be read, not written in.
    return actions if relay.is_open else frozenset({"view"})


def family_timeline(actor: Actor, relay, kind: str = "") -> QuerySet:
    """The log as this family member may read it: for a guardian, without the
    entries withheld from them (and their corrections)."""
    guardian_id = actor.family.guardian_for(relay.child_id)
    guardian = Guardian(pk=guardian_id) if guardian_id is not None else None
    return timeline_queryset(relay, kind, guardian)
