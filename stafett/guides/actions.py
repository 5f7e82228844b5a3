"""Every write to a municipality's action guide goes through one of these functions.

The BTI coordinator works on *the* draft (one per municipality): it starts as
a copy of the newest published version, is edited level by level and step by
step, and is then published as the next version or discarded. Published
versions are never changed again: worries keep pointing to the version they
were started under.

Each function is atomic, asks the policy layer whether the actor may edit the
guide (`Forbidden` otherwise, which views turn into 404), and bumps the draft's
`lock_version`, so a form posted from a stale page is refused (`Conflict`)
instead of silently overwriting another coordinator's edit. Guide text is not
personal data, so nothing here writes an AuditEvent; who published a version,
and when, is kept on the version itself.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from stafett.access.rules import Forbidden
from stafett.guides.loader import lock_municipality
from stafett.guides.policy import require_guide_editor
from stafett.lib.errors import Conflict

from .models import Guide, Level, Step, Tool, Variant

GUIDE_TEXTS = ("title", "title_other", "introduction", "introduction_other")
LEVEL_TEXTS = ("title", "purpose", "audience", "title_other", "purpose_other", "audience_other")
STEP_TEXTS = ("title", "summary", "body", "who", "title_other", "summary_other", "body_other",
              "who_other")
TOOL_FIELDS = ("key", "kind", "title", "description", "body", "title_other",
               "description_other", "body_other")
MAX_STEP_NUMBER = 50


class DraftGone(Conflict):
    """The draft was published or discarded since the form was opened."""


class NoPublishedGuide(Exception):
    """There is no published version to start a draft from."""


class StepNumberTaken(Exception):
    """The level already has a step with this number for this variant."""


class StepRequired(Exception):
    """The step carries a code the app's journeys depend on; it cannot be removed."""


def current_draft(actor) -> Guide | None:
    """The municipality's draft, for the coordinator only (Forbidden otherwise)."""
    require_guide_editor(actor)
    return (
        Guide.objects.filter(municipality=actor.municipality, status=Guide.Status.DRAFT)
        .select_related("based_on", "created_by")
        .first()
    )


def newest_published(municipality) -> Guide | None:
    return (
        Guide.objects.filter(municipality=municipality, status=Guide.Status.PUBLISHED)
        .order_by("-number", "-pk")
        .first()
    )


def _lock(actor, obj, guide_id: int, lock_version: int) -> Guide:
    """Re-read the draft under a row lock; refuse if it moved on since `lock_version`.

    `obj` (the guide, level or step being changed) must belong to the actor's
    municipality: Forbidden otherwise, before anything else is looked at."""
    require_guide_editor(actor, obj)
    fresh = Guide.objects.select_for_update().filter(pk=guide_id).first()
    if fresh is None:
        raise DraftGone
    require_guide_editor(actor, fresh)
    if not fresh.is_draft:
        raise DraftGone
    if fresh.lock_version != lock_version:
        raise Conflict
    return fresh


def _bump(draft: Guide, *fields: str) -> Guide:
    draft.lock_version += 1
    draft.save(update_fields=[*fields, "lock_version"])
    return draft


def _texts(allowed: tuple[str, ...], values: dict) -> dict:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return values


def _check_tools(draft: Guide, tools) -> list[Tool]:
    tools = list(tools)
    if any(tool.guide_id != draft.pk for tool in tools):
        raise Forbidden("tool of another guide")
    return tools


@transaction.atomic
def start_draft(actor) -> Guide:
    """The draft, starting one as a copy of the newest published version if
    there is none: texts, levels, steps (with their variants and codes),
    tools and which tools belong to which step. A constant number of queries
    whatever the size of the guide."""
    require_guide_editor(actor)
    municipality = actor.municipality
    existing = current_draft(actor)
    if existing is not None:
        return existing
    source = newest_published(municipality)
    if source is None:
        raise NoPublishedGuide
    try:
        with transaction.atomic():  # another coordinator may start one at the same moment
            draft = Guide.objects.create(
                municipality=municipality,
                language=source.language,
                template=source.template,
                status=Guide.Status.DRAFT,
                number=None,
                based_on=source,
                created_by=actor.user,
                **{field: getattr(source, field) for field in GUIDE_TEXTS},
            )
    except IntegrityError:
        existing = current_draft(actor)
        if existing is None:
            raise
        return existing

    tools = list(Tool.objects.filter(guide=source).order_by("pk"))
    new_tools = Tool.objects.bulk_create([
        Tool(municipality=municipality, guide=draft,
             **{field: getattr(tool, field) for field in TOOL_FIELDS})
        for tool in tools
    ])
    tool_ids = {old.pk: new.pk for old, new in zip(tools, new_tools, strict=True)}

    levels = list(Level.objects.filter(guide=source).order_by("number"))
    new_levels = Level.objects.bulk_create([
        Level(municipality=municipality, guide=draft, number=level.number,
              **{field: getattr(level, field) for field in LEVEL_TEXTS})
        for level in levels
    ])
    level_by_id = {old.pk: new for old, new in zip(levels, new_levels, strict=True)}

    steps = list(Step.objects.filter(level__guide=source).order_by("pk"))
    new_steps = Step.objects.bulk_create([
        Step(municipality=municipality, level=level_by_id[step.level_id], number=step.number,
             variant=step.variant, code=step.code,
             **{field: getattr(step, field) for field in STEP_TEXTS})
        for step in steps
    ])
    step_ids = {old.pk: new.pk for old, new in zip(steps, new_steps, strict=True)}

    Through = Step.tools.through
    links = Through.objects.filter(step__level__guide=source).values_list("step_id", "tool_id")
    Through.objects.bulk_create([
        Through(step_id=step_ids[step_id], tool_id=tool_ids[tool_id])
        for step_id, tool_id in links
    ])
    return draft


@transaction.atomic
def update_guide(actor, draft: Guide, *, lock_version: int, **texts) -> Guide:
    """The guide's title and introduction, in both languages."""
    fresh = _lock(actor, draft, draft.pk, lock_version)
    for field, value in _texts(GUIDE_TEXTS, texts).items():
        setattr(fresh, field, value)
    return _bump(fresh, *texts)


@transaction.atomic
def update_level(actor, level: Level, *, lock_version: int, **texts) -> Level:
    """A level's title, purpose and audience, in both languages."""
    _bump(_lock(actor, level, level.guide_id, lock_version))
    for field, value in _texts(LEVEL_TEXTS, texts).items():
        setattr(level, field, value)
    level.save(update_fields=list(texts))
    return level


@transaction.atomic
def update_step(actor, step: Step, *, lock_version: int, tools=None, **texts) -> Step:
    """A step's texts, in both languages, and which tools belong to it.

    Its number and variant stay: remove it and add another to move it."""
    draft = _bump(_lock(actor, step, step.level.guide_id, lock_version))
    for field, value in _texts(STEP_TEXTS, texts).items():
        setattr(step, field, value)
    step.save(update_fields=list(texts))
    if tools is not None:
        step.tools.set(_check_tools(draft, tools))
    return step


def next_step_number(level: Level) -> int:
    last = level.steps.aggregate(last=models.Max("number"))["last"] or 0
    return last + 1


@transaction.atomic
def add_step(actor, level: Level, *, lock_version: int, variant: str, number: int,
             tools=(), **texts) -> Step:
    """A new step on a level of the draft.

    With a variant (basis, hjelpe, voksen) and the number of a common step, it
    replaces that step for services of that kind, and takes over its code, so
    the app's journeys keep working for them; with a new number it adds a
    step for them alone."""
    draft = _bump(_lock(actor, level, level.guide_id, lock_version))
    if variant not in Variant.values:
        raise ValueError(f"unknown variant {variant!r}")
    if not 1 <= number <= MAX_STEP_NUMBER:
        raise ValueError(f"step number out of range: {number}")
    siblings = {(s.variant, s.number): s for s in level.steps.all()}
    if (variant, number) in siblings:
        raise StepNumberTaken
    replaced = siblings.get(("", number)) if variant else None
    step = Step.objects.create(
        municipality_id=level.municipality_id,
        level=level,
        number=number,
        variant=variant,
        code=replaced.code if replaced else "",
        **_texts(STEP_TEXTS, texts),
    )
    step.tools.set(_check_tools(draft, tools))
    return step


def is_required(step: Step) -> bool:
    """A common step with a code: the app hangs behaviour on it (the level-0
    journey on define/share/talk/decide/close), so it may be rewritten but
    not removed."""
    return bool(step.code) and step.variant == Variant.COMMON


@transaction.atomic
def remove_step(actor, step: Step, *, lock_version: int) -> None:
    _bump(_lock(actor, step, step.level.guide_id, lock_version))
    if is_required(step):
        raise StepRequired
    step.delete()


@transaction.atomic
def publish_draft(actor, draft: Guide, *, lock_version: int) -> Guide:
    """Freeze the draft as the next version: from now on the guide everyone
    works by. Worries already started keep the version they were started under."""
    fresh = _lock(actor, draft, draft.pk, lock_version)
    # Version numbers are given under the same municipality lock as imports.
    lock_municipality(fresh.municipality)
    last = Guide.objects.filter(municipality_id=fresh.municipality_id).aggregate(
        last=models.Max("number"))["last"] or 0
    fresh.status = Guide.Status.PUBLISHED
    fresh.number = last + 1
    fresh.published_at = timezone.now()
    fresh.published_by = actor.user
    return _bump(fresh, "status", "number", "published_at", "published_by")


@transaction.atomic
def discard_draft(actor, draft: Guide, *, lock_version: int) -> None:
    """Throw the draft away, with its levels, steps and tools."""
    fresh = _lock(actor, draft, draft.pk, lock_version)
    fresh.delete()
