"""The competence mapping in a real browser: Cora creates a wave for the
kindergarten and opens it; four employees answer through their start page and
the results still say they are hidden; the fifth answers and the results
appear. axe-core on every new page: the bank, the wave form, the wave's
status, the answer page (also with its errors) and the results."""

import re

import pytest
from django_scopes import scopes_disabled

from stafett.tenancy.models import Membership
from tests.conftest import PASSWORD, _user

from .helpers import expect, login

pytestmark = pytest.mark.e2e

LIKERT = "Jeg vet hva en stafettholder gjør."
YES_NO = "Jeg vet hvor jeg finner samtykkeskjemaet og hvordan det brukes."
FREE = "Hva ville gjort samarbeidet mellom tjenestene bedre?"


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Logg ut").click()


def _answer(page, live_server, username, check_a11y=None):
    login(page, live_server, username, PASSWORD)
    page.get_by_role("link", name="Svar på kartleggingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartlegging 2026")
    if check_a11y:
        # Sent without choosing: messages, nothing saved.
        page.get_by_role("button", name="Send svarene mine").click()
        expect(page.get_by_role("alert")).to_contain_text("Spørsmål 1: velg et svar.")
        check_a11y(page)
    page.get_by_role("group", name=re.compile(re.escape(LIKERT))).get_by_label("4", exact=True).check()
    page.get_by_role("group", name=re.compile(re.escape(YES_NO))).get_by_label("Ja", exact=True).check()
    page.get_by_label(re.compile(re.escape(FREE))).fill(f"Faste møter med helsestasjonen ({username}).")
    page.get_by_role("button", name="Send svarene mine").click()
    expect(page.get_by_role("status")).to_contain_text("Takk! Svarene dine er lagret anonymt.")
    expect(page.get_by_text("Du har svart på denne kartleggingen. Takk!")).to_be_visible()
    _logout(page)


def test_cora_runs_a_wave_and_results_appear_at_five(page, live_server, live_world, check_a11y):
    w = live_world
    with scopes_disabled():
        for i in range(3):
            user = _user(f"ansatt{i}", f"Ansatt{i}", "Barnehagesen")
            Membership.objects.create(municipality=w.fjordvik, service=w.kindergarten, user=user,
                                      role="employee")

    # --- Cora: the bank, then a wave for the kindergarten ------------------------
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name="Kompetansekartlegging (undersøkelser i runder)").click()
    expect(page.get_by_text("Ingen runder ennå.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Spørsmålsbanken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spørsmålsbanken")
    expect(page.get_by_role("rowheader", name=LIKERT)).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Rediger spørsmål 1", exact=True).click()
    expect(page.get_by_label("Spørsmål")).to_have_value("Jeg kjenner de fire nivåene i BTI og hva hvert av dem er til for.")
    check_a11y(page)
    page.get_by_role("link", name="Tilbake til spørsmålsbanken").click()
    page.get_by_role("link", name="Tilbake til kompetansekartleggingen").click()
    page.get_by_role("link", name="Opprett en runde").click()
    check_a11y(page)
    page.get_by_label("Tittel").fill("Kartlegging 2026")
    page.get_by_label("Utgangspunkt (0-punktsanalyse)").check()
    for box in page.get_by_role("checkbox").all():
        if box.is_checked():
            box.uncheck()
    page.get_by_label("Utgangspunkt (0-punktsanalyse)").check()
    page.get_by_label("Solsikken barnehage").check()
    for text in (LIKERT, YES_NO, FREE):
        page.get_by_label(text, exact=True).check()
    page.get_by_role("button", name="Lagre runden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartlegging 2026")
    check_a11y(page)
    page.get_by_role("button", name="Åpne runden for svar").click()
    expect(page.get_by_role("status")).to_contain_text("Runden er åpen. 6 personer er invitert.")
    expect(page.get_by_role("table", name="Svarprosent per tjeneste")).to_contain_text("Solsikken barnehage")
    check_a11y(page)
    _logout(page)

    # --- Four answer: still hidden ------------------------------------------------
    _answer(page, live_server, "kari", check_a11y)
    for username in ("kasper", "ansatt0", "ansatt1"):
        _answer(page, live_server, username)

    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name="Kompetansekartlegging (undersøkelser i runder)").click()
    page.get_by_role("link", name="Status for Kartlegging 2026").click()
    expect(page.get_by_text("4 av 6 inviterte har svart.")).to_be_visible()
    page.get_by_role("link", name="Se resultatene").click()
    expect(page.get_by_text("Resultatene er skjult: færre enn fem har svart så langt.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    check_a11y(page)
    _logout(page)

    # --- The fifth answers: the results appear --------------------------------------
    _answer(page, live_server, "ansatt2")
    login(page, live_server, "leif", PASSWORD)
    page.get_by_role("link", name="Resultater fra kompetansekartleggingen").click()
    page.get_by_role("link", name="Resultater for Kartlegging 2026").click()
    expect(page.get_by_text("Resultatene er skjult")).to_have_count(0)
    respondents = page.get_by_role("table", name="Svar per gruppe og runde")
    expect(respondents.get_by_role("row", name=re.compile("Solsikken barnehage"))).to_contain_text("5")
    expect(page.get_by_role("table", name=re.compile(re.escape(LIKERT)))).to_contain_text("4,0")
    expect(page.get_by_role("img", name=re.compile("Stolpediagram|Bar chart"))).to_have_count(2)
    expect(page.get_by_text("Faste møter med helsestasjonen (ansatt2).")).to_be_visible()
    check_a11y(page)
