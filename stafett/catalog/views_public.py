"""The catalogue of measures, open to everyone beside the public guide
(`/k/<kommunenummer>/tiltak/`): active measures only, searchable and
filterable by age, level and service. Reads only the Municipality, its
services and the catalogue, never a person; cacheable like the public guide."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_scopes import scope, scopes_disabled

from stafett.access.views import public
from stafett.tenancy.models import Municipality

from . import queries
from .forms import FilterForm
from .models import CatalogMeasure
from .views import _query_string


def public_catalog_view(view):
    @wraps(view)
    def wrapper(request, municipality_number, *args, **kwargs):
        with scopes_disabled():
            municipality = Municipality.objects.filter(number=municipality_number).first()
        if municipality is None:
            raise Http404
        with scope(municipality=municipality):
            return view(request, municipality, *args, **kwargs)

    return public(require_safe(wrapper))


@public_catalog_view
def catalog_list(request, municipality):
    form = FilterForm(request.GET, with_status=False, services=queries.services_with_measures(
        municipality.pk, active_only=True))
    filters = {**form.filters(), "status": "aktive"}
    measures = queries.filtered(CatalogMeasure.objects.filter(municipality=municipality), filters)
    page = Paginator(measures, settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "catalog/public/list.html", {
        "municipality": municipality, "number": municipality.number, "form": form, "page": page,
        "query": _query_string(form),
    })


@public_catalog_view
def detail(request, municipality, key):
    measure = (CatalogMeasure.objects.filter(municipality=municipality, key=key, active=True)
               .select_related("service").first())
    if measure is None:
        raise Http404
    return render(request, "catalog/public/detail.html", {
        "municipality": municipality, "number": municipality.number, "measure": measure,
    })
