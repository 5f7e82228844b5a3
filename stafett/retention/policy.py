"""Who may change the retention schedule and who may set a legal hold.

- The schedule is the municipality's: the BTI coordinator edits it (as she
  sets the follow-up thresholds and the archive settings). It holds no
  child's data, and nobody else needs it.
- A legal hold is set or lifted through one of the child's cases, by those
  who answer for that case and may see it now: the relay's holder, or a
  leader who sees the relay through the participation of a service she
  leads; for a worry, a leader of its service who sees it. They are the
  ones who learn of a complaint or a case at the child welfare service, and
  seeing the case is what lets them judge it. An employee who is not the
  holder, a leader of a service outside the case and the coordinator (who
  sees no child's data) are refused; all refusals are 404.
"""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden, get_visible
from stafett.audit.models import LegalBasis
from stafett.concerns.policy import visible_concerns
from stafett.relay.policy import covering_services, is_holder, legal_basis, visible_relays

CASE_KINDS = ("relay", "concern")


def may_edit_schedule(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_schedule_editor(actor: Actor) -> None:
    if not may_edit_schedule(actor):
        raise Forbidden("retention_schedule")


def hold_basis(actor: Actor, kind: str, case) -> str | None:
    """The legal basis on which `actor` may set or lift a hold through `case`
    (already one they may see), or None."""
    if not actor.is_staff_member or case.municipality_id != actor.municipality.pk:
        return None
    if kind == "relay":
        led = actor.led_service_ids  # (a person who leads nothing is not asked of the database)
        if is_holder(actor, case) or (led and led.intersection(covering_services(actor, case))):
            return legal_basis(actor, case)
        return None
    if kind == "concern" and actor.leads(case.service_id):
        return LegalBasis.SERVICE_DUTY
    return None


def load_case(actor: Actor, kind: str, pk, *, lock: bool = False):
    """The relay or worry through which `actor` may hold its child, and the
    legal basis; refused (404) for missing and forbidden alike."""
    if kind == "relay":
        queryset = visible_relays(actor)
    elif kind == "concern":
        queryset = visible_concerns(actor)
    else:
        raise Forbidden("kind")
    queryset = queryset.select_related("child")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    case = get_visible(queryset, pk)
    basis = hold_basis(actor, kind, case)
    if basis is None:
        raise Forbidden("legal_hold")
    return case, basis
