"""Who may send, read and answer feedback to leadership.

- Any member of staff sends feedback in their municipality; a family member
  (ID-porten) sends it to a municipality where they have a child on record.
- A named sender sees their own feedback, its status, answer and history;
  nobody else's (404).
- The BTI coordinator sees and answers all feedback of their municipality.
  Leaders do NOT see feedback from their own services (docs/feedback.md):
  it is addressed to the BTI leadership, and an employee writes more freely
  when their own leader does not read it.
- An anonymous item names nobody to anyone: its sender and service are not
  stored. It is found again only by its tracking code, whose SHA-256 is kept.

Missing and forbidden look the same (Forbidden, a 404 in the view).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden, get_visible

from .models import Feedback

Status = Feedback.Status

# The status flow (ARCHITECTURE.md rule 6): what each status may become.
# A decided item may be taken up again ("being considered").
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.CONSIDERING, Status.CHANGED, Status.NOT_CHANGED}),
    Status.CONSIDERING: frozenset({Status.CHANGED, Status.NOT_CHANGED}),
    Status.CHANGED: frozenset({Status.CONSIDERING}),
    Status.NOT_CHANGED: frozenset({Status.CONSIDERING}),
}
# A decision is explained to the sender.
ANSWER_REQUIRED = frozenset({Status.CHANGED, Status.NOT_CHANGED})


def next_statuses(feedback: Feedback) -> list[str]:
    """What the coordinator may set now: the current status (a new answer)
    and the statuses the table allows, in the order of the flow."""
    allowed = TRANSITIONS[feedback.status] | {feedback.status}
    return [value for value in Status.values if value in allowed]


# --- sending --------------------------------------------------------------------------


def may_send(actor: Actor) -> bool:
    return actor.is_staff_member


def family_municipality_ids(actor: Actor) -> set[int]:
    """Where a family member may send feedback: the municipalities of their
    children's records (and their own, as the young person)."""
    if not actor.is_citizen:
        return set()
    return {m for m, _g, _c in actor.family.guardianships} | {m for m, _c in actor.family.own_children}


# --- reading one's own ------------------------------------------------------------------


def own_feedback(actor: Actor) -> QuerySet:
    """The named feedback the actor sent (staff: in the current municipality;
    a family member: from the family pages, in any municipality — evaluate
    it inside scopes_disabled())."""
    if actor.user is None or not actor.user.is_authenticated:
        return Feedback.objects.none()
    if actor.is_citizen:
        return Feedback.objects.filter(sender=actor.user, origin=Feedback.Origin.FAMILY)
    if not actor.is_staff_member:
        return Feedback.objects.none()
    return Feedback.objects.filter(sender=actor.user, municipality=actor.municipality,
                                   origin=Feedback.Origin.STAFF)


def load_own(actor: Actor, pk) -> Feedback:
    if actor.is_citizen:
        with scopes_disabled():
            return get_visible(own_feedback(actor).select_related("guide", "municipality"), pk)
    return get_visible(own_feedback(actor).select_related("guide"), pk)


# --- the coordinator ----------------------------------------------------------------------


def may_handle(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_handler(actor: Actor) -> None:
    if not may_handle(actor):
        raise Forbidden("handle_feedback")


def handled_feedback(actor: Actor) -> QuerySet:
    """All feedback of the coordinator's municipality."""
    require_handler(actor)
    return Feedback.objects.filter(municipality=actor.municipality)


def load_handled(actor: Actor, pk, *, lock: bool = False) -> Feedback:
    queryset = handled_feedback(actor).select_related("sender", "service", "guide")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_visible(queryset, pk)


def shown_sender(feedback: Feedback):
    """The person to name beside an item: nobody for an anonymous one."""
    return None if is_anonymous(feedback) else feedback.sender


def is_anonymous(feedback: Feedback) -> bool:
    return bool(feedback.tracking_hash)


# --- tracking codes -----------------------------------------------------------------------

# 20 characters of base32 (100 bits), shown in five groups of four. Guessing
# one is hopeless, so the lookup needs no counter of failed attempts to stay
# safe against enumeration.
CODE_GROUPS, GROUP = 5, 4
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE = re.compile(rf"^[{_ALPHABET}]{{{CODE_GROUPS * GROUP}}}$")


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_GROUPS * GROUP))
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(code: str) -> str | None:
    """The code without spaces and hyphens, in capitals; None if it cannot be one."""
    if not isinstance(code, str) or len(code) > 80:
        return None
    raw = re.sub(r"[\s-]", "", code).upper()
    return raw if _CODE.match(raw) else None


def code_hash(code: str) -> str:
    raw = normalise_code(code) or ""
    return hashlib.sha256(raw.encode()).hexdigest()


def find_by_code(code: str, *, origin: str, municipality=None) -> Feedback | None:
    """The anonymous item with this code, or None for an unknown and a
    malformed code alike. Staff look within their municipality; families
    in any (the code is all they have)."""
    if normalise_code(code) is None:
        return None
    with scopes_disabled():
        queryset = Feedback.objects.filter(tracking_hash=code_hash(code), origin=origin,
                                           sender__isnull=True)
        if municipality is not None:
            queryset = queryset.filter(municipality=municipality)
        return queryset.select_related("guide", "municipality").first()
