"""The family's journey end to end, every family member logged in through the
real local ID-porten provider (devidp) in their own browser:

Frida reads Mia's log and writes a bright spot; she extends the consent to the
school, Geir signs too, and the school's Olav can read the log; Frida withdraws
for the school and Olav is refused in his very next request. Geir never sees
the note withheld from him. Ylva (16) sees her own log. Frida asks the
kindergarten for help and it lands in Leif's inbox. Frida's access log shows
each staff read of Mia's data, with the service.
"""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from stafett.relay import actions
from tests.citizen.conftest import family  # noqa: F401  (the families, on the relay world)
from tests.conftest import PASSWORD, nb
from tests.relay.conftest import world  # noqa: F401  (Helga at the health station)

from .family import log_in_as_citizen
from .helpers import expect, login, url

pytestmark = pytest.mark.e2e


def _person(browser):
    return browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo").new_page()


def _citizen(browser, live_server, user):
    page = _person(browser)
    log_in_as_citizen(page, live_server.url, user.national_id)
    expect(page).to_have_url(re.compile(r"/familie/$"))
    return page


def test_a_family_reads_writes_consents_withdraws_asks_for_help_and_sees_who_has_looked(
    transactional_db, live_server, devidp, browser, family, world, check_a11y,  # noqa: F811
):
    mia = family.mia_relay
    with scope(municipality=world.fjordvik):
        # The school takes part; the consent in force covers only the health
        # station, so Olav cannot read the log yet.
        nurse = world.actor(world.health_nurse)
        actions.add_participant(nurse, mia, service=world.school, user=world.other_employee)
        actions.withdraw_consent(nurse, mia, reason="Familien vil bestemme selv i familiesidene.")
    olav = _person(browser)
    login(olav, live_server, "olav", PASSWORD)
    staff_log = url(live_server, reverse("relay:detail", args=[mia.pk]))
    assert olav.goto(staff_log).status == 404

    # Frida reads the log and writes a bright spot.
    frida = _citizen(browser, live_server, family.frida)
    check_a11y(frida)
    frida.get_by_role("link", name=nb("Read the log about %(name)s", name="Mia Fjeld")).click()
    expect(frida.get_by_text("Samtale med mor alene om tryggheten hjemme.")).to_be_visible()
    frida.get_by_label(nb("A bright spot: something that went well")).check()
    frida.get_by_label(nb("Your text")).fill("Mia leste en hel bok selv!")
    with frida.expect_navigation():
        frida.get_by_role("button", name=nb("Send to the log")).click()
    expect(frida.locator(".timeline__entry", has_text="Mia leste en hel bok selv!")).to_contain_text(
        nb("From the family"))
    check_a11y(frida)

    # She consents to the school; it takes Geir's signature too.
    consent = url(live_server, reverse("citizen:consent", args=[mia.pk]))
    frida.goto(consent)
    frida.get_by_label("Bakken skole").check()
    frida.get_by_label("Helsestasjonen").check()
    frida.get_by_label(nb("What the information may be used for")).fill("At skolen og helsestasjonen hjelper Mia sammen.")
    with frida.expect_navigation():
        frida.get_by_role("button", name=nb("Sign and ask the others to sign")).click()
    expect(frida.locator(".messages")).to_contain_text(nb(
        "You have signed. The consent comes into force when everyone who must consent has signed too."))
    check_a11y(frida)
    assert olav.goto(staff_log).status == 404

    geir = _citizen(browser, live_server, family.geir)
    geir.goto(url(live_server, reverse("citizen:relay", args=[mia.pk])))
    expect(geir.get_by_text("Mia lo mye i dag.")).to_be_visible()
    expect(geir.locator("main")).not_to_contain_text("Samtale med mor alene")
    geir.goto(consent)
    with geir.expect_navigation():
        geir.get_by_role("button", name=nb("Sign this consent")).click()
    expect(geir.locator(".messages")).to_contain_text(nb("The consent is now in force."))
    assert olav.goto(staff_log).status == 200

    # Frida withdraws for the school: Olav's very next request is refused.
    frida.goto(url(live_server, reverse("citizen:consent_withdraw", args=[mia.pk])))
    frida.get_by_label("Bakken skole").check()
    with frida.expect_navigation():
        frida.get_by_role("button", name=nb("Withdraw consent")).click()
    assert olav.goto(staff_log).status == 404

    # Ylva, 16, sees her own log and nobody else's.
    ylva = _citizen(browser, live_server, family.ylva)
    expect(ylva.locator("main")).to_contain_text("Ylva Berg")
    expect(ylva.locator("main")).not_to_contain_text("Mia Fjeld")

    # Frida asks the kindergarten for help with Mia's little brother.
    frida.goto(url(live_server, reverse("citizen:worry_new")))
    frida.get_by_label(nb("Which service do you want to ask?")).select_option(label="Solsikken barnehage")
    frida.get_by_label(nb("The child's name")).fill("Lars Fjeld")
    frida.get_by_label(nb("Date of birth")).fill("2022-05-17")
    frida.get_by_label(nb("What are you worried about?")).fill("Lars gruer seg til barnehagen.")
    frida.get_by_label(nb("By phone")).check()
    frida.get_by_label(nb("Your phone number or e-mail address")).fill("900 00 000")
    with frida.expect_navigation():
        frida.get_by_role("button", name=nb("Send the request")).click()
    expect(frida.get_by_role("row", name=re.compile("Lars Fjeld"))).to_contain_text(nb("Received"))
    leif = _person(browser)
    login(leif, live_server, "leif", PASSWORD)
    leif.goto(url(live_server, reverse("concerns:inbox")))
    expect(leif.get_by_role("row", name=re.compile("Lars Fjeld"))).to_contain_text(nb("Raised by the family"))
    lise = _person(browser)
    login(lise, live_server, "lise", PASSWORD)
    lise.goto(url(live_server, reverse("concerns:inbox")))
    expect(lise.locator("main")).not_to_contain_text("Lars Fjeld")

    # Who has looked: Olav's read, with his service, and Helga's.
    frida.goto(url(live_server, reverse("citizen:access_log", args=[mia.pk])))
    rows = frida.locator("tbody")
    expect(rows).to_contain_text("Olav Skolesen")
    expect(rows).to_contain_text("Bakken skole")
    expect(rows).to_contain_text("Helga Helsesøstersen")
    expect(rows).not_to_contain_text("Samtale med mor")
    check_a11y(frida)
