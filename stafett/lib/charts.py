"""Horizontal bar charts, server-rendered: geometry only, computed here, drawn
by templates/_bar_chart.html as inline SVG with presentation attributes (no
style attributes, so the strict CSP holds). Every chart stands beside its data
table, which is the source of truth for screen readers.

Labels are at body size; the label column is as wide as the longest label
(wrapped onto a second line past LABEL_CHARS characters). A zero gets no bar,
and a hidden value neither bar nor number, only its words, so the picture
never shows more than the table.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

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
    line_height: int = LINE


def bar_chart(rows: list[tuple[str, float | None, str, bool]], maximum: float | None = None) -> Chart:
    """`rows`: (label, value, text beside the bar, hidden). The bars scale to
    `maximum` (a scale's top), or to the largest shown value."""
    lines = [textwrap.wrap(label, LABEL_CHARS, max_lines=2, placeholder="…") or [""]
             for label, *_rest in rows]
    label_width = CHAR_WIDTH * max((len(x) for ls in lines for x in ls), default=8) + 12
    span = WIDTH - label_width - VALUE_WIDTH
    biggest = maximum or max((v for _l, v, _t, hidden in rows if v and not hidden), default=0) or 1
    bars, y = [], 0
    for (_label, value, text, hidden), label_lines in zip(rows, lines, strict=True):
        height = max(BAR_HEIGHT, LINE * len(label_lines))
        width = 0 if hidden or not value else max(round(span * value / biggest), 2)
        bars.append(Bar(lines=label_lines, text=text, hidden=hidden, y=y, width=width,
                        text_x=label_width + width + 6, label_y=y + FONT_SIZE))
        y += height + GAP
    return Chart(width=WIDTH, height=max(y, BAR_HEIGHT), label_width=label_width, bars=bars)
