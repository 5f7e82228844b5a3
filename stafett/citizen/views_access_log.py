"""Innsyn: the family's view of who among staff has looked at the child's
log (stafett.citizen.access_log). Declared `family`; 404 for anyone else."""

from django.shortcuts import render

from stafett.access.views import family

from .access_log import read_access_log


@family
def access_log(request, pk):
    page = read_access_log(request.actor, pk, request.GET.get("eldre"))
    return render(request, "citizen/access_log.html", {**page, "nav": "access_log"})
