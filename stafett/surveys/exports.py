"""CSV and XLSX of exactly the suppressed tables the results page shows:
the respondents per group and wave, then one table per question. Free texts
stay on the page and in the PDF (they are not a table)."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from .results import Results


def _tables(data: Results):
    yield data.respondents
    for q in data.questions:
        if q.table is not None:
            yield q.table


def to_csv(data: Results, legend: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([data.wave.title])
    writer.writerow([legend])
    for table in _tables(data):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return out.getvalue()


def to_xlsx(data: Results, legend: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True})
    for table in _tables(data):
        sheet = book.add_worksheet(table.key[:31])
        sheet.write(0, 0, table.title, bold)
        sheet.write(1, 0, legend)
        sheet.write_row(3, 0, table.columns, bold)
        for i, row in enumerate(table.rows, start=4):
            sheet.write_row(i, 0, row)
        sheet.set_column(0, 1, 30)
    book.close()
    return buffer.getvalue()
