"""CSV and XLSX of exactly the suppressed tables the results page shows:
the respondents per group and wave, then one table per question. Free texts
stay on the page and in the PDF (they are not a table). Written as they
are sent (stafett.lib.downloads)."""

from __future__ import annotations

import xlsxwriter

from .results import Results


def _tables(data: Results):
    yield data.respondents
    for q in data.questions:
        if q.table is not None:
            yield q.table


def csv_rows(data: Results, legend: str):
    yield [data.wave.title]
    yield [legend]
    for table in _tables(data):
        yield []
        yield [table.title]
        yield table.columns
        yield from table.rows


def write_xlsx(book: xlsxwriter.Workbook, data: Results, legend: str) -> None:
    """One sheet per table, each written row after row (constant memory)."""
    bold = book.add_format({"bold": True, "text_wrap": True})
    for table in _tables(data):
        sheet = book.add_worksheet(table.key[:31])
        sheet.write(0, 0, table.title, bold)
        sheet.write(1, 0, legend)
        sheet.write_row(3, 0, table.columns, bold)
        for i, row in enumerate(table.rows, start=4):
            sheet.write_row(i, 0, row)
        sheet.set_column(0, 1, 30)
