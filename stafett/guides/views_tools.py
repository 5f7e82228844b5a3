"""The tool library (verktøy) for staff: each tool as a blank printable form,
and filled in from a worry.

A blank form knows only the municipality (its name and emergency numbers); a
form filled in from a worry also knows the child, the service, the employee
and today's date. The worry is loaded through `read_concern`, which checks
access (404 for anyone who may not see it) and writes the one audit read
event; the tool comes from the worry's own guide version, so a form matches
the guidance the worry was started under.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from stafett.access.views import staff
from stafett.concerns.actions import read_concern
from stafett.guides.loader import current_guide
from stafett.guides.models import Step, Tool
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.guides.placeholders import blocks, fill, values_for_concern, values_for_municipality


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


def _concern_tool(request, pk, key):
    concern = read_concern(request.actor, pk)
    tool_obj = Tool.objects.select_related("guide").filter(guide_id=concern.guide_id, key=key).first()
    if tool_obj is None:
        raise Http404
    values = values_for_concern(concern, request.actor)
    return concern, tool_obj, tool_document(tool_obj, tool_obj.guide, values)


@staff
@never_cache
def concern_tool(request, pk, key):
    """The form filled in from a worry, for the author and her leader."""
    concern, tool_obj, document = _concern_tool(request, pk, key)
    return render(request, "guides/tools/concern_tool.html", {
        **document,
        "concern": concern,
        "child": concern.child,
        "pdf_url": reverse("guides_tools:concern_tool_pdf", args=[concern.pk, tool_obj.key]),
        "nav": "inbox" if concern.author_id != request.user.pk else "mine",
    })


@staff
@never_cache
def concern_tool_pdf(request, pk, key):
    concern, tool_obj, document = _concern_tool(request, pk, key)
    pdf = render_pdf("guides/tools/tool_pdf.html", {
        **document,
        "municipality": request.actor.municipality,
        "service_name": concern.service.name,
        "pdf_lang": tool_obj.guide.language,
        "pdf_subject": _("Filled in from a worry"),
    }, request)
    # No child's name in the file name: downloads folders and logs keep file names.
    return pdf_response(pdf, safe_filename(tool_obj.key, concern.pk) + ".pdf", private=True)
