"""The leadership view: aggregates only, for the services the viewer leads
(or the whole municipality for the BTI coordinator). No page here names or
links to a child, so nothing is audited: no personal data is read into it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stafett.access.views import staff
from stafett.insights.policy import require_insights

from . import aggregates, charts, exports


def _months(request) -> int:
    try:
        months = int(request.GET.get("maneder", aggregates.DEFAULT_PERIOD))
    except ValueError:
        return aggregates.DEFAULT_PERIOD
    return months if months in aggregates.PERIODS else aggregates.DEFAULT_PERIOD


def _legend() -> str:
    return _('"<5": fewer than five, hidden. ":": hidden so that no small number can be '
             'worked out from the other figures; it may be any number from 1 up. 0 means none.')


def _dashboard(request):
    service_ids = require_insights(request.actor)
    return aggregates.dashboard(request.actor.municipality, service_ids, _months(request))


@staff
def dashboard(request):
    data = _dashboard(request)
    figures = [(table, charts.bar_chart(table)) for table in data.tables]
    return render(request, "insights/dashboard.html", {
        "nav": "insights", "data": data, "figures": figures, "legend": _legend(),
        "periods": aggregates.PERIODS, "months": data.scope.months,
        "whole_municipality": request.actor.is_coordinator,
    })


@staff
def download(request, fmt: str):
    data = _dashboard(request)
    stem = f"stafett-ledelse-{data.scope.months}m"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(data.tables, _legend()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    response = HttpResponse(exports.to_csv(data.tables, _legend()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
