"""`{% load figures %}`: the leadership view's suppressed tables as HTML,
written in Python: the city's view has about a thousand cells, and a template
costs some 15 µs a cell (docs/performance-notes.md). Screen, PDF and the key
figures use these, so a hidden count reads the same everywhere."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from stafett.insights.suppression import SMALL, Cell, SafeTable
from stafett.lib.rows import html_text

register = template.Library()


def cell_html(cell: Cell, words: dict) -> str:
    """A shown count as its text; a hidden one as its words, marked."""
    if not cell.hidden:
        return html_text(cell.text)
    word = words["small"] if cell.text == SMALL else words["hidden"]
    return f'<span class="hidden-count" data-mark="{html_text(cell.text)}">{html_text(word)}</span>'


@register.simple_tag
def safe_cell(cell: Cell, words: dict) -> SafeString:
    return mark_safe(cell_html(cell, words))  # escaped in cell_html


@register.simple_tag
def safe_table(table: SafeTable, words: dict) -> SafeString:
    """`words`: {"small": ..., "hidden": ...}, the reader's words for hidden cells."""
    cells_html = {}  # a table's cells repeat a few texts: escape each once

    def td(cell: Cell) -> str:
        key = (cell.text, cell.hidden)
        if key not in cells_html:
            cells_html[key] = f"<td>{cell_html(cell, words)}</td>"
        return cells_html[key]

    head = "".join(f'<th scope="col">{html_text(c)}</th>' for c in table.columns)
    body = "\n".join(
        f'<tr><th scope="row">{html_text(label)}</th>{"".join(map(td, cells))}</tr>' for label, cells in table.rows)
    return mark_safe(  # every text above is escaped
        f"<table>\n  <caption>{html_text(table.title)}</caption>\n"
        f'  <thead><tr><th scope="col">{html_text(table.row_header)}</th>{head}</tr></thead>\n'
        f"  <tbody>\n{body}\n  </tbody>\n</table>")
