"""The pieces every app's policy is built from: the refusal, and loading an
object so that missing and forbidden look the same (ARCHITECTURE.md rule 3)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


class Forbidden(Exception):
    """Raised by actions when the policy refuses; views turn it into 404."""


def require(allowed: frozenset[str], action: str) -> None:
    """Refuse unless `action` is among what the policy allowed."""
    if action not in allowed:
        raise Forbidden(action)


def get_or_404(queryset, pk):
    """One row of `queryset` (already narrowed to what the actor may see),
    or 404 — for a missing row, a forbidden one and a malformed id alike."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
