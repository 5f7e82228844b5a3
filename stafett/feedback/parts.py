"""The parts of the guide feedback can be about: the steps and tools of the
municipality's newest published guide, as the labelled choices of the form
and as the labels lists show. Three queries whatever the size of the guide."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stafett.guides.models import Guide, Step, Tool


@dataclass(frozen=True)
class Parts:
    steps: list[tuple[str, str]]  # ("level.step", "Level 1, step 2: title")
    tools: list[tuple[str, str]]  # (key, title)

    def label(self, topic: str, subject: str) -> str:
        """What the item is about, in words; the stored code when the guide
        no longer has that part."""
        if not subject:
            return ""
        table = dict(self.steps if topic == "step" else self.tools if topic == "tool" else [])
        return table.get(subject, subject)


def current_published(municipality) -> Guide | None:
    return (Guide.objects.filter(municipality=municipality, status=Guide.Status.PUBLISHED)
            .order_by("-number", "-pk").first())


def guide_parts(municipality) -> Parts:
    guide = current_published(municipality)
    if guide is None:
        return Parts([], [])
    steps, seen = [], set()
    # A step may have variants per kind of service: one choice per level and number.
    for step in (Step.objects.filter(municipality=municipality, level__guide=guide)
                 .select_related("level").order_by("level__number", "number", "variant", "pk")):
        value = f"{step.level.number}.{step.number}"
        if value in seen:
            continue
        seen.add(value)
        steps.append((value, _("Level %(level)s, step %(step)s: %(title)s") % {
            "level": step.level.number, "step": step.number, "title": step.title}))
    tools = list(Tool.objects.filter(municipality=municipality, guide=guide)
                 .order_by("title", "pk").values_list("key", "title"))
    return Parts(steps, tools)


def published_versions(municipality):
    """The published guide versions a change may be linked to, newest first."""
    return (Guide.objects.filter(municipality=municipality, status=Guide.Status.PUBLISHED)
            .exclude(number__isnull=True).order_by("-number"))
