"""Who takes the introduction, and who sees who has completed it.

Every member of staff may read the introduction and answer its questions; it
is a new employee's (someone with a service who has not completed every part)
that the start page offers. Completion — never an answer — is seen by the
leaders of a service for its active members, and by the BTI coordinator for
every service of the municipality. Anyone else gets 404.
"""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden
from stafett.tenancy.models import Service


def may_take_introduction(actor: Actor) -> bool:
    return actor.is_staff_member


def require_introduction(actor: Actor) -> None:
    if not may_take_introduction(actor):
        raise Forbidden("introduction")


def status_service_ids(actor: Actor) -> set[int]:
    """The services whose completion `actor` sees: all of the municipality's
    for the coordinator, the ones they lead for a leader, else none."""
    if not actor.is_staff_member:
        return set()
    if actor.is_coordinator:
        return set(Service.objects.filter(municipality=actor.municipality)
                   .values_list("pk", flat=True))
    return actor.led_service_ids


def require_status(actor: Actor) -> set[int]:
    ids = status_service_ids(actor)
    if not ids:
        raise Forbidden("introduction_status")
    return ids
