"""A tool from the action guide filled in from a worry: the child, the
service, the employee and today's date, for the author and her leader.

The worry and its tool are loaded in one audited read (`read_concern` with
the tool as its part: a missing tool answers 404 before anything is
recorded); the tool comes from the worry's own guide version, so a form
matches the guidance the worry was started under.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from stafett.access.views import staff
from stafett.guides.models import Tool
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.guides.placeholders import values_for_concern
from stafett.guides.views_tools import safe_filename, tool_document

from .actions import read_concern


def _concern_tool(request, pk, key):
    concern, tool_obj = read_concern(request.actor, pk, part=lambda concern: (
        Tool.objects.select_related("guide").filter(guide_id=concern.guide_id, key=key).first()))
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
        "pdf_url": reverse("concerns:tool_pdf", args=[concern.pk, tool_obj.key]),
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
