"""The leadership view's bar charts: one column of a suppressed table, drawn
with the shared geometry of stafett/lib/charts.py. The chart draws the
*suppressed* values, so the picture never shows more than the table."""

from __future__ import annotations

from stafett.lib.charts import Chart
from stafett.lib.charts import bar_chart as _bars

from .suppression import SafeTable


def bar_chart(table: SafeTable, column: int | None = None, hidden_words=None) -> Chart:
    """Bars of one column (default: the row totals, or the only column).
    `hidden_words`: the text shown for a hidden cell, by its mark."""
    if column is None:
        column = len(table.columns) - 1 if table.totals else 0
    return _bars([
        (label, cells[column].value, (hidden_words or {}).get(cells[column].text, cells[column].text)
         if cells[column].hidden else cells[column].text, cells[column].hidden)
        for label, cells in table.body
    ])
