"""The public action guide: open to everyone, only published guides, only the
municipality asked for, never a person's data, bounded queries."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django_scopes import scope, scopes_disabled

from stafett.access.views import ACCESS_ATTR
from stafett.guides.loader import LEVEL0_CODES, current_guide, load_guide, load_guide_data
from stafett.guides.models import Guide, Level, Step
from stafett.guides.placeholders import BLANK
from stafett.tenancy.models import Municipality
from tests.concerns.helpers import make_concern

from .test_pdf import pdf_text
from .test_tools import give_bodies

PAGES = [
    ("guides_public:overview", []),
    ("guides_public:level", [0]),
    ("guides_public:level", [3]),
    ("guides_public:step", [0, 1]),
    ("guides_public:step", [2, 5]),
    ("guides_public:tools", []),
    ("guides_public:tool", ["samtykkeskjema"]),
    ("guides_public:search", []),
    ("guides_public:print", []),
]
PDFS = [
    ("guides_public:tool_pdf", ["samtykkeskjema"]),
    ("guides_public:pdf", []),
]


def url(name, args, number="9901", query=""):
    return reverse(name, args=[number, *args]) + query


def _main(response):
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def _footer(response):
    html = response.content.decode()
    return html[html.index('<footer class="site-footer">'):]


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def guide_data(steps_per_level: int, title: str = "Stor veileder", *, marker: str = "") -> dict:
    """A valid guide of 4 levels with `steps_per_level` steps each (level 0's
    first five carry the journey's codes)."""
    tools = [{"key": f"verktoy-{i}", "title": f"Verktøy {i}", "description": "Et verktøy."}
             for i in range(3)]
    levels = []
    for number in range(4):
        steps = []
        for index in range(steps_per_level):
            step = {
                "title": f"Trinn {number}.{index + 1}{marker}",
                "summary": "Kort om trinnet.",
                "body": "Lengre tekst om trinnet.",
                "who": "Den ansatte",
                "tools": [f"verktoy-{index % 3}"],
            }
            if number == 0 and index < len(LEVEL0_CODES):
                step["code"] = LEVEL0_CODES[index]
            steps.append(step)
        levels.append({"number": number, "title": f"Nivå {number}{marker}",
                       "purpose": "Formålet med nivået.", "steps": steps})
    return {"title": title, "language": "nb", "tools": tools, "levels": levels}


# --- Open to everyone ---------------------------------------------------------------


def test_every_public_view_is_declared_public():
    resolver = get_resolver()
    patterns = resolver.resolve(reverse("guides_public:overview", args=["9901"]))
    assert getattr(patterns.func, ACCESS_ATTR) == "public"
    public = [p for p in get_resolver("stafett.guides.urls_public").url_patterns]
    assert len(public) == 9
    assert all(getattr(p.callback, ACCESS_ATTR) == "public" for p in public)


@pytest.mark.parametrize("name, args", PAGES)
def test_anonymous_visitor_reads_fjordviks_guide(world, name, args):
    response = Client().get(url(name, args, query="?q=barn"))
    assert response.status_code == 200
    assert response.context["guide"].municipality == world.fjordvik
    assert response.context["municipality"] == world.fjordvik
    footer = _footer(response)
    for number in ("112", "40 00 10 01", "40 00 10 02"):
        assert number in footer  # the emergency numbers on every page
    html = _main(response)
    assert html.count("<h1") == 1
    assert "style=" not in html and "<script" not in html  # strict CSP
    assert 'lang="nb"' in html  # the guide's text carries its language
    assert "Åsheim" not in response.content.decode()


@pytest.mark.parametrize("name, args", PDFS)
def test_anonymous_visitor_gets_the_pdfs(world, name, args):
    response = Client().get(url(name, args))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")


def test_pdf_file_names(world):
    assert Client().get(url("guides_public:pdf", []))["Content-Disposition"] == (
        'inline; filename="handlingsveileder-9901-v1.pdf"')
    assert Client().get(url("guides_public:tool_pdf", ["agenda"]))["Content-Disposition"] == (
        'inline; filename="agenda.pdf"')


def test_overview_shows_the_emergency_numbers_prominently_and_every_step(world):
    response = Client().get(url("guides_public:overview", []))
    html = _main(response)
    emergency = html[html.index('class="public-emergency"'):html.index("</section>")]
    for number in ("tel:112", "tel:40 00 10 01", "tel:40 00 10 02"):
        assert number in emergency
    assert "Barnevernvakta i Fjordregionen" in emergency
    with scope(municipality=world.fjordvik):
        guide = current_guide()
        steps = list(Step.objects.filter(level__guide=guide))
    assert len(steps) == 20
    for step in steps:
        assert url("guides_public:step", [step.level.number, step.number]) in html
        assert step.title in html
    assert url("guides_public:tools", []) in html
    assert url("guides_public:print", []) in html and url("guides_public:pdf", []) in html


def test_interface_in_english_guide_text_in_bokmal(world):
    response = english().get(url("guides_public:step", [0, 1]))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Who does it" in html and "Steps on this level" in html
    step = response.context["step"]
    assert f'<h1 lang="nb">{step.title}</h1>' in html


def test_a_nynorsk_guide_is_marked_nynorsk(world):
    with scope(municipality=world.asheim):
        load_guide(world.asheim, "stord")
    html = _main(Client().get(url("guides_public:overview", [], number="9902")))
    assert '<h1>' in html and 'lang="nn"' in html and 'lang="nb"' not in html.split("public-emergency")[1].split("</section>")[1]


def test_step_page_links_its_tools_and_neighbours(world):
    response = Client().get(url("guides_public:step", [0, 3]))
    html = _main(response)
    assert response.context["step"].code == "talk"
    assert url("guides_public:tool", ["samtaleguide-barn"]) in html
    assert url("guides_public:step", [0, 2]) in html and url("guides_public:step", [0, 4]) in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("path", [
    "/k/0000/veileder/", "/k/9901x/veileder/", "/k/abcd/veileder/sok/?q=barn",
    "/k/0000/veileder/pdf/",
])
def test_unknown_municipality_is_404(world, path):
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("name, args", [
    ("guides_public:level", [4]), ("guides_public:step", [0, 6]), ("guides_public:step", [9, 1]),
    ("guides_public:tool", ["finnes-ikke"]), ("guides_public:tool_pdf", ["finnes-ikke"]),
])
def test_missing_parts_are_404(world, name, args):
    assert Client().get(url(name, args)).status_code == 404


@pytest.mark.parametrize("name, args", PAGES + PDFS)
def test_municipality_without_a_published_guide_is_404(world, name, args):
    with scopes_disabled():
        empty = Municipality.objects.create(
            name="Tomdal kommune", number="9903", child_welfare_phone="40 00 30 01",
            after_hours_name="Vakta", after_hours_phone="40 00 30 02",
        )
    assert Client().get(url(name, args, number="9903")).status_code == 404
    # A draft alone is not a published guide.
    with scope(municipality=empty):
        draft = load_guide(empty, "national")
        Guide.objects.filter(pk=draft.pk).update(status=Guide.Status.DRAFT, number=None)
    assert Client().get(url(name, args, number="9903")).status_code == 404


# --- Each municipality its own ---------------------------------------------------------


def test_each_municipality_shows_only_its_own_guide(world):
    with scope(municipality=world.asheim):
        asheim_guide = load_guide(world.asheim, "stord")
    with scope(municipality=world.fjordvik):
        fjordvik_guide = current_guide()
    assert asheim_guide.title != fjordvik_guide.title

    fjordvik = Client().get(url("guides_public:overview", []))
    asheim = Client().get(url("guides_public:overview", [], number="9902"))
    assert fjordvik.context["guide"] == fjordvik_guide
    assert asheim.context["guide"] == asheim_guide
    assert fjordvik_guide.title in fjordvik.content.decode()
    assert asheim_guide.title not in fjordvik.content.decode()
    assert asheim_guide.title in asheim.content.decode()
    assert fjordvik_guide.title not in asheim.content.decode()
    assert "40 00 20 01" in _footer(asheim) and "40 00 10 01" not in asheim.content.decode()


def test_a_logged_in_person_of_another_municipality_reads_this_one(world):
    # The outsider works in Åsheim: the middleware scopes her to Åsheim, the view to Fjordvik.
    response = world.client_for(world.outsider).get(url("guides_public:step", [1, 1]))
    assert response.status_code == 200
    assert response.context["guide"].municipality == world.fjordvik
    assert "40 00 10 01" in _footer(response) and "40 00 20 01" not in _footer(response)


# --- Drafts are never shown ---------------------------------------------------------


@pytest.fixture
def with_draft(world):
    """Fjordvik has a draft with a changed step after its published version 1."""
    with scope(municipality=world.fjordvik):
        draft = load_guide_data(world.fjordvik, guide_data(5, "Utkast", marker=" UTKASTORD"),
                                "test")
        Guide.objects.filter(pk=draft.pk).update(status=Guide.Status.DRAFT, number=None)
        Step.objects.filter(level__guide=draft, level__number=0, number=1).update(
            body="Zyxutkast står bare i utkastet.")
        assert current_guide().number == 1
    return world


@pytest.mark.parametrize("name, args", PAGES + PDFS)
def test_drafts_are_never_shown(with_draft, name, args):
    response = Client().get(url(name, args, query="?q=utkastord"))
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        text = pdf_text(response.content)
        assert "Handlingsveileder" in text or "Samtykkeskjema" in text
    else:
        assert response.context["guide"].number == 1
        text = response.content.decode()
    assert "UTKASTORD" not in text and "Utkast" not in text and "Zyxutkast" not in text


def test_search_does_not_find_draft_text(with_draft):
    response = Client().get(url("guides_public:search", [], query="?q=utkastord"))
    assert response.context["results"] == []
    response = Client().get(url("guides_public:search", [], query="?q=zyxutkast"))
    assert response.context["results"] == []


# --- Search ----------------------------------------------------------------------------


def test_search_finds_a_step_by_a_word_in_its_body(world):
    # "magefølelse" is only in the body of level 0, step 1 ("Beskriv undringen").
    response = english().get(url("guides_public:search", [], query="?q=MAGEFØLELSE"))
    results = response.context["results"]
    assert [r["title"] for r in results] == ["Beskriv undringen"]
    assert results[0]["kind"] == "step" and results[0]["where"].startswith("Nivå 0")
    html = _main(response)
    assert url("guides_public:step", [0, 1]) in html
    assert "<mark>magefølelse</mark>" in html
    assert "1 hit for" in html


def test_search_is_case_insensitive_for_norwegian_letters(world):
    lower = Client().get(url("guides_public:search", [], query="?q=undringen")).context["results"]
    upper = Client().get(url("guides_public:search", [], query="?q=UNDRINGEN")).context["results"]
    assert lower and [r["url"] for r in lower] == [r["url"] for r in upper]
    æøå = Client().get(url("guides_public:search", [], query="?q=MÅLGRUPPE")).context["results"]
    assert all("målgruppe" in "".join(t for t, _ in r["snippet"]).lower() or r["kind"] != "step"
               for r in æøå)


def test_search_needs_all_words_and_covers_who_and_tools(world):
    both = Client().get(url("guides_public:search", [], query="?q=lederen+nærmeste"))
    assert any(r["title"] == "Del undringen med lederen din" for r in both.context["results"])
    none = Client().get(url("guides_public:search", [], query="?q=lederen+xyzzy"))
    assert none.context["results"] == []
    # A tool's title and description are searched; so is its text.
    give_bodies(world.fjordvik, {"agenda": "Punkt: velkommen til {municipality}, og sjokoladekake."})
    tools = Client().get(url("guides_public:search", [], query="?q=sjokoladekake")).context
    assert [(r["kind"], r["title"]) for r in tools["results"]] == [
        ("tool", "Dagsorden for samarbeidsmøte")]
    assert tools["results"][0]["url"] == url("guides_public:tool", ["agenda"])
    assert "Fjordvik kommune" in "".join(t for t, _ in tools["results"][0]["snippet"])


def test_search_escapes_the_query_and_handles_empty(world):
    response = Client().get(url("guides_public:search", [], query="?q=<script>alert(1)</script>"))
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    empty = Client().get(url("guides_public:search", [], query="?q=+++"))
    assert empty.status_code == 200 and empty.context["results"] == []
    assert not empty.context["searched"]
    long = Client().get(url("guides_public:search", [], query="?q=" + "a" * 5000))
    assert long.status_code == 200 and len(long.context["query"]) == 200


# --- Tools, print view -------------------------------------------------------------------


def test_public_tool_is_a_blank_form(world):
    give_bodies(world.fjordvik)
    response = Client().get(url("guides_public:tool", ["samtykkeskjema"]))
    html = _main(response)
    assert "Vi samtykker til at " + BLANK + " i Fjordvik kommune samarbeider om " + BLANK in html
    assert "{{ request }}" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert url("guides_public:tool_pdf", ["samtykkeskjema"]) in html
    for level in (1, 2, 3):
        assert url("guides_public:step", [level, 1]) in html


def test_tools_list_links_every_tool(world):
    response = Client().get(url("guides_public:tools", []))
    html = _main(response)
    with scope(municipality=world.fjordvik):
        keys = list(current_guide().tools.values_list("key", flat=True))
    assert len(keys) == 8
    for key in keys:
        assert url("guides_public:tool", [key]) in html
        assert url("guides_public:tool_pdf", [key]) in html


def test_print_view_has_the_whole_guide(world):
    give_bodies(world.fjordvik)
    response = Client().get(url("guides_public:print", []))
    html = _main(response)
    with scope(municipality=world.fjordvik):
        titles = list(Step.objects.filter(level__guide=current_guide()).values_list("title", flat=True))
    position = 0
    for title in titles:  # in guide order (levels 1-3 share some titles)
        position = html.index(title, position) + len(title)
    assert "Samtykke til samarbeid" in html  # the tools' texts, as blank forms
    assert url("guides_public:pdf", []) in html
    assert 'href="/static/css/print.css" media="print"' in response.content.decode()


# --- Variants ----------------------------------------------------------------------------


def test_variant_steps_replace_the_common_step_when_chosen(world):
    with scope(municipality=world.fjordvik):
        level = Level.objects.get(guide=current_guide(), number=1)
        Step.objects.create(municipality=world.fjordvik, level=level, number=2, variant="basis",
                            title="Skape felles forståelse i barnehagen", summary="For basis.")
        common = Step.objects.get(level=level, number=2, variant="").title
    plain = Client().get(url("guides_public:overview", []))
    assert common in plain.content.decode()
    assert "Skape felles forståelse i barnehagen" not in plain.content.decode()
    assert 'name="for"' in plain.content.decode()  # the guide has variants: offer them
    basis = Client().get(url("guides_public:step", [1, 2], query="?for=basis"))
    assert basis.context["step"].title == "Skape felles forståelse i barnehagen"
    assert "?for=basis" in _main(basis)
    assert Client().get(url("guides_public:step", [1, 2], query="?for=nonsense")).context[
        "step"].title == common


# --- No personal data, bounded queries ------------------------------------------------------

ALLOWED_TABLES = {"tenancy_municipality", "guides_guide", "guides_level", "guides_step",
                  "guides_tool", "guides_step_tools",
                  # A step lists the catalogue's measures for it, with the service offering each.
                  "catalog_catalogmeasure", "tenancy_service"}


def _tables_in(sql: str) -> set[str]:
    all_tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    quoted = set(re.findall(r'"([A-Za-z0-9_]+)"', sql)) | set(re.findall(r"\b([a-z0-9_]+)\b", sql))
    return quoted & all_tables


@pytest.mark.parametrize("name, args", PAGES + PDFS)
def test_public_views_touch_only_the_municipality_and_the_guide(world, name, args):
    make_concern(world, shared=True)  # there is a child's data in the database
    give_bodies(world.fjordvik)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url(name, args, query="?q=barn"))
    assert response.status_code == 200
    touched = set().union(*(_tables_in(q["sql"]) for q in queries.captured_queries))
    assert touched and touched <= ALLOWED_TABLES, touched - ALLOWED_TABLES


def _count(path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name, args", [
    ("guides_public:overview", []),
    ("guides_public:step", [2, 3]),
    ("guides_public:level", [1]),
    ("guides_public:tools", []),
    ("guides_public:tool", ["verktoy-1"]),
    ("guides_public:search", []),
    ("guides_public:print", []),
])
def test_query_count_does_not_grow_with_the_guide(world, name, args):
    # 4 levels × 5 steps, then 4 levels × 30 steps.
    with scope(municipality=world.fjordvik):
        load_guide_data(world.fjordvik, guide_data(5), "test")
    path = url(name, args, query="?q=trinnet")
    small = _count(path)
    with scope(municipality=world.fjordvik):
        load_guide_data(world.fjordvik, guide_data(30), "test")
        assert Step.objects.filter(level__guide=current_guide()).count() == 4 * 30
    assert _count(path) == small


def test_public_pages_only_read(world):
    assert Client().post(url("guides_public:overview", [])).status_code in (403, 405)
    assert Client(enforce_csrf_checks=False).post(url("guides_public:search", [])).status_code == 405
    assert Client().head(url("guides_public:overview", [])).status_code == 200
