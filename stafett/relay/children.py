"""Merging children registered twice, on the live tables: the child's worries,
relays and guardians move to the kept row. Here, not in concerns/children.py,
because it reaches the relay app's tables (concerns/children.py keeps the
model-agnostic merge that the data migration shares)."""

from __future__ import annotations

from django.db import transaction
from django_scopes import scopes_disabled

from stafett.access.actor import ANONYMOUS
from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.children import merge_children
from stafett.concerns.models import Child, Concern

from .models import Guardian, Relay


def merge_and_audit(kept_id: int, other_ids: list[int]) -> None:
    """`merge_children` on the live tables, with one audit event per worry and
    relay that moved to the kept child (the operator's commands; the data
    migration has no actor and no audit chain of its own)."""
    with scopes_disabled():
        moved = [*Concern.objects.filter(child_id__in=other_ids),
                 *Relay.objects.filter(child_id__in=other_ids)]
        with transaction.atomic():
            merge_children(live_models(), kept_id, other_ids)
            record_many(ANONYMOUS, "merge_child", [(case, kept_id, None) for case in moved],
                        legal_basis=LegalBasis.SERVICE_DUTY)


def live_models():
    return Child, Concern, Relay, Guardian
