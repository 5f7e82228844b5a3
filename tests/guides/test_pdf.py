"""The PDFs are real, tagged PDFs: text that can be extracted, the document's
language and title, and a structure of headings, lists and paragraphs."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from stafett.guides.loader import current_guide, load_guide
from stafett.guides.models import Step
from stafett.guides.pdf import _fetcher, _print_css_path, html_to_pdf
from stafett.guides.placeholders import BLANK
from tests.concerns.helpers import make_concern

from .test_tools import give_bodies


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Lines broken by the layout are joined, so phrases can be looked for whole.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _catalog(content: bytes):
    reader = PdfReader(io.BytesIO(content))
    return reader, reader.trailer["/Root"]


def structure_types(content: bytes) -> list[str]:
    """Every structure element's type (/H1, /P, /L, …) in the tagged PDF, in order."""
    _, root = _catalog(content)
    found: list[str] = []

    def walk(node):
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                found.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return found


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_whole_guide_pdf_has_every_step_and_the_emergency_numbers(world):
    give_bodies(world.fjordvik)
    response = Client().get(reverse("guides_public:pdf", args=["9901"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    with scope(municipality=world.fjordvik):
        guide = current_guide()
        steps = list(Step.objects.filter(level__guide=guide).select_related("level"))
        tools = list(guide.tools.all())
    assert _squash(guide.title) in text
    for step in steps:
        assert _squash(step.title) in text, step.title
        assert _squash(step.level.title) in text
    for tool in tools:
        assert _squash(tool.title) in text
    assert "Samtykke til samarbeid" in text  # a tool's text, as a blank form
    for number in ("112", "40 00 10 01", "40 00 10 02", "Barnevernvakta i Fjordregionen"):
        assert number in text
    assert "Åsheim" not in text


def test_whole_guide_pdf_is_tagged_with_language_and_title(world):
    response = Client().get(reverse("guides_public:pdf", args=["9901"]))
    reader, root = _catalog(response.content)
    assert root["/Lang"] == "nb"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    with scope(municipality=world.fjordvik):
        title = current_guide().title
    assert reader.metadata.title.startswith(title)
    assert reader.metadata.author == "Fjordvik kommune"
    types = structure_types(response.content)
    assert types.count("/H1") == 1
    assert types.count("/H2") >= 5  # emergency, four levels, tools
    assert types.count("/H3") >= 20  # every step
    assert "/P" in types and "/L" in types
    assert "/Outlines" in root  # bookmarks from the headings
    # The emergency numbers stand at the foot of every page.
    for page in reader.pages:
        assert "40 00 10 01" in page.extract_text()


def test_a_nynorsk_guide_gives_a_nynorsk_pdf(world):
    with scope(municipality=world.asheim):
        guide = load_guide(world.asheim, "stord")
    response = Client().get(reverse("guides_public:pdf", args=["9902"]))
    _, root = _catalog(response.content)
    assert root["/Lang"] == "nn"
    text = pdf_text(response.content)
    assert _squash(guide.title) in text and "40 00 20 01" in text


def test_filled_consent_form_is_a_real_pdf_with_the_worry_values(world):
    give_bodies(world.fjordvik)
    concern = make_concern(world, shared=True)
    response = world.client_for(world.teacher).get(
        reverse("concerns:tool_pdf", args=[concern.pk, "samtykkeskjema"]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    birth = concern.child.birth_date.strftime("%d.%m.%Y")
    assert "Samtykkeskjema" in text and "Samtykke til samarbeid" in text
    assert (f"Vi samtykker til at Solsikken barnehage i Fjordvik kommune samarbeider om "
            f"Ella Strandvik, født {birth}.") in text
    assert "Kontaktperson: Kari Lærersen" in text
    assert f"Møte: {BLANK}, {BLANK}" in text  # to fill in by hand
    assert "Politi: 112. Barnevernet: 40 00 10 01." in text
    # Coordinator text is printed literally; nothing of it was run.
    assert "{{ request }} {% load static %} <script>alert(1)</script>" in text
    reader, root = _catalog(response.content)
    assert root["/Lang"] == "nb"
    assert reader.metadata.title == "Samtykkeskjema"
    types = structure_types(response.content)
    assert types.count("/H1") == 1 and "/H2" in types and "/L" in types


def test_blank_tool_pdf_has_blanks_and_no_ones_data(world):
    give_bodies(world.fjordvik)
    make_concern(world, shared=True)
    response = Client().get(reverse("guides_public:tool_pdf", args=["9901", "samtykkeskjema"]))
    text = pdf_text(response.content)
    assert f"Vi samtykker til at {BLANK} i Fjordvik kommune samarbeider om {BLANK}" in text
    assert "Ella" not in text and "Kari" not in text


def test_a_tool_without_text_prints_its_description(world):
    give_bodies(world.fjordvik, {"tiltaksplan": ""})
    response = world.client_for(world.teacher).get(
        reverse("guides_tools:tool_pdf", args=["tiltaksplan"]))
    text = pdf_text(response.content)
    assert "Tiltaksplan" in text and "Oversikt over mål og tiltak" in text


def test_pdfs_never_fetch_outside_resources(tmp_path):
    fetcher = _fetcher()
    for url in ("http://example.invalid/x.png", "https://example.invalid/x.css",
                "file:///etc/passwd", "ftp://example.invalid/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # The static files may be read.
    response = fetcher.fetch("file://" + _print_css_path())
    assert response is not None
    # A page that asks for an outside image still renders, without it.
    pdf = html_to_pdf('<html lang="nb"><head><title>T</title></head><body><h1>Tittel</h1>'
                      '<img src="http://example.invalid/spor.png" alt="spor"></body></html>')
    assert pdf.startswith(b"%PDF-") and "Tittel" in pdf_text(pdf)
