"""Archiving in a real browser: Cora, the BTI coordinator, sets where the
municipality's cases are filed (by keyboard, with a mistake first); Helga
closes a relay; the worker sends it to the archive through the file drop, a
stand-in archive answers, and the relay's page shows it archived with the
archive's case number, in bokmål, nynorsk and English. Every page passes
axe-core. Kari, Leif and Per are refused the settings page."""

import re

from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.archive import standin
from stafett.archive.models import ArchiveDelivery, ArchiveSettings
from stafett.notify import outbox
from stafett.transport import filedrop as drop
from tests.conftest import PASSWORD
from tests.relay.conftest import world  # noqa: F401  (the world with Helga, the nurse)
from tests.relay.helpers import make_relay

from .helpers import expect, login, tab_to, url

SETTINGS = "/arkiv/innstillinger/"
CLASS = re.compile(r"^Klasse:?$")


def _language(page, live_server, code):
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^\s*(Logg ut|Log out)\s*$")).click()


def test_the_coordinator_sets_the_archive_and_a_closed_relay_shows_archived(
        page, live_server, live_world, check_a11y):
    # --- Cora sets the archive settings (bokmål, the default) ---------------------
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name="Velg hvor sakene arkiveres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arkivinnstillinger")
    check_a11y(page)
    # The defaults are there from the start.
    expect(page.get_by_label(CLASS)).to_have_value("F47")
    page.get_by_label(CLASS).fill("")
    page.get_by_label("Arkivdel").fill("BARN")
    tab_to(page, "button", "Lagre arkivinnstillingene").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Klassifikasjonssystem").fill("Arkivnøkkel")
    page.get_by_label(CLASS).fill("K-F47")
    page.get_by_label("Ansvarlig enhet").fill("Oppvekst og kultur")
    tab_to(page, "button", "Lagre arkivinnstillingene").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Arkivinnstillingene er lagret.")
    check_a11y(page)
    with scopes_disabled():
        conf = ArchiveSettings.objects.get(municipality=live_world.fjordvik)
        assert (conf.classification_system, conf.class_id, conf.archive_part) == (
            "Arkivnøkkel", "K-F47", "BARN")
    _logout(page)

    # --- Kari, Leif (Fjordvik) and Per (Åsheim) are refused ----------------------
    for username in ("kari", "leif", "per"):
        login(page, live_server, username, PASSWORD)
        assert page.goto(url(live_server, SETTINGS)).status == 404
        page.goto(url(live_server, "/"))
        _logout(page)

    # --- Helga closes her relay --------------------------------------------------------
    relay, _ = make_relay(live_world)
    login(page, live_server, "helga", PASSWORD)
    page.goto(url(live_server, f"/stafettlogg/{relay.pk}/"))
    page.get_by_role("link", name="Avslutt stafettloggen").click()
    page.get_by_role("radio", name="Målet er nådd").check()
    page.get_by_label("Avsluttende sammendrag").fill("Ella sover hele natta nå.")
    page.get_by_role("button", name="Avslutt stafettloggen").click()
    closed = page.get_by_role("region", name="Avsluttet")
    expect(closed).to_contain_text("Venter på å bli sendt til kommunens arkiv.")
    check_a11y(page)

    # --- The worker sends it; the archive answers -----------------------------------
    assert outbox.deliver_all()["sent"] == 1
    page.reload()
    expect(closed).to_contain_text("Sendt til kommunens arkiv")
    standin.answer_all(case_year=timezone.localdate().year, first_case_number=31)
    assert drop.collect_receipts("archive") == 2  # the consent and the closing summary
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == "archived"
        reference = delivery.archive_reference
    assert reference == f"{timezone.localdate().year}/31"
    page.reload()
    expect(closed).to_contain_text(f"som sak {reference}.")
    check_a11y(page)

    # --- nynorsk and English -------------------------------------------------------------
    for code, region, text in [("nn", "Avslutta", f"som sak {reference}."),
                               ("en", "Closed", f"as case {reference}.")]:
        _language(page, live_server, code)
        page.reload()
        expect(page.get_by_role("region", name=region)).to_contain_text(text)
        check_a11y(page)
    _logout(page)
    login(page, live_server, "cora", PASSWORD)
    for code, heading in [("nn", "Arkivinnstillingar"), ("en", "Archive settings")]:
        _language(page, live_server, code)
        page.goto(url(live_server, SETTINGS))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(page)
