"""Who sees the leadership view: aggregates only, never a child. A leader sees
the aggregates of the services they lead; the BTI coordinator those of the
whole municipality; everyone else nothing (the views answer 404)."""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden
from stafett.tenancy.models import Membership, Service


def insight_service_ids(actor: Actor) -> frozenset[int]:
    """The services whose aggregates `actor` may see (empty: none → 404)."""
    if not actor.is_staff_member:
        return frozenset()
    if actor.is_coordinator:
        return frozenset(
            Service.objects.filter(municipality=actor.municipality).values_list("pk", flat=True)
        )
    return frozenset(actor.led_service_ids)


def require_insights(actor: Actor) -> frozenset[int]:
    service_ids = insight_service_ids(actor)
    if not service_ids:
        raise Forbidden("insights")
    return service_ids


def reader_scopes(municipality) -> set[frozenset[int]]:
    """Every set of services somebody may see aggregates of: the whole
    municipality (the BTI coordinator) and each active leader's services, as
    `insight_service_ids` gives them. Suppression protects them all together,
    since readers can compare what they see."""
    everything = frozenset(Service.objects.filter(municipality=municipality).values_list("pk", flat=True))
    led: dict[int, set[int]] = {}
    for user_id, sid in Membership.objects.filter(
        municipality=municipality, active=True, user__is_active=True, role=Membership.Role.LEADER
    ).values_list("user_id", "service_id"):
        led.setdefault(user_id, set()).add(sid)
    return {everything} | {frozenset(s) for s in led.values()}
