"""The leadership view: aggregates only, for the services the viewer leads
(or the whole municipality for the BTI coordinator). No page here names or
links to a child, so nothing is audited: no personal data is read into it."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stafett.access.views import staff
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.insights.policy import require_insights
from stafett.lib.downloads import csv_response, xlsx_response
from stafett.lib.replica import stale_reads_ok

from . import aggregates, charts, exports, implementation, snapshot
from .suppression import HIDDEN, SMALL

# The order a leader reads the sections in (after the key figures).
SECTION_ORDER = ("worry_wait", "consent_coverage", "open_breaks", "started_by_service",
                 "started_by_month", "flows", "time_on_levels", "services_covered",
                 "catalog_usage", "reports_sent")
# Tables shown as figures at the top, without a bar chart.
NO_CHART = {"key_figures", "worry_wait", "reports_sent"}


def _months(request) -> int:
    try:
        months = int(request.GET.get("maneder", aggregates.DEFAULT_PERIOD))
    except ValueError:
        return aggregates.DEFAULT_PERIOD
    return months if months in aggregates.PERIODS else aggregates.DEFAULT_PERIOD


def _legend() -> str:
    return _('"<5": fewer than five, hidden. ":": hidden so that no small number can be '
             'worked out from the other figures; it may be any number from 1 up. 0 means none.')


def hidden_words() -> dict[str, str]:
    return {SMALL: _("under 5"), HIDDEN: _("hidden")}


@dataclass
class Figure:
    label: str
    now: object  # Cell
    series: list  # [(point label, Cell)]
    change: str  # in words, "" when it cannot be said
    extra: str = ""


def _change(previous, now) -> str:
    """The change in words, only between two visible numbers."""
    if previous is None or now is None or previous.hidden or now.hidden \
            or previous.value is None or now.value is None:
        return ""
    diff = now.value - previous.value
    if diff > 0:
        return ngettext("up %(n)s from last month", "up %(n)s from last month", diff) % {"n": diff}
    if diff < 0:
        return ngettext("down %(n)s from last month", "down %(n)s from last month", -diff) % {"n": -diff}
    return _("unchanged from last month")


def key_figures(data) -> list[Figure]:
    table, coverage = data.table("key_figures"), data.table("consent_coverage")
    out = []
    for label, cells in table.rows:
        series = [(col, cell) for col, cell in zip(table.columns, cells, strict=True) if cell.text != "–"]
        change = _change(series[-2][1], series[-1][1]) if len(series) > 1 else ""
        out.append(Figure(label, cells[-1], series if len(series) > 1 else [], change))
    covered, _without, total = coverage.total_row[1]
    if not covered.hidden and not total.hidden and total.value:
        share = round(100 * covered.value / total.value)
        out.append(Figure(_("Consent coverage"), None, [], "",
                          _("%(share)s %% of open relays have a consent in force") % {"share": share}))
    reports = data.table("reports_sent")
    _label, cells = reports.rows[0]
    months = list(zip(reports.columns[:-1], cells[:-1], strict=True))
    out.append(Figure(_("Reports of concern sent in the period"), cells[-1], months,
                      _change(months[-2][1], months[-1][1]) if len(months) > 1 else ""))
    return out


def ordered(data) -> list:
    """The tables in the order the page shows them; the downloads keep it."""
    by_key = {t.key: t for t in data.tables}
    return [by_key[k] for k in ("key_figures", *SECTION_ORDER) if k in by_key]


def _dashboard(request):
    service_ids = require_insights(request.actor)
    # The worker's snapshot: one row read, not the municipality's counts.
    return snapshot.dashboard(request.actor.municipality, service_ids, _months(request))


def as_of(data) -> str:
    """When the figures were counted, in the reader's time zone and language."""
    when = timezone.localtime(data.computed_at)
    if when.date() == timezone.localdate():
        return _("Figures as of %(time)s today.") % {"time": date_format(when, "TIME_FORMAT")}
    return _("Figures as of %(date)s at %(time)s.") % {"date": date_format(when, "DATE_FORMAT"),
                                                         "time": date_format(when, "TIME_FORMAT")}


def _context(request, data) -> dict:
    words = hidden_words()
    by_key = {t.key: t for t in data.tables}
    sections = [(by_key[k], None if k in NO_CHART else charts.bar_chart(by_key[k], hidden_words=words))
                for k in SECTION_ORDER if k in by_key]
    return {
        "nav": "insights", "data": data, "figures": key_figures(data), "sections": sections,
        "legend": _legend(), "words": {"small": words[SMALL], "hidden": words[HIDDEN]}, "periods": aggregates.PERIODS,
        "months": data.scope.months, "whole_municipality": request.actor.is_coordinator,
        "idle_days": data.idle_days, "as_of": as_of(data),
    }


@staff
def dashboard(request):
    service_ids = require_insights(request.actor)
    body = snapshot.rendered(
        request.actor.municipality, service_ids, _months(request),
        lambda data: get_template("insights/_dashboard_body.html").render(_context(request, data)),
        # What the body shows besides the snapshot: "the whole municipality"
        # or "the services you lead", and "as of … today".
        depends_on=(request.actor.is_coordinator, timezone.localdate()))
    return render(request, "insights/dashboard.html", {"nav": "insights", "body": body})


@staff
def download(request, fmt: str):
    data = _dashboard(request)
    stem = f"stafett-ledelse-{data.scope.months}m"
    if fmt == "pdf":
        with stale_reads_ok():
            status = implementation.status(request.actor.municipality, data.scope.service_ids)
        context = _context(request, data) | {
            "status": status,
            "municipality": request.actor.municipality, "printed_at": timezone.now(),
            "pdf_lang": request.LANGUAGE_CODE,
        }
        return pdf_response(render_pdf("insights/report_pdf.html", context, request), f"{stem}.pdf",
                            private=True)
    tables = ordered(data)
    if fmt == "xlsx":
        return xlsx_response(lambda book: exports.write_xlsx(book, tables, f"{_legend()} {as_of(data)}"), f"{stem}.xlsx")
    return csv_response(exports.csv_rows(tables, f"{_legend()} {as_of(data)}"), f"{stem}.csv")
