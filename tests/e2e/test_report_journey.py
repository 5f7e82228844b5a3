"""The report of concern in a real browser: Kari writes it from her worry,
Leif approves it, the worker sends it (the status shows it, the file drop
has the folder), and Kasper cannot see it. Every page passes axe-core, in
bokmål, nynorsk and English."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.lib import org_number
from stafett.notify import outbox
from stafett.reports.models import ChildWelfareReport, ReportSettings
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD
from tests.reports.helpers import official_errors, submitted, write

from .helpers import expect, login, tab_to, url


def _numbers(world):
    with scopes_disabled():
        world.kindergarten.organisation_number = org_number.make("99990201")
        world.kindergarten.save(update_fields=["organisation_number"])


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Logg ut").click()


def _told(page, question, answer):
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def test_kari_reports_leif_approves_it_is_sent_and_kasper_cannot_see_it(
        page, live_server, live_world, check_a11y, filedrop):
    _numbers(live_world)
    concern = make_concern(live_world, shared=True)

    # --- Kari writes the report from her worry ---------------------------------
    login(page, live_server, "kari", PASSWORD)
    page.goto(url(live_server, reverse("concerns:detail", args=[concern.pk])))
    section = page.get_by_role("region", name="Bekymringsmelding til barneverntjenesten")
    section.get_by_role("button", name="Skriv en bekymringsmelding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Skriv bekymringsmeldingen til barneverntjenesten")
    # Pre-filled from the worry.
    expect(page.get_by_label("Barnets navn")).to_have_value("Ella Strandvik")
    expect(page.get_by_label("Hva har du observert?")).to_have_value("Virker sliten om morgenen.")
    check_a11y(page)

    # Saved without the addresses: clear messages, nothing saved.
    page.get_by_role("button", name="Lagre meldingen").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv barnets adresse.")
    check_a11y(page)

    page.get_by_label("Barnets adresse").fill("Fjellveien 12")
    page.get_by_label("Barnets postnummer").fill("9990")
    page.get_by_label("Barnets poststed").fill("Fjordvik")
    _told(page, "Er barnet orientert om meldingen?", "Nei")
    page.get_by_label("Hvorfor er barnet ikke orientert?").fill("Barnet er fire år.")
    page.get_by_label("Foresatt 1: navn").fill("Lene Strandvik")
    _told(page, "Foresatt 1: orientert om meldingen?", "Ja")
    page.get_by_label("Foresatt 2: navn (valgfritt)").fill("Tor Strandvik")
    _told(page, "Foresatt 2: orientert om meldingen?", "Nei")
    page.get_by_label("Foresatt 2: hvorfor ikke orientert?").fill("Mistanken gjelder far.")
    page.get_by_label("Rollen din").fill("Pedagogisk leder")
    page.get_by_label("Telefonen din").fill("40 00 10 11")
    page.get_by_label("E-postadressen din").fill("kari@fjordvik.example")
    page.get_by_label("Tjenestens adresse").fill("Solsikkeveien 1")
    page.get_by_label("Tjenestens postnummer").fill("9990")
    page.get_by_label("Tjenestens poststed").fill("Fjordvik")
    page.get_by_label("Behov for tolk").fill("Nei")
    page.get_by_role("button", name="Lagre meldingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bekymringsmelding om Ella Strandvik")
    expect(page.get_by_role("region", name="Status")).to_contain_text("utkast")
    check_a11y(page)

    # Sent to Leif, by keyboard.
    tab_to(page, "button", "Send til lederen min for godkjenning", max_presses=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Meldingen er sendt til lederen din for godkjenning.")).to_be_visible()
    expect(page.get_by_role("region", name="Status")).to_contain_text("venter på lederens godkjenning")
    _logout(page)

    # --- Leif reviews and approves -----------------------------------------------
    login(page, live_server, "leif", PASSWORD)
    page.get_by_role("link", name="Bekymringsmeldinger").click()
    check_a11y(page)
    page.get_by_role("link", name="Ella Strandvik").click()
    page.get_by_role("link", name="Se over og godkjenn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Godkjenn bekymringsmeldingen om Ella Strandvik")
    expect(page.get_by_text("Mistanken gjelder far.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Godkjenn og send").click()
    expect(page.get_by_text("Meldingen er godkjent og sendes til barneverntjenesten.")).to_be_visible()
    expect(page.get_by_role("region", name="Status")).to_contain_text("godkjent, venter på å bli sendt")

    # --- The worker sends it -----------------------------------------------------
    assert outbox.deliver_all()["sent"] >= 1
    page.reload()
    expect(page.get_by_role("region", name="Status")).to_contain_text("sendt")
    check_a11y(page)
    with scopes_disabled():
        report = ChildWelfareReport.objects.get()
    folder = Path(filedrop) / "report" / "9901" / str(report.message_id)
    assert sorted(p.name for p in folder.iterdir()) == [
        "bekymringsmelding.json", "bekymringsmelding.pdf", "melding.json"]
    sent = json.loads((folder / "bekymringsmelding.json").read_text(encoding="utf-8"))
    assert official_errors(sent) == []
    assert sent["foresatte"][1] == {"personnavn": "Tor Strandvik", "orientert": False,
                                    "orientertGrunn": "Mistanken gjelder far."}
    pdf = page.request.get(url(live_server, reverse("reports:pdf", args=[report.pk])))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    # The worry's page shows the status too.
    page.goto(url(live_server, reverse("concerns:detail", args=[concern.pk])))
    expect(page.get_by_role("region", name="Bekymringsmelding til barneverntjenesten")) \
        .to_contain_text("sendt")
    _logout(page)

    # --- Kasper, in the same kindergarten, cannot see it -----------------------
    login(page, live_server, "kasper", PASSWORD)
    for name in ("reports:detail", "reports:pdf"):
        response = page.goto(url(live_server, reverse(name, args=[report.pk])))
        assert response.status == 404
    page.goto(url(live_server, reverse("reports:index")))
    expect(page.get_by_role("link", name="Ella Strandvik")).to_have_count(0)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_report_page_passes_axe(page, live_server, live_world, check_a11y, language):
    _numbers(live_world)
    concern = make_concern(live_world, shared=True)
    draft = submitted(live_world, concern)
    acute = write(live_world, concern, acute=True)
    with scope(municipality=live_world.fjordvik):
        ReportSettings.objects.update_or_create(municipality=live_world.fjordvik,
                                                defaults={"acute_without_approval": True})
    page.context.add_cookies([{
        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
    }])
    for username, paths in [
        ("kari", [reverse("concerns:acute", args=[concern.pk]),
                  reverse("reports:detail", args=[draft.pk]), reverse("reports:index"),
                  reverse("reports:edit", args=[acute.pk]),
                  reverse("reports:detail", args=[acute.pk])]),
        ("leif", [reverse("reports:review", args=[draft.pk]),
                  reverse("reports:send_back", args=[draft.pk])]),
        ("cora", [reverse("reports:settings"), reverse("reports:index")]),
    ]:
        login(page, live_server, username, PASSWORD)
        for path in paths:
            response = page.goto(url(live_server, path))
            assert response.status == 200, path
            expect(page.locator("html")).to_have_attribute("lang", language)
            check_a11y(page)
        page.context.clear_cookies()
        page.context.add_cookies([{
            "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
        }])
    # The send-back form's errors, and the edit form after Leif sent it back.
    login(page, live_server, "leif", PASSWORD)
    page.goto(url(live_server, reverse("reports:review", args=[draft.pk])))
    page.get_by_role("button", name=re.compile("Send tilbake|Send back")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_a11y(page)
