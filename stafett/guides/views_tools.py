"""The tool library (verktøy) for staff: each tool as a blank printable form.

A blank form knows only the municipality (its name and emergency numbers);
the same tool filled in from a worry is the worry's page
(stafett.concerns.views_tools), which builds on `tool_document` here.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from stafett.access.views import staff
from stafett.guides.loader import current_guide
from stafett.guides.models import Step, Tool
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.guides.placeholders import blocks, fill, values_for_municipality


def tool_document(tool: Tool, guide, values: dict) -> dict:
    """What the templates need to show one tool as a form.

    `tool_blocks` is the tool's text with the placeholders filled in from
    `values` (blanks for the rest), split into headings, lists and paragraphs
    of plain text; the templates escape it. A tool without a text yet shows
    its description instead.
    """
    has_body = bool(tool.body.strip())
    return {
        "tool": tool,
        "tool_lang": guide.language,
        "tool_has_body": has_body,
        "tool_blocks": blocks(fill(tool.body, values)) if has_body else [],
    }


def safe_filename(*parts) -> str:
    """A file name of ASCII letters, digits and dashes (tool keys are slugs already)."""
    cleaned = "-".join(
        "".join(c if (c.isascii() and c.isalnum()) or c == "-" else "-" for c in str(p))
        for p in parts if str(p)
    )
    return "-".join(filter(None, cleaned.split("-"))) or "stafett"


def _staff_tool(key: str) -> tuple:
    guide = current_guide()  # the actor's municipality, by the middleware's scope
    if guide is None:
        raise Http404
    steps = Step.objects.select_related("level").order_by("level__number", "number", "variant")
    tool = (
        Tool.objects.filter(guide=guide, key=key)
        .prefetch_related(Prefetch("steps", queryset=steps))
        .first()
    )
    if tool is None:
        raise Http404
    return guide, tool


@staff
def tool(request, key):
    """A blank form, printable, in the current guide."""
    guide, tool_obj = _staff_tool(key)
    municipality = request.actor.municipality
    return render(request, "guides/tools/tool.html", {
        **tool_document(tool_obj, guide, values_for_municipality(municipality)),
        "guide": guide,
        "tool_steps": list(tool_obj.steps.all()),
        "pdf_url": reverse("guides_tools:tool_pdf", args=[tool_obj.key]),
        "nav": "guide",
    })


@staff
def tool_pdf(request, key):
    guide, tool_obj = _staff_tool(key)
    municipality = request.actor.municipality
    pdf = render_pdf("guides/tools/tool_pdf.html", {
        **tool_document(tool_obj, guide, values_for_municipality(municipality)),
        "municipality": municipality,
        "pdf_lang": guide.language,
    }, request)
    return pdf_response(pdf, safe_filename(tool_obj.key) + ".pdf")
