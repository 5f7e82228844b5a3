"""Printable PDFs from the same HTML templates as the pages, with WeasyPrint.

The PDFs are tagged for accessibility (PDF/UA-1: structure from the HTML
headings, lists and paragraphs, the document language from `<html lang>`, the
title from `<title>`), use DejaVu fonts (Debian's fonts-dejavu-core, which
cover Norwegian letters), and share static/css/print.css with the browser's
print view.

WeasyPrint may only read the local static files: the HTML carries text that
coordinators wrote, and although the templates escape it, the renderer is
kept from ever reaching the network or the rest of the file system.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

PDF_VARIANT = "pdf/ua-1"
# Records that leave for an archive or the child welfare service are PDF/A
# (long-term preservation, as Noark 5 and Fiks Arkiv require), still tagged.
ARCHIVE_VARIANT = "pdf/a-2u"
PRINT_CSS = "css/print.css"


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _fetcher():
    from weasyprint import URLFetcher

    class LocalStaticFetcher(URLFetcher):
        """Serves data: URLs and files under the static directories; refuses the rest."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in _static_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"Stafett's PDFs load no outside resources: {url}")

    return LocalStaticFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


@cache
def _print_css_path() -> str:
    path = finders.find(PRINT_CSS)
    if not path:
        raise FileNotFoundError(PRINT_CSS)
    return str(path)


def html_to_pdf(html: str, variant: str = PDF_VARIANT) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _fetcher()
    base_url = _static_roots()[0].as_uri() + "/" if _static_roots() else None
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    stylesheet = CSS(filename=_print_css_path(), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], pdf_variant=variant,
                              pdf_tags=True)


def render_pdf(template_name: str, context: dict, request=None, *,
               variant: str = PDF_VARIANT) -> bytes:
    """Render a template (it should extend guides/tools/_pdf_base.html) to PDF
    bytes; `variant=ARCHIVE_VARIANT` for a record that is archived or sent."""
    return html_to_pdf(render_to_string(template_name, context, request=request), variant)


def pdf_response(pdf: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    """The PDF shown in the browser (inline), saved under `filename` if downloaded.

    `private` for PDFs with personal data: never stored by a cache or the browser.
    """
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Content-Length"] = str(len(pdf))
    if private:
        response["Cache-Control"] = "private, no-store, max-age=0"
    return response
