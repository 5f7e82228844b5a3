"""What the leadership view publishes, read back as a reader gets it: the
page's tables, the CSV and the XLSX (with openpyxl), as strings; and what a
reader knows about how those numbers add up, for the LP auditor.

Nothing here imports the suppression or the aggregates: the tables are
recognised by their section ids (page), their order (CSV, same as the page)
and their sheet names (XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from html.parser import HTMLParser

import openpyxl

from .auditor import Auditor

PERIODS = (3, 6, 12, 24)  # the choices the page offers (checked in the tests)
TREND_MONTHS = 6  # key figures at the end of each of the six months before this one, and now
LEVELS_OPEN = (1, 2, 3)


@dataclass
class Grid:
    key: str
    columns: list[str]  # without the row header
    labels: list[str]  # row labels, the total row's last when there are totals
    cells: list[list[str]]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.grids, self.key, self.row, self.cell, self.header = [], None, None, None, None
        self.periods = []
        self.in_mark = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("aria-labelledby") or "").startswith("h-"):
            self.key = attrs["aria-labelledby"][2:]
            if self.key != "breaks":  # the note that breaks are not counted yet
                # A table with no rows says "Nothing to show": an empty grid.
                self.grids.append(Grid(self.key, [], [], []))
        elif tag == "tr" and self.grids and self.key:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "span" and "data-mark" in attrs and self.cell is not None:
            # The page says "under 5" / "hidden" in words; the mark is what it means.
            self.cell += attrs["data-mark"]
            self.in_mark = True
        elif tag == "a" and (attrs.get("href") or "").startswith("?maneder="):
            self.periods.append(int(attrs["href"].split("=")[1]))

    def handle_data(self, data):
        if self.cell is not None and not self.in_mark:
            self.cell += data

    def handle_endtag(self, tag):
        if tag == "span" and self.in_mark:
            self.in_mark = False
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            grid = self.grids[-1]
            if not grid.columns:
                grid.columns = self.row[1:]
            else:
                grid.labels.append(self.row[0])
                grid.cells.append(self.row[1:])
            self.row = None
        elif tag == "section":
            self.key = None


def page_grids(html: str) -> tuple[list[Grid], list[int]]:
    """The page's tables, and the periods it offers."""
    parser = _Page()
    parser.feed(html)
    return parser.grids, parser.periods


def csv_grids(text: str, keys: list[str]) -> list[Grid]:
    """The CSV: a legend line, then per table a blank line, its title, the
    header and the rows; `keys` name the tables in the page's order."""
    blocks, current = [], None
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        if not row:
            current = []
            blocks.append(current)
        elif current is not None:
            current.append(row)
    grids = []
    for key, block in zip(keys, blocks, strict=True):
        header, rows = block[1], block[2:]
        grids.append(Grid(key, header[1:], [r[0] for r in rows], [r[1:] for r in rows]))
    return grids


def xlsx_grids(content: bytes) -> list[Grid]:
    """The workbook: one sheet per table, named by its key; the header on row 4."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    grids = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        text = [["" if v is None else str(v) for v in row] for row in rows]
        grids.append(Grid(sheet.title, text[0][1:], [r[0] for r in text[1:]],
                          [r[1:] for r in text[1:]]))
    return grids


# --- What a reader knows ------------------------------------------------------
#
# Atoms (disjoint sets of records) a reader can name:
#   ("st", service, month, level)   worries (level 0) and relays started
#   ("fl", service, band, from, to)  decisions in a period band: band 0 is the
#       shortest period, band b the part of period b before period b-1 — the
#       periods are nested windows ending now, so a longer one adds bands
#   ("br", service, kind)            open follow-up breaks ("now": no period)
#   ("cc", service, column)          open relays with / without a consent
#   ("sc", holder service, named)    open relays of a holder whose consents
#                                    in force name a service
#   ("ow", service, b, d, over)      worries by lifetime over the trend's points
#       T_0..T_6 (the starts of the last six months, then now): it began
#       before T_b (not before T_b-1) and ended at or before T_d (d = 7: still
#       open; over: open and older than the follow-up threshold)
#   ("or", service, b, d, level now, consent now)   relays, likewise
#   ("bk", service, kind, b, d)      follow-up breaks, likewise
#   ("rp", service, month)           reports of concern sent
#   ("cm", service, measure, month, level)  catalogue measures added to relays
# and what ties them: a stay on a level ends with exactly one decision from
# it (the time table's count is the flows row's total); every consent names
# at least one service, and a relay counts once per named service; worries
# and relays started in one of the trend's months are those whose lifetime
# began then.


def trend_points(now=None) -> list[dt.datetime]:
    """What the page's column heads say: the end of each of the last six
    months (the start of the next) and now, in local time."""
    from django.utils import timezone  # noqa: PLC0415 — the test's clock, not the app's code

    now = now or timezone.now()
    local = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    points = []
    for k in range(TREND_MONTHS, 0, -1):
        month = local.month - 1 - (k - 1)
        year = local.year + (month // 12 if month >= 0 else -((-month + 11) // 12))
        points.append(local.replace(year=year, month=month % 12 + 1))
    return points + [now]


@dataclass
class Knowledge:
    """What every reader knows of how the pieces are cut."""

    points: list
    idle_days: int
    measures: list[str]  # every catalogue measure any reader sees used
    break_kinds: list[str]  # every kind of follow-up rule
    break_labels: dict  # a column head -> its kind

    @property
    def window(self) -> list[str]:  # the trend's months, "YYYY-MM"
        return [p.strftime("%Y-%m") for p in self.points[:-1]]

    def spans(self):
        n = len(self.points)
        for b in range(n):
            for d in range(max(b, 1), n + 1):
                yield b, d

    def worries(self, s, where):
        n, overdue = len(self.points), self.points[-1] - dt.timedelta(days=self.idle_days)
        out = set()
        for b, d in self.spans():
            if d < n:
                overs = [None]
            else:  # began in [T_b-1, T_b): older than the threshold possibly / surely
                overs = [o for o, ok in ((True, b == 0 or self.points[b - 1] < overdue),
                                         (False, self.points[b] > overdue)) if ok]
            out |= {("ow", s, b, d, o) for o in overs if where(b, d, o)}
        return out

    def relays(self, s, where):
        n = len(self.points)
        return {("or", s, b, d, lv, cov) for b, d in self.spans() for lv in LEVELS_OPEN
                for cov in ((True, False) if d == n else (None,)) if where(b, d, lv, cov)}

    def started(self, s, month, level):
        if month in self.window:
            b = self.window.index(month) + 1
            if level == 0:
                return self.worries(s, lambda bb, d, o: bb == b)
            return self.relays(s, lambda bb, d, lv, cov: bb == b and lv == level)
        return {("st", s, month, level)}

    def covered(self, s):
        n = len(self.points)
        return self.relays(s, lambda b, d, lv, cov: d == n and cov is True)


def add_reader(auditor: Auditor, grids: dict[str, Grid], period: int, all_services: list[str],
               where: str, know: Knowledge) -> None:
    """Everything one published set (one reader, one period, one format) says."""
    band = PERIODS.index(period)
    months = grids["started_by_month"].labels[:-1]
    services = grids["started_by_service"].labels[:-1]
    n = len(know.points)
    flows_atoms = {}

    def add(key, atoms_of, totals=True, count_columns=None):
        grid = grids[key]
        cells = [list(row) for row in grid.cells]
        if count_columns is not None:
            cells = [[c if j in count_columns else None for j, c in enumerate(row)] for row in cells]
        auditor.table(cells, atoms_of, totals=totals, where=f"{where}:{key}")

    def union(sets):
        return set().union(*sets)

    # Key figures: rows in the page's order; "–" (not counted then) is no count.
    def key(i, k):
        if i == 0:
            return union(know.worries(s, lambda b, d, o: b <= k < d) for s in services)
        if i == 1:
            return union(know.relays(s, lambda b, d, lv, cov: b <= k < d) for s in services)
        if i in (2, 3, 4):
            return union(know.relays(s, lambda b, d, lv, cov: d == n and lv == i - 1) for s in services)
        if i == 5:
            return union(know.covered(s) for s in services)
        return {("bk", s, kind, b, d) for s in services for kind in know.break_kinds
                for b, d in know.spans() if b <= k < d}

    add("key_figures", key, totals=False)
    add("worry_wait", lambda i, j: union(
        know.worries(s, (lambda b, d, o: d == n) if j == 0 else (lambda b, d, o: d == n and o is True))
        for s in services), totals=False, count_columns={0, 2})
    add("reports_sent", lambda i, j: {("rp", s, m) for s in services
                                      for m in (know.window[j:j + 1] if j < len(know.window) else months)},
        totals=False)
    add("started_by_service", lambda i, j: union(know.started(services[i], m, j) for m in months))
    add("started_by_month", lambda i, j: union(know.started(s, months[i], j) for s in services))
    targets = grids["flows"].columns[:-1]

    def flow(i, j):
        return {("fl", s, b, i, j) for s in services for b in range(band + 1)}

    for i in range(4):
        flows_atoms[i] = set().union(*(flow(i, j) for j in range(len(targets))))
    add("flows", flow)
    add("time_on_levels", lambda i, j: flows_atoms[i], totals=False, count_columns={0})
    if "open_breaks" in grids:
        shown = grids["open_breaks"].columns[:-1]
        kinds = [know.break_labels[label] for label in shown]
        add("open_breaks", lambda i, j: {("bk", services[i], kinds[j], b, n) for b in range(n)})
        for kind in set(know.break_kinds) - set(kinds):  # a kind left out: none open here
            auditor.publish("0", {("bk", s, kind, b, n) for s in services for b in range(n)},
                            f"{where}:open_breaks:{kind}")
    add("consent_coverage", lambda i, j: know.relays(
        services[i], lambda b, d, lv, cov: d == n and cov is (j == 0)))
    named = grids["services_covered"].labels[:-1]  # none: "Nothing to show"
    if named:
        add("services_covered", lambda i, j: {("sc", s, named[i]) for s in services})
    for t in all_services:
        if t not in named:  # left out: no consent of these services names it
            auditor.publish("0", {("sc", s, t) for s in services}, f"{where}:services_covered:{t}")
    used = grids["catalog_usage"].labels[:-1]
    if used:
        add("catalog_usage", lambda i, j: {("cm", s, used[i], m, j) for s in services for m in months})
    for name in know.measures:
        if name not in used:  # left out: not used by these services in the period
            for j in range(len(LEVELS_OPEN)):
                auditor.publish("0", {("cm", s, name, m, j) for s in services for m in months},
                                f"{where}:catalog_usage:{name}")


def add_relations(auditor: Auditor, all_services: list[str], know: Knowledge) -> None:
    for s in all_services:
        named = {("sc", s, t) for t in all_services}
        auditor.at_most(know.covered(s), named)
        for t in all_services:
            auditor.at_most({("sc", s, t)}, know.covered(s))
