"""Who configures the follow-up: the BTI coordinator sets the municipality's
thresholds."""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden


def may_configure_followup(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_followup_configurer(actor: Actor) -> None:
    if not may_configure_followup(actor):
        raise Forbidden("configure_followup")
