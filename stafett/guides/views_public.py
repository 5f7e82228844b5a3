"""Each municipality's published action guide, open to everyone without login.

The address is stable (`/k/<kommunenummer>/veileder/`) and always shows the
newest *published* version; drafts are never shown. These views touch only
the Municipality and the guides' own tables, never a person or a child (a
test captures their queries and checks the tables).

An anonymous request runs with no municipality scope (the tenancy middleware
opens none), so every view here looks the municipality up by its number and
opens its scope itself; a logged-in person of another municipality reading
this guide gets this municipality's scope for the length of the view.

The guide's text is marked with the guide's language (`lang`); the page frame
stays in the visitor's interface language. A guide with service-kind variants
shows the common steps, or one kind's steps with `?for=basis|hjelpe|voksen`.
Every page makes the same number of queries whatever the size of the guide.
"""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from django_scopes import scope, scopes_disabled

from stafett.access.views import public
from stafett.catalog.queries import measures_for_step
from stafett.guides.loader import current_guide
from stafett.guides.models import Level, Step, Variant, steps_for_variant
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.guides.placeholders import fill, values_for_municipality
from stafett.guides.views_tools import safe_filename, tool_document
from stafett.tenancy.models import Municipality

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_RESULTS = 100
SNIPPET_RADIUS = 90
PDF_CACHE_SECONDS = 3600


def public_guide_view(view):
    """Look the municipality up by number, open its scope, find its current
    published guide (404 if either is missing) and call
    `view(request, municipality, guide, *args)` inside the scope. Reading
    only: GET and HEAD."""

    @wraps(view)
    def wrapper(request, municipality_number, *args, **kwargs):
        with scopes_disabled():
            municipality = Municipality.objects.filter(number=municipality_number).first()
        if municipality is None:
            raise Http404
        with scope(municipality=municipality):
            guide = current_guide()
            if guide is None:
                raise Http404
            return view(request, municipality, guide, *args, **kwargs)

    return public(require_safe(wrapper))


def _variant(request) -> str:
    value = request.GET.get("for", "")
    return value if value in Variant.values else ""


def _context(request, municipality, guide, variant="", **extra) -> dict:
    query = f"?for={variant}" if variant else ""
    return {
        "municipality": municipality,  # the footer's emergency numbers are this municipality's
        "guide": guide,
        "guide_lang": guide.language,
        "number": municipality.number,
        "variant": variant,
        "variant_label": Variant(variant).label if variant else "",
        "variant_query": query,
        **extra,
    }


def _levels_and_steps(guide, variant: str, *, level_number=None, with_tools=False):
    """The guide's levels, each with `.public_steps` for `variant`, and the
    variant kinds the guide has: two queries (three with tools)."""
    levels = list(Level.objects.filter(guide=guide).order_by("number"))
    by_id = {level.pk: level for level in levels}
    steps = Step.objects.filter(level__guide=guide).order_by("number", "variant")
    if level_number is not None:
        steps = steps.filter(level__number=level_number)
    if with_tools:
        steps = steps.prefetch_related("tools")
    steps = list(steps)
    for step in steps:
        step.level = by_id[step.level_id]  # no query per step
    variants = sorted({step.variant for step in steps if step.variant})
    chosen = steps_for_variant(steps, variant)
    for level in levels:
        level.public_steps = [s for s in chosen if s.level_id == level.pk]
    return levels, variants


def _variant_choices(variants):
    return [(value, Variant(value).label) for value in variants]


@public_guide_view
def overview(request, municipality, guide):
    variant = _variant(request)
    levels, variants = _levels_and_steps(guide, variant)
    return render(request, "guides/public/overview.html", _context(
        request, municipality, guide, variant,
        levels=levels, variant_choices=_variant_choices(variants),
    ))


def _find_level(levels, number):
    level = next((lv for lv in levels if lv.number == number), None)
    if level is None:
        raise Http404
    return level


@public_guide_view
def level(request, municipality, guide, number):
    variant = _variant(request)
    levels, variants = _levels_and_steps(guide, variant, level_number=number, with_tools=True)
    current = _find_level(levels, number)
    numbers = [lv.number for lv in levels]
    return render(request, "guides/public/level.html", _context(
        request, municipality, guide, variant,
        level=current, variant_choices=_variant_choices(variants),
        previous_level=max((n for n in numbers if n < number), default=None),
        next_level=min((n for n in numbers if n > number), default=None),
    ))


@public_guide_view
def step(request, municipality, guide, level, number):
    variant = _variant(request)
    levels, variants = _levels_and_steps(guide, variant, level_number=level, with_tools=True)
    level_obj = _find_level(levels, level)
    steps = level_obj.public_steps
    current = next((s for s in steps if s.number == number), None)
    if current is None:
        raise Http404
    index = steps.index(current)
    return render(request, "guides/public/step.html", _context(
        request, municipality, guide, variant,
        level=level_obj, step=current, steps=steps, tools=list(current.tools.all()),
        step_measures=measures_for_step(municipality.pk, level, number),
        variant_choices=_variant_choices(variants),
        previous_step=steps[index - 1] if index > 0 else None,
        next_step=steps[index + 1] if index + 1 < len(steps) else None,
    ))


def _tools_with_steps(guide):
    steps = Step.objects.select_related("level").order_by("level__number", "number", "variant")
    return guide.tools.prefetch_related(Prefetch("steps", queryset=steps))


@public_guide_view
def tools(request, municipality, guide):
    return render(request, "guides/public/tools.html", _context(
        request, municipality, guide, tools=list(_tools_with_steps(guide)),
    ))


def _tool(guide, key):
    tool = _tools_with_steps(guide).filter(key=key).first()
    if tool is None:
        raise Http404
    return tool


@public_guide_view
def tool(request, municipality, guide, key):
    tool_obj = _tool(guide, key)
    return render(request, "guides/public/tool.html", _context(
        request, municipality, guide,
        **tool_document(tool_obj, guide, values_for_municipality(municipality)),
        tool_steps=list(tool_obj.steps.all()),
        pdf_url=reverse("guides_public:tool_pdf", args=[municipality.number, tool_obj.key]),
    ))


def _cached_pdf(municipality, guide, parts, build) -> bytes:
    """A public PDF from the cache, or built and cached.

    Rendering the whole guide takes a second or two, and anyone may ask for
    it. A published guide never changes (edits make a new version), so the
    key is the version, what is shown, the interface language and the
    municipality's own values (its numbers can change)."""
    identity = repr((
        guide.pk, guide.number, guide.published_at, get_language(), *parts,
        sorted(values_for_municipality(municipality).items()),
    ))
    key = "stafett:public-pdf:" + hashlib.sha256(identity.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = build()
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


@public_guide_view
def tool_pdf(request, municipality, guide, key):
    tool_obj = _tool(guide, key)
    pdf = _cached_pdf(municipality, guide, ("tool", tool_obj.key), lambda: render_pdf(
        "guides/tools/tool_pdf.html", {
            **tool_document(tool_obj, guide, values_for_municipality(municipality)),
            "municipality": municipality,
            "pdf_lang": guide.language,
        }, request))
    return pdf_response(pdf, safe_filename(tool_obj.key) + ".pdf")


# --- Search ----------------------------------------------------------------
#
# A guide is a few hundred short texts at most, so it is searched in Python:
# one query per table whatever the words, and case-insensitive for æ, ø and å
# too (SQLite's LIKE folds ASCII letters only).


def _terms(query: str) -> list[str]:
    return list(dict.fromkeys(query.split()))[:MAX_TERMS]


def _snippet(text: str, pattern: re.Pattern) -> list[tuple[str, bool]]:
    """The part of `text` around the first match, as (text, is_match) pieces."""
    match = pattern.search(text)
    if match is None:
        return []
    start = max(0, match.start() - SNIPPET_RADIUS)
    end = min(len(text), match.end() + SNIPPET_RADIUS)
    if start > 0:  # begin and end on word boundaries
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else end
    excerpt = " ".join(text[start:end].split())
    pieces: list[tuple[str, bool]] = [("… ", False)] if start > 0 else []
    position = 0
    for found in pattern.finditer(excerpt):
        if found.start() > position:
            pieces.append((excerpt[position:found.start()], False))
        pieces.append((found.group(0), True))
        position = found.end()
    if position < len(excerpt):
        pieces.append((excerpt[position:], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


def _search(guide, municipality, query: str) -> list[dict]:
    terms = _terms(query)
    if not terms:
        return []
    any_term = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    each_term = [re.compile(re.escape(t), re.IGNORECASE) for t in terms]

    def matches(texts: list[str]) -> bool:
        joined = "\n".join(texts)
        return all(p.search(joined) for p in each_term)

    def snippet(texts: list[str]) -> list[tuple[str, bool]]:
        # Prefer a match in the text over one in the title (the title is shown anyway).
        for text in texts[1:] + texts[:1]:
            pieces = _snippet(text, any_term)
            if pieces:
                return pieces
        return []

    number = municipality.number
    results: list[dict] = []
    levels = list(Level.objects.filter(guide=guide).order_by("number"))
    all_steps = list(
        Step.objects.filter(level__guide=guide).order_by("level__number", "number", "variant")
    )
    by_id = {lv.pk: lv for lv in levels}
    for level_obj in levels:
        texts = [level_obj.title, level_obj.purpose, level_obj.audience]
        if matches(texts):
            results.append({
                "kind": "level", "title": level_obj.title, "where": "",
                "url": reverse("guides_public:level", args=[number, level_obj.number]),
                "snippet": snippet(texts),
            })
        for step_obj in (s for s in all_steps if s.level_id == level_obj.pk):
            step_obj.level = by_id[step_obj.level_id]
            texts = [step_obj.title, step_obj.summary, step_obj.body, step_obj.who]
            if matches(texts):
                url = reverse("guides_public:step", args=[number, level_obj.number, step_obj.number])
                results.append({
                    "kind": "step", "title": step_obj.title, "where": level_obj.title,
                    "variant": step_obj.get_variant_display() if step_obj.variant else "",
                    "url": url + (f"?for={step_obj.variant}" if step_obj.variant else ""),
                    "snippet": snippet(texts),
                })
    values = values_for_municipality(municipality)
    for tool_obj in guide.tools.all():
        texts = [tool_obj.title, tool_obj.description, fill(tool_obj.body, values)]
        if matches(texts):
            results.append({
                "kind": "tool", "title": tool_obj.title, "where": "",
                "url": reverse("guides_public:tool", args=[number, tool_obj.key]),
                "snippet": snippet(texts),
            })
    return results[:MAX_RESULTS]


@public_guide_view
def search(request, municipality, guide):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    results = _search(guide, municipality, query) if query else []
    return render(request, "guides/public/search.html", _context(
        request, municipality, guide, query=query, results=results,
        searched=bool(query),
    ))


# --- The whole guide, to print and as PDF -----------------------------------


def _whole_guide(request, municipality, guide) -> dict:
    variant = _variant(request)
    levels, variants = _levels_and_steps(guide, variant, with_tools=True)
    values = values_for_municipality(municipality)
    tool_list = [tool_document(t, guide, values) for t in guide.tools.all()]
    return _context(
        request, municipality, guide, variant,
        levels=levels, tool_documents=tool_list, variant_choices=_variant_choices(variants),
    )


@public_guide_view
def print_view(request, municipality, guide):
    context = _whole_guide(request, municipality, guide)
    return render(request, "guides/public/print.html", context)


@public_guide_view
def guide_pdf(request, municipality, guide):
    variant = _variant(request)
    pdf = _cached_pdf(municipality, guide, ("guide", variant), lambda: render_pdf(
        "guides/public/guide_pdf.html",
        {**_whole_guide(request, municipality, guide), "pdf_lang": guide.language,
         "pdf_emergency": True}, request))
    name = ["handlingsveileder", municipality.number, f"v{guide.number}"]
    if variant:
        name.append(variant)
    return pdf_response(pdf, safe_filename(*name) + ".pdf")
