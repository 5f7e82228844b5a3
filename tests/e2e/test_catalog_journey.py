"""The catalogue of measures in a real browser, in bokmål: Cora (coordinator)
imports a CSV through the page; the measure shows in the public catalogue and
on the guide step it belongs to (anonymous browser); Helga picks it when she
adds a measure to a relay. Every new page passes axe-core."""

import datetime as dt
import re

from django_scopes import scope

from stafett.relay.models import Measure
from tests.conftest import PASSWORD
from tests.relay.conftest import world  # noqa: F401  (the world with Helga)
from tests.relay.helpers import make_relay

from .helpers import expect, login, url

CSV = (
    "key;name;description;age_from;age_to;groups;levels;steps;service;access;contact;active\n"
    "icdp;Foreldreveiledning ICDP;Gruppeveiledning for foreldre.;0;18;parents;1 2;1.1;"
    "Helsestasjonen;low_threshold;tlf. 40 00 11 20;yes\n"
    "lek;Leksehjelp;;6;16;child;1;;Bakken skole;low_threshold;;yes\n"
)


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Logg ut", re.I)).click()


def test_import_show_publicly_and_pick_in_a_relay(page, live_server, live_world, check_a11y, tmp_path):
    w = live_world
    relay, _parents = make_relay(w, consent_services=[w.health_station, w.school])
    csv_file = tmp_path / "tiltak.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    # --- Cora imports the file ------------------------------------------------------
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name="Tiltaksoversikt").first.click()
    check_a11y(page)
    page.get_by_role("link", name="Importer en fil").click()
    check_a11y(page)
    page.get_by_label("Fil med tiltaksoversikt (CSV eller YAML)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Sjekk filen").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning: ingenting er lagret ennå")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Importer tiltakene").click()
    expect(page.get_by_text("Filen er importert: 2 nye")).to_be_visible()
    page.get_by_role("link", name="Foreldreveiledning ICDP").click()
    check_a11y(page)
    page.get_by_role("link", name="Endre tiltaket").click()
    check_a11y(page)
    page.go_back()
    page.get_by_role("link", name="Gjør tiltaket inaktivt").click()
    check_a11y(page)
    page.goto(url(live_server, "/tiltak/nytt/"))
    check_a11y(page)
    _logout(page)

    # --- anyone finds it in the public catalogue and on its guide step ---------------
    page.goto(url(live_server, "/k/9901/veileder/"))
    page.get_by_role("link", name="Tiltak og tilbud i kommunen").click()
    check_a11y(page)
    page.get_by_label("Alder (år)").select_option("3")
    page.get_by_role("button", name="Vis tiltak").click()
    expect(page.get_by_role("link", name="Foreldreveiledning ICDP")).to_be_visible()
    expect(page.get_by_role("link", name="Leksehjelp")).to_have_count(0)
    page.get_by_role("link", name="Foreldreveiledning ICDP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foreldreveiledning ICDP")
    check_a11y(page)
    page.goto(url(live_server, "/k/9901/veileder/niva/1/trinn/1/"))
    expect(page.get_by_role("link", name="Foreldreveiledning ICDP")).to_be_visible()
    check_a11y(page)

    # --- Helga (health station) picks it in her relay ---------------------------------
    login(page, live_server, "helga", PASSWORD)
    page.goto(url(live_server, f"/stafettlogg/{relay.pk}/"))
    page.get_by_role("link", name="Legg til et tiltak").first.click()
    page.get_by_label("Tiltak fra tiltaksoversikten").select_option(label="Foreldreveiledning ICDP")
    page.get_by_role("button", name="Bruk dette tiltaket").click()
    check_a11y(page)
    what = page.get_by_label("Hva skal gjøres?")
    expect(what).to_have_value("Foreldreveiledning ICDP")
    what.fill("Foreldreveiledning ICDP: mor begynner på kurset i mars.")
    expect(page.get_by_label("Ansvarlig tjeneste")).to_have_value(str(w.health_station.pk))
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    page.get_by_label("Frist").fill(later)
    page.get_by_label("Evalueringsdato").fill(later)
    page.get_by_role("button", name="Lagre tiltaket").click()
    with scope(municipality=w.fjordvik):
        measure = Measure.objects.get(relay=relay)
    assert measure.catalog_measure.key == "icdp"
    page.goto(url(live_server, f"/stafettlogg/{relay.pk}/tiltak/{measure.pk}/"))
    expect(page.get_by_role("link", name="Foreldreveiledning ICDP")).to_be_visible()
