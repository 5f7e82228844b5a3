"""What the leadership view publishes, read back as a reader gets it: the
page's tables, the CSV and the XLSX (with openpyxl), as strings; and what a
reader knows about how those numbers add up, for the LP auditor.

Nothing here imports the suppression or the aggregates: the tables are
recognised by their section ids (page), their order (CSV, same as the page)
and their sheet names (XLSX).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser

import openpyxl

from .auditor import Auditor

PERIODS = (3, 6, 12, 24)  # the choices the page offers (checked in the tests)


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
        elif tag == "a" and (attrs.get("href") or "").startswith("?maneder="):
            self.periods.append(int(attrs["href"].split("=")[1]))

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
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
# and what ties them: a stay on a level ends with exactly one decision from
# it (the time table's count is the flows row's total); every consent names
# at least one service, and a relay counts once per named service.


def add_reader(auditor: Auditor, grids: dict[str, Grid], period: int, all_services: list[str],
               where: str) -> None:
    """Everything one published set (one reader, one period, one format) says."""
    band = PERIODS.index(period)
    months = grids["started_by_month"].labels[:-1]
    services = grids["started_by_service"].labels[:-1]
    flows_atoms = {}

    def add(key, atoms_of, totals=True, count_columns=None):
        grid = grids[key]
        cells = [list(row) for row in grid.cells]
        if count_columns is not None:
            cells = [[c if j in count_columns else None for j, c in enumerate(row)] for row in cells]
        auditor.table(cells, atoms_of, totals=totals, where=f"{where}:{key}")

    add("started_by_service", lambda i, j: {("st", services[i], m, j) for m in months})
    add("started_by_month", lambda i, j: {("st", s, months[i], j) for s in services})
    targets = grids["flows"].columns[:-1]

    def flow(i, j):
        return {("fl", s, b, i, j) for s in services for b in range(band + 1)}

    for i in range(4):
        flows_atoms[i] = set().union(*(flow(i, j) for j in range(len(targets))))
    add("flows", flow)
    add("time_on_levels", lambda i, j: flows_atoms[i], totals=False, count_columns={0})
    if "open_breaks" in grids:
        kinds = grids["open_breaks"].columns[:-1]
        add("open_breaks", lambda i, j: {("br", services[i], kinds[j])})
    add("consent_coverage", lambda i, j: {("cc", services[i], j)})
    named = grids["services_covered"].labels[:-1]  # none: "Nothing to show"
    if named:
        add("services_covered", lambda i, j: {("sc", s, named[i]) for s in services})
    for t in all_services:
        if t not in named:  # left out: no consent of these services names it
            auditor.publish("0", {("sc", s, t) for s in services}, f"{where}:services_covered:{t}")


def add_relations(auditor: Auditor, all_services: list[str]) -> None:
    for s in all_services:
        named = {("sc", s, t) for t in all_services}
        auditor.at_most({("cc", s, 0)}, named)
        for t in all_services:
            auditor.at_most({("sc", s, t)}, {("cc", s, 0)})
