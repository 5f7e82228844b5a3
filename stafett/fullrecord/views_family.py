"""The requester's side: the records they asked for, in the family pages
(ID-porten). Declared `family`; a record is found only by the requester's own
identity number, so anyone else gets 404."""

from django.shortcuts import render

from stafett.access.views import family
from stafett.guides.pdf import pdf_response

from . import actions
from .views import json_response


@family
def family_list(request):
    rows = actions.family_requests(request.actor)
    return render(request, "fullrecord/family_list.html", {"rows": rows, "nav": "records"})


@family
def family_pdf(request, pk):
    access_request = actions.collect(request.actor, pk)
    return pdf_response(bytes(access_request.pdf), f"innsyn-{access_request.pk}.pdf", private=True)


@family
def family_json(request, pk):
    access_request = actions.collect(request.actor, pk)
    return json_response(access_request.document, f"innsyn-{access_request.pk}.json")
