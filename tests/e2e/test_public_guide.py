"""An anonymous visitor reads Fjordvik's public action guide: overview → step
→ tool, a search, the print view. Every page passes axe and shows the
municipality's emergency numbers."""

import re

import pytest
from django.conf import settings

from .helpers import expect, html_lang, url

GUIDE = "/k/9901/veileder/"
NUMBERS = ("112", "40 00 10 01", "40 00 10 02")


def _emergency_numbers_visible(page):
    footer = page.locator("footer.site-footer")
    expect(footer).to_be_visible()
    for number in NUMBERS:
        expect(footer.get_by_role("link", name=number)).to_be_visible()


def _check(page, check_a11y, language):
    assert html_lang(page) == language
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    _emergency_numbers_visible(page)
    check_a11y(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_anonymous_visitor_reads_the_public_guide(page, live_server, live_world, check_a11y,
                                                  language):
    page.context.add_cookies([{
        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
    }])

    # The overview: the guide, its levels and steps, the emergency numbers up front.
    response = page.goto(url(live_server, GUIDE))
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Handlingsveileder for bedre tverrfaglig innsats (BTI)")
    emergency = page.locator(".public-emergency")
    for number in NUMBERS:
        expect(emergency.get_by_role("link", name=number)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("Nivå 0"))).to_be_visible()
    _check(page, check_a11y, language)

    # A step, with its tools.
    page.get_by_role("link", name="Beskriv undringen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beskriv undringen")
    assert page.url.endswith(GUIDE + "niva/0/trinn/1/")
    expect(page.locator("main h1")).to_have_attribute("lang", "nb")
    _check(page, check_a11y, language)

    # One of the step's tools, as a blank printable form.
    page.locator("main").get_by_role("link", name="Kartleggingsskjema").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartleggingsskjema")
    paper = page.locator(".tool-paper")
    expect(paper).to_contain_text("Fjordvik kommune")
    expect(paper).to_contain_text("______")  # blanks to fill in by hand
    _check(page, check_a11y, language)
    pdf_href = page.locator(f"a[href$='{GUIDE}verktoy/kartleggingsskjema/pdf/']").first
    pdf = page.request.get(url(live_server, pdf_href.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # Search from the field on every page.
    search = page.get_by_role("searchbox")
    search.fill("magefølelse")
    with page.expect_navigation():
        search.press("Enter")
    assert "/sok/?q=" in page.url
    results = page.locator(".search-results")
    expect(results.get_by_role("link", name="Beskriv undringen")).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile("magefølelse", re.I))
    _check(page, check_a11y, language)

    # The whole guide, to print.
    page.goto(url(live_server, GUIDE))
    page.locator(f"main a[href='{GUIDE}skriv-ut/']").click()
    expect(page.locator(".print-guide")).to_contain_text("Beskriv undringen")
    expect(page.locator(".print-guide")).to_contain_text("Samtykkeskjema")
    _check(page, check_a11y, language)

    # Printed, only the guide: no header, search or buttons, but the numbers.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".public-bar")).to_be_hidden()
    expect(page.locator(".print-guide h1")).to_be_visible()
    expect(page.locator(".public-emergency")).to_be_visible()
    page.emulate_media(media="screen")


def test_search_and_print_are_keyboard_reachable(page, live_server, live_world, check_a11y):
    page.goto(url(live_server, GUIDE + "niva/1/"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    search = page.get_by_role("searchbox")
    for _ in range(30):
        page.keyboard.press("Tab")
        if search.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the search field cannot be reached with Tab")
    page.keyboard.type("SAMTYKKE")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".search-results li").first).to_be_visible()
    _check(page, check_a11y, "nb")


def test_unknown_municipality_is_not_found(page, live_server, live_world):
    response = page.goto(url(live_server, "/k/0000/veileder/"))
    assert response.status == 404
