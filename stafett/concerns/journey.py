"""Where a worry stands on the guide's level-0 steps.

Steps are guiding, not forced: each is done when its data exists, in any
order, and the suggested next step is the first one in the guide's order
that is not done yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from stafett.guides.models import TITLE_COLUMNS, Step, steps_for_variant, titled_steps
from stafett.lib.prepared import Prepared

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


def _level0(guide_ids):
    return (Step.objects.filter(level__guide_id__in=guide_ids, level__number=0)
            .values_list("level__guide_id", *TITLE_COLUMNS))


_LEVEL0_TITLES = Prepared(Step, _level0, plan_each_time=False)  # a few guides' steps, by guide


def level0_steps(keys, *, tools: bool = True) -> dict[tuple[int, str], dict[str, Step]]:
    """The level-0 steps by code for each (guide id, service kind) in `keys`,
    using the kind's variant of the guide: one query for any number of keys.
    Lists and the worry's own page show only the steps' titles (`tools`
    False): a prepared query of those. A step's own page shows all of it and
    its tools: the steps whole, and one more query for the tools."""
    keys = set(keys)
    by_guide: dict[int, list[Step]] = {}
    guide_ids = sorted({g for g, _ in keys})
    if tools:
        steps = (Step.objects.filter(level__guide_id__in=guide_ids, level__number=0)
                 .select_related("level__guide").prefetch_related("tools"))
        for step in steps:
            by_guide.setdefault(step.level.guide_id, []).append(step)
    elif guide_ids:
        rows = _LEVEL0_TITLES.rows(guide_ids=guide_ids)
        for (guide_id, *_columns), step in zip(rows, titled_steps(row[1:] for row in rows), strict=True):
            by_guide.setdefault(guide_id, []).append(step)
    return {
        (guide_id, kind): {
            step.code: step
            for step in steps_for_variant(by_guide.get(guide_id, []), kind)
            if step.code
        }
        for guide_id, kind in keys
    }


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
