"""CSV and XLSX of the same suppressed tables the page shows, written as
they are sent (stafett.lib.downloads)."""

from __future__ import annotations

import xlsxwriter

from .suppression import SafeTable


def _cell_value(cell):
    return cell.text if cell.value is None else cell.value


def csv_rows(tables: list[SafeTable], legend: str):
    yield [legend]
    for table in tables:
        yield []
        yield [table.title]
        yield [table.row_header, *table.columns]
        for label, cells in table.rows:
            yield [label, *(c.text for c in cells)]


def write_xlsx(book: xlsxwriter.Workbook, tables: list[SafeTable], legend: str) -> None:
    """One sheet per table, each written row after row (constant memory)."""
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
