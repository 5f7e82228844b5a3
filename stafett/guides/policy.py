"""Who may edit the action guide.

The BTI coordinator of a municipality edits its guide: the one draft,
publishing it, discarding it, and the history of published versions. Nobody
else sees the draft, not even other staff of the municipality. Guide text is
not personal data, so these actions are not audited (who published is kept on
the version itself).
"""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden


def may_edit_guide(actor: Actor, guide=None) -> bool:
    """May `actor` edit the action guide of their municipality? With `guide`
    (or a level, step or tool of one): that one, which must be theirs."""
    if not (actor.is_staff_member and actor.is_coordinator):
        return False
    return guide is None or guide.municipality_id == actor.municipality.pk


def require_guide_editor(actor: Actor, guide=None) -> None:
    if not may_edit_guide(actor, guide):
        raise Forbidden("edit_guide")
