"""Where a worry stands on the guide's level-0 steps.

Steps are guiding, not forced: each is done when its data exists, in any
order, and the suggested next step is the first one in the guide's order
that is not done yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from stafett.guides.models import Step

CODES = ("define", "share", "talk", "decide", "close")


@dataclass(frozen=True)
class JourneyStep:
    code: str
    step: Step | None
    done: bool
    is_next: bool

    @property
    def title(self) -> str:
        return self.step.title if self.step else self.code


def done_codes(concern, has_conversation: bool) -> set[str]:
    done = set()
    if concern.observations.strip():
        done.add("define")
    if concern.shared_at:
        done.add("share")
    if has_conversation:
        done.add("talk")
    if concern.outcome:
        done.add("decide")
    if not concern.is_open:
        done.add("close")
    return done


def level0_steps(guide_ids) -> dict[int, dict[str, Step]]:
    """The level-0 steps of each guide, by code: one query for any number of guides."""
    steps: dict[int, dict[str, Step]] = {}
    queryset = (
        Step.objects.filter(level__guide_id__in=set(guide_ids), level__number=0)
        .exclude(code="")
        .select_related("level__guide")
        .prefetch_related("tools")
        .order_by("number")
    )
    for step in queryset:
        steps.setdefault(step.level.guide_id, {})[step.code] = step
    return steps


def journey(concern, steps_by_code: dict[str, Step], has_conversation: bool) -> list[JourneyStep]:
    done = done_codes(concern, has_conversation)
    ordered = sorted(CODES, key=lambda c: (steps_by_code[c].number if c in steps_by_code else 99))
    next_code = next((c for c in ordered if c not in done), None)
    return [
        JourneyStep(code=c, step=steps_by_code.get(c), done=c in done, is_next=c == next_code)
        for c in ordered
    ]


def next_step(items: list[JourneyStep]) -> JourneyStep | None:
    return next((item for item in items if item.is_next), None)


def days_idle(concern) -> int:
    return (timezone.now() - concern.last_activity_at).days
