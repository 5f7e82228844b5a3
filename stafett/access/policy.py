"""The one policy layer: what a person may do to an object, and what they may list.

Lists and detail pages both go through `visible_concerns`, so they can never
disagree; `load_concern` answers 404 for missing and forbidden alike, so
nobody learns that a child has a case elsewhere.

Rules for a level-0 concern (ARCHITECTURE.md, rule 4):
- its author sees and works on it;
- once shared, the leaders of its service see it, comment, and take part in
  the decision;
- a BTI coordinator sees nothing by that role alone;
- nobody outside the municipality sees it (the scope makes that structural).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from stafett.access.actor import Actor

# Which actions each role may take on a concern.
AUTHOR_ACTIONS = frozenset(
    {"view", "define", "share", "talk", "comment", "decide", "close", "acute", "history"}
)
LEADER_ACTIONS = frozenset({"view", "talk", "comment", "decide", "close", "acute", "history"})

# Which actions each state allows (the acute path and reading are never closed).
STATE_ACTIONS = {
    "open": AUTHOR_ACTIONS | LEADER_ACTIONS,
    "closed": frozenset({"view", "acute", "history", "comment"}),
}


def visible_concerns(actor: Actor) -> QuerySet:
    from stafett.concerns.models import Concern

    if not actor.is_staff_member:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(author=actor.user) | Q(service_id__in=actor.led_service_ids, shared_at__isnull=False)
    )


def concern_actions(actor: Actor, concern) -> frozenset[str]:
    """Everything `actor` may do to `concern` now."""
    if not actor.is_staff_member or concern.municipality_id != actor.municipality.pk:
        return frozenset()
    allowed: set[str] = set()
    if concern.author_id == actor.user.pk:
        allowed |= AUTHOR_ACTIONS
    if concern.shared_at is not None and actor.leads(concern.service_id):
        allowed |= LEADER_ACTIONS
    return frozenset(allowed & STATE_ACTIONS[concern.status])


def may(actor: Actor, action: str, obj) -> bool:
    from stafett.concerns.models import Concern

    if isinstance(obj, Concern):
        return action in concern_actions(actor, obj)
    return False


def load_concern(actor: Actor, pk, action: str = "view"):
    """The concern if `actor` may `action` it, else 404 — never 403."""
    from stafett.concerns.models import Concern

    try:
        concern = visible_concerns(actor).select_related(
            "child", "service", "author", "guide"
        ).get(pk=pk)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may(actor, action, concern):
        raise Http404
    return concern


class Forbidden(Exception):
    """Raised by actions when the policy refuses; views turn it into 404."""


def require(actor: Actor, action: str, obj) -> None:
    if not may(actor, action, obj):
        raise Forbidden(action)


# --- Guides -------------------------------------------------------------------
#
# The BTI coordinator of a municipality edits its action guide: the one draft,
# publishing it, discarding it, and the history of published versions. Nobody
# else sees the draft, not even other staff of the municipality. Guide text is
# not personal data, so these actions are not audited (who published is kept
# on the version itself).


def may_edit_guide(actor: Actor, guide=None) -> bool:
    """May `actor` edit the action guide of their municipality? With `guide`
    (or a level, step or tool of one): that one, which must be theirs."""
    if not (actor.is_staff_member and actor.is_coordinator):
        return False
    return guide is None or guide.municipality_id == actor.municipality.pk


def require_guide_editor(actor: Actor, guide=None) -> None:
    if not may_edit_guide(actor, guide):
        raise Forbidden("edit_guide")


# --- Insights -----------------------------------------------------------------
#
# The leadership view shows aggregates only, never a child. A leader sees the
# aggregates of the services they lead; the BTI coordinator those of the whole
# municipality; everyone else nothing (the views answer 404).


def insight_service_ids(actor: Actor) -> frozenset[int]:
    """The services whose aggregates `actor` may see (empty: none → 404)."""
    from stafett.tenancy.models import Service

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


# --- Follow-up ---------------------------------------------------------------
#
# The BTI coordinator sets the municipality's follow-up thresholds.


def may_configure_followup(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_followup_configurer(actor: Actor) -> None:
    if not may_configure_followup(actor):
        raise Forbidden("configure_followup")
