"""Completing a part of the introduction.

The answers are checked against the questions as they are now (the guide may
have been published anew since the page was shown) and then forgotten: only
that the person completed the part, and when, is stored. Completing again is
harmless (the first time stands). Employees' own progress is not a child's
data, so it is not audited.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Part, PartCompletion
from .parts import Question, questions_for, wrong_answers
from .policy import require_introduction


def check_and_complete(actor, part: str, answers: dict[str, str],
                       questions: list[Question] | None = None) -> list[str]:
    """Complete `part` if every answer is right. Returns the keys of the
    questions answered wrong (none: the part is completed)."""
    require_introduction(actor)
    if part not in Part.values:
        raise ValueError(part)
    questions = questions if questions is not None else questions_for(actor, part)
    wrong = wrong_answers(questions, answers)
    if not wrong:
        complete_part(actor, part)
    return wrong


@transaction.atomic
def complete_part(actor, part: str) -> PartCompletion:
    require_introduction(actor)
    # The unique constraint makes this idempotent, also for two tabs at once.
    completion, _created = PartCompletion.objects.get_or_create(
        municipality=actor.municipality, user=actor.user, part=part,
        defaults={"completed_at": timezone.now()},
    )
    return completion
