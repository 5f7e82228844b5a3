"""Server-rendered bar charts: geometry only, computed here, drawn by the
template as inline SVG with presentation attributes (no style attributes, so
the strict CSP holds). The chart draws the *suppressed* values: a hidden cell
gets no bar, only its marker, so the picture never shows more than the table."""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import SafeTable

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 640, 18, 6, 200, 60


@dataclass
class Bar:
    label: str
    text: str
    y: int
    width: int
    text_x: int
    label_y: int


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def bar_chart(table: SafeTable, column: int | None = None) -> Chart:
    """Bars of one column (default: the row totals, or the only column)."""
    if column is None:
        column = len(table.columns) - 1 if table.totals else 0
    cells = [(label, cells[column]) for label, cells in table.body]
    biggest = max((c.value for _l, c in cells if c.value), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, (label, cell) in enumerate(cells):
        y = i * (BAR_HEIGHT + GAP)
        width = 0 if cell.value is None else round(span * cell.value / biggest)
        bars.append(Bar(label=label, text=cell.text, y=y, width=width,
                        text_x=LABEL_WIDTH + width + 4, label_y=y + BAR_HEIGHT - 4))
    return Chart(width=WIDTH, height=max(len(cells), 1) * (BAR_HEIGHT + GAP),
                 label_width=LABEL_WIDTH, bars=bars)
