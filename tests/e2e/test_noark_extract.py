"""Cora, the BTI coordinator, makes a Noark 5 extract in a real browser: she
starts it with the keyboard, the worker writes it (run here, in the test),
she follows the status and downloads the zip. The page passes axe-core in
bokmål, nynorsk and English. Kari, a teacher, has no such page."""

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.tenancy.models import Membership
from tests.archive.conftest import STANDARDS, close_a_concern, close_a_relay
from tests.conftest import PASSWORD, _user

from .helpers import expect, login, tab_to, url

INDEX = reverse("archive_extract:index")
HEADING = {"nb": "Arkivuttrekk", "nn": "Arkivuttrekk", "en": "Archive extract"}


@pytest.fixture
def closed_cases(live_world, settings, tmp_path):
    settings.STAFETT_EXTRACT_DIR = tmp_path / "extracts"
    settings.STAFETT_NOARK5_SCHEMA_DIR = str(STANDARDS)
    with scopes_disabled():
        live_world.health_nurse = _user("helga", "Helga", "Helsesøstersen")
        Membership.objects.create(municipality=live_world.fjordvik, service=live_world.health_station,
                                  user=live_world.health_nurse, role="employee")
    return close_a_relay(live_world), close_a_concern(live_world)


def test_cora_starts_an_extract_the_worker_writes_it_and_she_downloads_it(
        page, live_server, live_world, closed_cases, check_a11y):
    # Kari has no link to the page, and the page is not there for her.
    login(page, live_server, "kari", PASSWORD)
    menu = page.get_by_role("navigation", name=re.compile("Hovedmeny|Main menu"))
    expect(menu.get_by_role("link", name="Arkivuttrekk")).to_have_count(0)
    assert page.goto(url(live_server, INDEX)).status == 404
    page.context.clear_cookies()

    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("navigation", name=re.compile("Hovedmeny|Main menu")).get_by_role(
        "link", name="Arkivuttrekk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arkivuttrekk")
    expect(page.get_by_text("Det er ikke laget noe uttrekk ennå.")).to_be_visible()
    check_a11y(page)

    # Started from the keyboard.
    button = tab_to(page, "button", "Start et nytt uttrekk")
    with page.expect_navigation():
        button.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Uttrekket er startet.")
    expect(page.get_by_role("row", name=re.compile("venter i køen"))).to_have_count(1)
    check_a11y(page)

    # The worker runs the queue once.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    page.get_by_role("link", name="Oppdater statusen").click()
    row = page.get_by_role("row", name=re.compile("klart"))
    expect(row).to_contain_text("klart")
    # 2 folders, 5 registrations, 5 documents, 1 correction; never a child's name.
    expect(row.get_by_role("cell")).to_have_text(
        [re.compile(r"\d+"), re.compile("Cora"), "klart", "2", "5", "5", "1", re.compile("Last ned")])
    expect(page.get_by_role("main")).not_to_contain_text("Ella")
    check_a11y(page)

    link = page.get_by_role("link", name=re.compile(r"^Last ned uttrekk \d+"))
    with page.expect_download() as info:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    names = archive.namelist()
    assert any(n.endswith("/arkivuttrekk.xml") for n in names)
    assert sum("/dokumenter/" in n for n in names) == 5


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_extract_page_passes_axe_in_every_language(
        page, live_server, live_world, closed_cases, check_a11y, language):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                               "url": live_server.url}])
    login(page, live_server, "cora", PASSWORD)
    page.goto(url(live_server, INDEX))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING[language])
    check_a11y(page)
