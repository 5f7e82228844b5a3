"""The family's reads and writes: one function per use case, each audited in
its own transaction like staff's, on the family's right of access."""

from __future__ import annotations

from itertools import groupby

from django.db import transaction
from django_scopes import scopes_disabled

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis

from .policy import family_relays, family_scope, load_family_relay

FAMILY = LegalBasis.FAMILY_ACCESS


def audit(actor, action: str, relay, item=None) -> None:
    """One audit row for a family member's read or write of their own log."""
    with family_scope(relay):
        record(actor, action, relay, legal_basis=FAMILY, child_id=relay.child_id, item=item)


def my_relays(actor) -> list:
    """The relays of the actor's children, newest first, each audited as a
    list read (one call per municipality: each has its own chain)."""
    with transaction.atomic(), scopes_disabled():
        relays = list(
            family_relays(actor).select_related("municipality", "holder", "holder_service")
            .order_by("-created_at", "-pk")
        )
        for _municipality, rows in groupby(sorted(relays, key=lambda r: r.municipality_id),
                                           key=lambda r: r.municipality_id):
            record_many(actor, "list", [(r, r.child_id, None) for r in rows], legal_basis=FAMILY)
    return relays


def read_relay(actor, pk, action: str = "view", *, event: str = "read", part=None):
    """Load one of the family's relays and record one read; `part(relay)`
    finds a part of it (None refuses before anything is recorded)."""
    with transaction.atomic():
        relay = load_family_relay(actor, pk, action)
        item = None
        if part is not None:
            with family_scope(relay):
                item = part(relay)
            if item is None:
                raise Forbidden("part")
        audit(actor, event, relay, item)
    return (relay, item) if part is not None else relay
