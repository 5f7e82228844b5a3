"""Who may register and produce a child's full record, and how far they see.

A request is answered for the child by someone who already answers for the
child in a service:
- the holder of a relay of the child, for the holder's service (while an
  active member of it: `relay.policy.is_holder`);
- the leader of a service with a case of the child that the leader may see:
  a worry of that service (`concerns.policy.visible_concerns`: shared, or
  left behind by its author), or a relay the service takes part in and the
  consent in force covers.

Nobody else: a colleague in the same service (Kasper), an employee of a
service taking part (Olav), the BTI coordinator by that role alone (Cora),
anyone in another municipality (Per). They get 404 like for anything else
they may not see (ARCHITECTURE.md rule 3).

A request belongs to the service it was registered for: whoever answers for
the child through that service (now, not when it was registered) sees it.

How far the producer sees: the record is assembled by the system for the
requester, and the producer never reads that copy. What the producer may
download is "their part": the same record narrowed to the cases they may see
under the ordinary policy, with a notice, worded the same whether or not
anything was left out, that the rest is sealed and goes to the requester
only (docs/full-record.md).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden, get_visible
from stafett.concerns.policy import visible_concerns
from stafett.relay.models import Participant, Relay
from stafett.relay.policy import consents_in_force, visible_relays
from stafett.reports.models import ChildWelfareReport

from .models import AccessRequest

REQUEST_ACTIONS = frozenset({"view", "produce", "deliver", "read_part"})
# What each status allows (a state table, ARCHITECTURE.md rule 6).
STATUS_ACTIONS = {
    AccessRequest.Status.REGISTERED: frozenset({"view", "produce"}),
    # Produced again (the case moved on before it was delivered) or delivered.
    AccessRequest.Status.PRODUCED: frozenset({"view", "produce", "deliver", "read_part"}),
    AccessRequest.Status.DELIVERED: frozenset({"view", "read_part"}),
}


def _held(actor: Actor) -> QuerySet:
    return Relay.objects.filter(holder=actor.user, holder_service_id__in=actor.service_ids)


def _led_concerns(actor: Actor) -> QuerySet:
    return visible_concerns(actor).filter(service_id__in=actor.led_service_ids)


def _led_participations(actor: Actor) -> QuerySet:
    covering = consents_in_force().filter(relay_id=OuterRef("relay_id"),
                                          services=OuterRef("service_id"))
    return Participant.objects.filter(
        service_id__in=actor.led_service_ids, left_at__isnull=True,
    ).filter(Exists(covering.values("pk")))


def cases(actor: Actor) -> list[tuple[str, object, int]]:
    """The cases through which `actor` answers for a child: ("relay", relay,
    service id) and ("concern", concern, service id), newest first. Three
    queries whatever the data size."""
    if not actor.is_staff_member:
        return []
    found: list[tuple[str, object, int]] = []
    for relay in _held(actor).order_by("-created_at", "-pk"):
        found.append(("relay", relay, relay.holder_service_id))
    for participation in _led_participations(actor).select_related("relay").order_by("-pk"):
        found.append(("relay", participation.relay, participation.service_id))
    for concern in _led_concerns(actor).order_by("-created_at", "-pk"):
        found.append(("concern", concern, concern.service_id))
    return found


def answers_for(actor: Actor, child_id: int, service_id: int) -> bool:
    """Whether `actor` answers for the child through `service_id` now."""
    if not actor.is_staff_member or service_id not in actor.service_ids:
        return False
    return (
        _held(actor).filter(child_id=child_id, holder_service_id=service_id).exists()
        or _led_concerns(actor).filter(child_id=child_id, service_id=service_id).exists()
        or _led_participations(actor).filter(relay__child_id=child_id,
                                             service_id=service_id).exists()
    )


def visible_requests(actor: Actor) -> QuerySet:
    """Requests of the services through which `actor` answers for their child."""
    if not actor.is_staff_member:
        return AccessRequest.objects.none()
    held = _held(actor).filter(child_id=OuterRef("child_id"),
                               holder_service_id=OuterRef("service_id"))
    led = _led_concerns(actor).filter(child_id=OuterRef("child_id"),
                                      service_id=OuterRef("service_id"))
    part = _led_participations(actor).filter(relay__child_id=OuterRef("child_id"),
                                             service_id=OuterRef("service_id"))
    return AccessRequest.objects.filter(
        service_id__in=actor.service_ids,
    ).filter(Q(Exists(held)) | Q(Exists(led)) | Q(Exists(part)))


def request_actions(actor: Actor, request) -> frozenset[str]:
    if not actor.is_staff_member or request.municipality_id != actor.municipality.pk:
        return frozenset()
    if not answers_for(actor, request.child_id, request.service_id):
        return frozenset()
    return REQUEST_ACTIONS & STATUS_ACTIONS[request.status]


def load_request(actor: Actor, pk, action: str = "view", *, lock: bool = False):
    queryset = visible_requests(actor).select_related("child", "service",
                                                      "registered_by", "municipality")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    request = get_visible(queryset, pk)
    if action not in request_actions(actor, request):
        raise Forbidden(action)
    return request


# --- the producer's sight ------------------------------------------------------------


class Sight:
    """What one staff member may see of a child's cases under the ordinary
    policy: the querysets the record is narrowed by for "their part"."""

    def __init__(self, actor: Actor):
        self.actor = actor

    def concerns(self) -> QuerySet:
        return visible_concerns(self.actor)

    def relays(self) -> QuerySet:
        return visible_relays(self.actor)

    def reports(self) -> QuerySet:
        """A report is seen by its reporter, the leaders of the reporter's
        service and the holder of the relay it was written from."""
        actor = self.actor
        return ChildWelfareReport.objects.filter(
            Q(reporter=actor.user, service_id__in=actor.service_ids)
            | Q(service_id__in=actor.led_service_ids)
            | Q(relay__in=_held(actor))
        )
