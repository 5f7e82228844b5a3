"""Reading the catalogue: the filtered list (staff and public alike) and the
measures that belong to a guide step. A bounded number of queries whatever
the size of the catalogue."""

from __future__ import annotations

from django.db.models import Q

from stafett.tenancy.models import Service

from .models import CatalogMeasure


def filtered(queryset, filters: dict):
    q = " ".join((filters.get("q") or "").split())
    for word in q.split()[:10]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word)
                                   | Q(contact__icontains=word) | Q(service__name__icontains=word))
    age = filters.get("alder")
    if age not in (None, ""):
        age = int(age)
        queryset = queryset.filter(Q(age_from__isnull=True) | Q(age_from__lte=age),
                                   Q(age_to__isnull=True) | Q(age_to__gte=age))
    level = filters.get("niva")
    if level not in (None, ""):
        queryset = queryset.filter(levels__contains=str(level))
    service = filters.get("tjeneste")
    if service is not None:
        queryset = queryset.filter(service=service)
    status = filters.get("status") or "aktive"
    if status == "aktive":
        queryset = queryset.filter(active=True)
    elif status == "inaktive":
        queryset = queryset.filter(active=False)
    return queryset.select_related("service").order_by("name", "pk")


def services_with_measures(municipality_id: int, *, active_only: bool):
    measures = CatalogMeasure.objects.filter(municipality_id=municipality_id)
    if active_only:
        measures = measures.filter(active=True)
    return Service.objects.filter(municipality_id=municipality_id,
                                  pk__in=measures.values("service_id")).order_by("name")


def step_filter(level: int, step: int) -> Q:
    """Measures whose `steps` hold the code "level.step" (space-separated codes)."""
    code = f"{level}.{step}"
    return (Q(steps=code) | Q(steps__startswith=code + " ") | Q(steps__endswith=" " + code)
            | Q(steps__contains=f" {code} "))


def measures_for_step(municipality_id: int, level: int, step: int) -> list[CatalogMeasure]:
    """The active measures that belong to a guide step, in one query."""
    return list(CatalogMeasure.objects.filter(step_filter(level, step), municipality_id=municipality_id,
                                              active=True).select_related("service").order_by("name"))


def pickable(municipality_id: int):
    """Active measures to pick in a relay, sorted by service, then name."""
    return (CatalogMeasure.objects.filter(municipality_id=municipality_id, active=True)
            .select_related("service").order_by("service__name", "name", "pk"))
