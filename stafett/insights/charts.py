"""Server-rendered bar charts: geometry only, computed here, drawn by the
template as inline SVG with presentation attributes (no style attributes, so
the strict CSP holds). The chart draws the *suppressed* values: a zero gets no
bar, a hidden cell neither bar nor number (only its word), so the picture
never shows more than the table, which stays the source of truth.

Labels are at body size; the label column is as wide as the longest label
(wrapped onto a second line past LABEL_CHARS characters)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .suppression import SafeTable

WIDTH, BAR_HEIGHT, GAP, VALUE_WIDTH = 720, 22, 14, 110
FONT_SIZE, LINE, CHAR_WIDTH, LABEL_CHARS = 16, 19, 9, 28


@dataclass
class Bar:
    lines: list[str]
    text: str
    hidden: bool
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
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT


def bar_chart(table: SafeTable, column: int | None = None, hidden_words=None) -> Chart:
    """Bars of one column (default: the row totals, or the only column).
    `hidden_words`: the text shown for a hidden cell, by its mark."""
    if column is None:
        column = len(table.columns) - 1 if table.totals else 0
    cells = [(label, cells[column]) for label, cells in table.body]
    lines = [textwrap.wrap(label, LABEL_CHARS, max_lines=2, placeholder="…") or [""] for label, _c in cells]
    label_width = CHAR_WIDTH * max((len(x) for ls in lines for x in ls), default=8) + 12
    span = WIDTH - label_width - VALUE_WIDTH
    biggest = max((c.value for _l, c in cells if c.value and not c.hidden), default=0) or 1
    bars, y = [], 0
    for (_label, cell), label_lines in zip(cells, lines, strict=True):
        height = max(BAR_HEIGHT, LINE * len(label_lines))
        width = 0 if cell.hidden or not cell.value else max(round(span * cell.value / biggest), 2)
        text = (hidden_words or {}).get(cell.text, cell.text) if cell.hidden else cell.text
        bars.append(Bar(lines=label_lines, text=text, hidden=cell.hidden, y=y, width=width,
                        text_x=label_width + width + 6, label_y=y + FONT_SIZE))
        y += height + GAP
    return Chart(width=WIDTH, height=max(y, BAR_HEIGHT), label_width=label_width, bars=bars)
