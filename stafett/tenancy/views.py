"""Choosing the municipality to act in, for a person who works in several
(inter-municipal PPT and child welfare services are common)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import authenticated


@authenticated
@require_POST
def switch_municipality(request):
    """Act in another of the person's municipalities from the next request on.
    Only the municipalities the actor works in can be chosen; anything else is
    refused with a message. Every right is then worked out afresh for that municipality."""
    chosen = request.POST.get("municipality", "")
    ids = {pk for pk, _name in request.actor.municipalities}
    if chosen.isdigit() and len(chosen) < 19 and int(chosen) in ids:
        request.session["municipality_id"] = int(chosen)
    else:
        messages.error(request, _("Choose one of the municipalities you work in."))
    # The start page, not the page they came from: that page belongs to the
    # other municipality and would answer 404 now.
    return redirect("home")
