"""Downloads written while they are sent, so that no export is ever held
whole in a web process's memory.

CSV: the rows come from an iterator (a queryset's `.iterator()`, or tables
built one at a time) and leave in pieces of about 64 KiB.
XLSX: xlsxwriter in constant-memory mode writes each row to a temporary file
as it is given, the workbook is zipped into another temporary file, and that
file is streamed; both are deleted when the response is closed.

A streamed body is produced after the view has returned, when the request's
language and municipality scope are no longer active: each piece is
produced inside the ones the response was made in, so a queryset read while
streaming is still scoped to the municipality, and lazy texts are in the
person's language.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django_scopes import get_scope, scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows are gathered to about this many characters before they are sent.
PIECE = 1 << 16


class _Line:
    """What csv.writer writes to: gives back the line it was given."""

    def write(self, line: str) -> str:
        return line


def csv_pieces(rows: Iterable[Iterable], *, start: str = "", **dialect) -> Iterator[str]:
    """The rows as CSV text (csv.writer's `dialect` options), in pieces."""
    writer = csv.writer(_Line(), **dialect)
    piece, size = [start], len(start)
    for row in rows:
        line = writer.writerow(row)
        piece.append(line)
        size += len(line)
        if size >= PIECE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def in_request_context(pieces: Iterable) -> Iterator:
    """The pieces, each produced in the language and scope active now."""
    language, scoped = translation.get_language(), get_scope()
    pieces = iter(pieces)
    while True:
        with translation.override(language), scope(**scoped):
            try:
                piece = next(pieces)
            except StopIteration:
                return
        yield piece


def attachment(pieces: Iterable, filename: str, content_type: str) -> StreamingHttpResponse:
    """A download of `filename` whose body is sent piece by piece as it is made."""
    response = StreamingHttpResponse(in_request_context(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(rows: Iterable[Iterable], filename: str, *, start: str = "",
                 **dialect) -> StreamingHttpResponse:
    """An attachment of the rows as UTF-8 CSV; `start` goes first (a BOM)."""
    return attachment(csv_pieces(rows, start=start, **dialect), filename, "text/csv; charset=utf-8")


def xlsx_response(write: Callable[[xlsxwriter.Workbook], None], filename: str) -> FileResponse:
    """An attachment of the workbook `write` fills in. It must write each
    sheet's rows in order (constant-memory mode keeps no earlier row)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    try:
        book = xlsxwriter.Workbook(handle, {"constant_memory": True})
        write(book)
        book.close()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
