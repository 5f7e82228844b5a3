"""The action guide, read-only, for staff of the current municipality.

Guide text is not personal data, so these pages are not audited. Each page
makes the same number of queries whatever the size of the guide.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from stafett.access.views import staff
from stafett.catalog.queries import measures_for_step
from stafett.guides.loader import current_guide
from stafett.guides.models import Step, steps_for_variant
from stafett.tenancy.models import Service


def _guide_context(request):
    guide = current_guide()  # scoped to the actor's municipality by the middleware
    if guide is None:
        raise Http404
    # Only mark the guide text with its language where it differs from the UI's,
    # so screen readers switch voice when they must.
    guide_lang = guide.language if guide.language != (get_language() or "") else ""
    # A person reads the variant of the guide for their own kind of service.
    kind = (
        Service.objects.filter(pk__in=request.actor.service_ids)
        .order_by("name").values_list("kind", flat=True).first()
    ) or ""
    return {"guide": guide, "guide_lang": guide_lang, "nav": "guide", "variant": kind}


def _variant_steps(level, variant):
    return steps_for_variant(level.steps.all(), variant)


@staff
def overview(request):
    context = _guide_context(request)
    levels = list(context["guide"].levels.prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("level").order_by("number"))
    ))
    for level in levels:
        level.variant_steps = _variant_steps(level, context["variant"])
    return render(request, "guides/overview.html", {**context, "levels": levels})


@staff
def level(request, number):
    context = _guide_context(request)
    guide = context["guide"]
    steps = Step.objects.select_related("level").order_by("number").prefetch_related("tools")
    level = get_object_or_404(
        guide.levels.prefetch_related(Prefetch("steps", queryset=steps)), number=number
    )
    level.variant_steps = _variant_steps(level, context["variant"])
    # All level numbers for the previous/next links, in one small query.
    numbers = list(guide.levels.values_list("number", flat=True))
    return render(request, "guides/level.html", {
        **context,
        "level": level,
        "previous_level": max((n for n in numbers if n < number), default=None),
        "next_level": min((n for n in numbers if n > number), default=None),
    })


@staff
def step(request, level, number):
    context = _guide_context(request)
    level_obj = get_object_or_404(
        context["guide"].levels.prefetch_related(
            Prefetch("steps", queryset=Step.objects.select_related("level").order_by("number"))
        ),
        number=level,
    )
    steps = _variant_steps(level_obj, context["variant"])
    current = next((s for s in steps if s.number == number), None)
    if current is None:
        raise Http404
    index = steps.index(current)
    return render(request, "guides/step.html", {
        **context,
        "level": level_obj,
        "step": current,
        "tools": list(current.tools.all()),
        "step_measures": measures_for_step(request.actor.municipality.pk, level, number),
        "steps": steps,
        "previous_step": steps[index - 1] if index > 0 else None,
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
    })


@staff
def tools(request):
    context = _guide_context(request)
    tool_list = context["guide"].tools.prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("level"))
    )
    return render(request, "guides/tools.html", {**context, "tools": tool_list})
