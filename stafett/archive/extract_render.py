"""The extract's PDF/A documents, rendered in a helper process that is
replaced every few dozen documents.

WeasyPrint (with Pango and fontconfig under it) keeps some memory for every
document it renders, and never gives it back: about 0.3 MB a document, or
0.15 MB with a shared font configuration (measured on WeasyPrint 70 with the
archive's record template, 100 documents after a warm-up). An extract of a city renders tens of thousands
of documents, so rendered in the worker it would grow the worker by gigabytes.
The worker therefore renders each document's HTML itself (cheap, and it needs
the database and the translations), and a process of its own turns the HTML
into the PDF/A. That process is started fresh (spawn: none of the worker's
memory), and is replaced after STAFETT_EXTRACT_RENDER_BATCH documents (50:
about 125 MB at its peak, and a second or two to start again), so neither it
nor the worker grows with the size of the extract.

With STAFETT_EXTRACT_RENDER_BATCH = 0 the documents are rendered in the
calling process (the tests do that, and a document that is no HTML, such as
a report of concern's frozen PDF, always is).

This module imports no model: the helper process imports it before Django
is set up.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import django

# Imports no model: the helper process imports this before Django is set up.
from stafett.guides.pdf import html_to_pdf


def _start() -> None:
    django.setup()


def _render(html: str, variant: str) -> tuple[int, bytes]:
    return os.getpid(), html_to_pdf(html, variant)


class Renderer:
    """Renders documents, in a helper process when `batch` > 0."""

    def __init__(self, batch: int):
        self.batch = batch
        self._pool: ProcessPoolExecutor | None = None
        # The helper processes that rendered (their ids).
        self.helpers: set[int] = set()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *_exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def render(self, render) -> bytes:
        """The document's bytes; `render` is a case.Document's render."""
        html = getattr(render, "html", None)
        if not self.batch or html is None:
            return render()
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, max_tasks_per_child=self.batch)
        pid, data = self._pool.submit(_render, html(), render.variant).result()
        self.helpers.add(pid)
        return data
