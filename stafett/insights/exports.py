"""CSV and XLSX of the same suppressed tables the page shows."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from .suppression import SafeTable


def _cell_value(cell):
    return cell.text if cell.value is None else cell.value


def to_csv(tables: list[SafeTable], legend: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([legend])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([table.row_header, *table.columns])
        for label, cells in table.rows:
            writer.writerow([label, *(c.text for c in cells)])
    return out.getvalue()


def to_xlsx(tables: list[SafeTable], legend: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    used = set()
    for table in tables:
        name = table.key[:31]
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, table.title, bold)
        sheet.write(1, 0, legend)
        sheet.write_row(3, 0, [table.row_header, *table.columns], bold)
        for i, (label, cells) in enumerate(table.rows, start=4):
            sheet.write(i, 0, label)
            for j, cell in enumerate(cells, start=1):
                sheet.write(i, j, _cell_value(cell))
        sheet.set_column(0, 0, 32)
    book.close()
    return buffer.getvalue()
