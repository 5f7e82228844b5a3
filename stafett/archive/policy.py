"""Who sets where the municipality's cases are archived: the BTI
coordinator, and nobody else (a leader, an employee, another
municipality's staff get the page's 404). The settings hold no child's data.

Who sees a closed relay's archive status: whoever may see the relay (the
relay's own policy decides, on its page)."""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden


def may_configure_archive(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_archive_configurer(actor: Actor) -> None:
    if not may_configure_archive(actor):
        raise Forbidden("configure_archive")
