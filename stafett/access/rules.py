"""The pieces every app's policy is built from: the refusal, and loading an
object so that missing and forbidden look the same (ARCHITECTURE.md rule 3)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist


class Forbidden(Exception):
    """Raised by actions when the policy refuses; views turn it into 404."""


def require(allowed: frozenset[str], action: str) -> None:
    """Refuse unless `action` is among what the policy allowed."""
    if action not in allowed:
        raise Forbidden(action)


def get_visible(queryset, pk):
    """One row of `queryset` (already narrowed to what the actor may see), or
    Forbidden — for a missing row, a forbidden one and a malformed id alike;
    a view answers 404 to all three (stafett.access.views.staff)."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Forbidden("missing") from None
