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
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


@lru_cache(maxsize=4096)
def _wrapped(label: str) -> tuple[str, ...]:
    # Labels are service names and the like, drawn on every view of a chart.
    return tuple(textwrap.wrap(label, LABEL_CHARS, max_lines=2, placeholder="…")) or ("",)


def bar_chart(rows: list[tuple[str, float | None, str, bool]], maximum: float | None = None) -> Chart:
    """`rows`: (label, value, text beside the bar, hidden). The bars scale to
    `maximum` (a scale's top), or to the largest shown value."""
    lines = [list(_wrapped(str(label))) for label, *_rest in rows]
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


def svg(chart: Chart, title: str) -> SafeString:
    """The chart as inline SVG markup (presentation attributes only, numbers
    never localized). Written here rather than in a template: a chart of the
    leadership view has dozens of bars, and a template costs about 50 µs a
    bar (docs/performance-notes.md)."""
    label = gettext("Bar chart: %(title)s. The same figures are in the table below.") % {"title": title}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="bar-chart" width="{chart.width}" '
        f'height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}"\n     aria-label="{escape(label)}">'
    ]
    text = f'font-size="{chart.font_size}" fill="#1a1a1a"'
    for bar in chart.bars:
        lines = "".join(
            f'<tspan x="0" dy="{0 if i == 0 else chart.line_height}">{escape(str(line))}</tspan>'
            for i, line in enumerate(bar.lines))
        parts.append(f'<text x="0" y="{bar.label_y}" {text}>{lines}</text>')
        if bar.width:
            parts.append(f'<rect class="bar" x="{chart.label_width}" y="{bar.y}" width="{bar.width}" '
                         f'height="{chart.bar_height}" fill="#1f5f8b"></rect>')
        hidden = ' class="hidden-count"' if bar.hidden else ""
        parts.append(f'<text x="{bar.text_x}" y="{bar.label_y}" {text}{hidden}>{escape(str(bar.text))}</text>')
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # every text in it is escaped above
