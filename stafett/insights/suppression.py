"""Small-number suppression for every aggregate the leadership view shows.

Every table goes through `suppress` before it reaches a page, a CSV or an
XLSX file; nothing else renders counts.

Rules (documented in the page's legend too):
- A count from 1 to 4 is *primary* suppressed and shown as "<5".
- 0 is shown as 0: it says that nobody is in the cell, which names nobody;
  suppressing zeros would hide most of a small municipality's table for no
  protection. (A 0 is never chosen as a complementary cell either, since
  hiding it protects nothing.)
- *Complementary* suppression stops the subtraction attack: in every line of
  the table — each row with its row total and each column with its column
  total, the totals' row and column included — no value may be the only hidden
  one, or it could be worked out as total minus the rest. While some line has
  exactly one hidden value, the smallest non-zero visible value of that line is
  hidden too (shown as ":", "hidden to protect a small number"), until no line
  has exactly one.
- Tables that share a margin (the same population counted by two different
  breakdowns, e.g. worries per level by service and by month) name it with a
  `col_keys`/`grand_key`; `suppress_linked` repeats `suppress` with the union
  of hidden margins forced hidden in every table that shows them, so one table
  cannot give away what the other hides.
- Non-count columns (a median) are shown only when their row's count is shown
  and at least 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 5
SMALL = "<5"
HIDDEN = ":"


@dataclass
class Table:
    """Raw counts, straight from the database. Never rendered as is."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]]
    totals: bool = True
    # Shared-margin keys for the column totals and the grand total (or None).
    col_keys: list[str | None] | None = None
    grand_key: str | None = None
    # Non-count column index -> the count column whose row it depends on.
    depends: dict[int, int] = field(default_factory=dict)
    total_label: str = "Total"
    note: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    value: int | float | None  # None when hidden
    hidden: bool = False

    def __str__(self):
        return self.text


@dataclass
class SafeTable:
    """A table fit to show: every count under 5 hidden, none derivable."""

    key: str
    title: str
    row_header: str
    columns: list[str]  # with the total column when there are totals
    rows: list[tuple[str, list[Cell]]]  # with the total row last when there are totals
    totals: bool
    note: str = ""
    hidden_keys: frozenset[str] = frozenset()

    @property
    def body(self):
        return self.rows[:-1] if self.totals else self.rows

    @property
    def total_row(self):
        return self.rows[-1] if self.totals else None


def _matrix(table: Table) -> list[list]:
    counts = [list(values) for _, values in table.rows]
    if not table.totals:
        return counts
    width = len(table.columns)
    for row in counts:
        row.append(sum(row))
    counts.append([sum(row[j] for row in counts) for j in range(width + 1)])
    return counts


def _lines(n_rows: int, n_cols: int):
    for i in range(n_rows):
        yield [(i, j) for j in range(n_cols)]
    for j in range(n_cols):
        yield [(i, j) for i in range(n_rows)]


def suppress(table: Table, forced_keys: frozenset[str] = frozenset()) -> SafeTable:
    """The table with primary and complementary suppression applied."""
    m = _matrix(table)
    n_rows, n_cols = len(m), (len(m[0]) if m else 0)
    count_cols = [j for j in range(n_cols) if j not in table.depends]
    primary = {
        (i, j) for i in range(n_rows) for j in count_cols
        if isinstance(m[i][j], int) and 0 < m[i][j] < THRESHOLD
    }
    hidden = set(primary)
    if table.totals:
        last = n_rows - 1
        for j, key in enumerate((table.col_keys or []) + [table.grand_key]):
            if key is not None and key in forced_keys:
                hidden.add((last, j if j < len(table.columns) else n_cols - 1))
        changed = True
        while changed:
            changed = False
            for line in _lines(n_rows, n_cols):
                if sum(1 for pos in line if pos in hidden) != 1:
                    continue
                candidates = [pos for pos in line if pos not in hidden and m[pos[0]][pos[1]] > 0]
                if candidates:
                    hidden.add(min(candidates, key=lambda p: (m[p[0]][p[1]], p)))
                    changed = True
    # A non-count column follows its count: shown only for a visible count >= 5.
    for col, count_col in table.depends.items():
        for i in range(n_rows):
            c = m[i][count_col]
            if (i, count_col) in hidden or c is None or c < THRESHOLD:
                hidden.add((i, col))

    def cell(i, j):
        value = m[i][j]
        if (i, j) in primary:
            return Cell(SMALL, None, True)
        if (i, j) in hidden:
            return Cell(HIDDEN, None, True)
        if value is None:
            return Cell("–", None)
        return Cell(f"{value:g}" if isinstance(value, float) else str(value), value)

    labels = [label for label, _ in table.rows] + ([table.total_label] if table.totals else [])
    rows = [(labels[i], [cell(i, j) for j in range(n_cols)]) for i in range(n_rows)]
    hidden_keys = set()
    if table.totals:
        keys = (table.col_keys or [None] * len(table.columns)) + [table.grand_key]
        hidden_keys = {k for j, k in enumerate(keys) if k and (n_rows - 1, j) in hidden}
    return SafeTable(
        key=table.key, title=table.title, row_header=table.row_header,
        columns=list(table.columns) + ([table.total_label] if table.totals else []),
        rows=rows, totals=table.totals, note=table.note, hidden_keys=frozenset(hidden_keys),
    )


def suppress_linked(tables: list[Table]) -> list[SafeTable]:
    """`suppress` every table, hiding a shared margin wherever any table hides it."""
    forced: frozenset[str] = frozenset()
    while True:
        safe = [suppress(t, forced) for t in tables]
        union = frozenset().union(*(s.hidden_keys for s in safe)) | forced
        if union == forced:
            return safe
        forced = union
