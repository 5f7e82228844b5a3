"""Feedback to leadership in a real browser: Kari sends feedback on a step
from the guide page (named) and one anonymously; Cora, the BTI coordinator,
answers the named one with "changed" and the guide version; Kari follows it
on "My feedback" and the anonymous one by its code. A guardian sends
anonymous feedback from the family pages and follows it by code. axe-core
on every page of the way."""

import re

import pytest
from django.urls import reverse

from tests.citizen.conftest import family  # noqa: F401  (the families, on the relay world)
from tests.conftest import PASSWORD, nb
from tests.relay.conftest import world  # noqa: F401  (Helga at the health station)

from .family import log_in_as_citizen
from .helpers import expect, login, url

pytestmark = pytest.mark.e2e


def _person(browser):
    return browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo").new_page()


def _code(page) -> str:
    return page.locator(".tracking-code strong").inner_text().strip()


def test_an_employee_sends_feedback_the_coordinator_answers_and_she_follows_it(
    transactional_db, live_server, devidp, browser, family, world, check_a11y,  # noqa: F811
):
    kari = _person(browser)
    login(kari, live_server, "kari", PASSWORD)
    # From the guide's step, the form comes with the step chosen.
    kari.goto(url(live_server, reverse("guides:step", args=[1, 2])))
    kari.get_by_role("link", name=nb("Give feedback on this step")).click()
    expect(kari.get_by_label(nb("a step in the guide"))).to_be_checked()
    check_a11y(kari)
    kari.get_by_label(nb("Your feedback")).fill("Det er uklart hvem som kaller inn til det første møtet.")
    with kari.expect_navigation():
        kari.get_by_role("button", name=nb("Send the feedback")).click()
    expect(kari.locator(".messages")).to_contain_text(nb("Thank you. Your feedback has been sent to the BTI coordinator."))
    check_a11y(kari)

    # And one anonymously: the code is shown once.
    kari.goto(url(live_server, reverse("feedback:new")))
    kari.get_by_label(nb("Stafett itself")).check()
    kari.get_by_label(nb("Your feedback")).fill("Skjemaene er vanskelige å finne.")
    kari.get_by_label(nb("Send anonymously")).check()
    with kari.expect_navigation():
        kari.get_by_role("button", name=nb("Send the feedback")).click()
    code = _code(kari)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){4}", code)
    check_a11y(kari)

    # Cora sees what waits, and answers Kari's.
    cora = _person(browser)
    login(cora, live_server, "cora", PASSWORD)
    expect(cora.get_by_text(re.compile(r"2 tilbakemeldinger venter på svar"))).to_be_visible()
    cora.get_by_role("link", name=nb("Answer feedback")).click()
    check_a11y(cora)
    anonymous_row = cora.locator("tbody tr", has_text="Skjemaene er vanskelige å finne.")
    expect(anonymous_row).to_contain_text(nb("Anonymous"))
    expect(anonymous_row).not_to_contain_text("Kari")
    cora.locator("tbody tr", has_text="Kari").get_by_role("link").click()
    check_a11y(cora)
    cora.get_by_role("combobox", name=re.compile(r"^Status")).select_option(label=nb("changed"))
    cora.get_by_label(nb("Answer to the sender")).fill("Trinnet sier nå at stafettholderen kaller inn.")
    cora.get_by_label(nb("Changed in guide version")).select_option(index=1)
    with cora.expect_navigation():
        cora.get_by_role("button", name=nb("Save the status")).click()
    expect(cora.locator(".messages")).to_contain_text(nb("The status has been saved."))
    check_a11y(cora)

    # Kari follows it on "My feedback".
    kari.goto(url(live_server, reverse("core:home")))
    kari.get_by_role("link", name=nb("My feedback")).click()
    row = kari.locator("tbody tr", has_text="Nivå 1, trinn 2")
    expect(row).to_contain_text("Endret")
    expect(row).to_contain_text("endret i versjon")
    check_a11y(kari)
    row.get_by_role("link").click()
    expect(kari.get_by_text("Trinnet sier nå at stafettholderen kaller inn.").first).to_be_visible()
    expect(kari.get_by_role("link", name=re.compile(r"Endret i versjon \d+ av handlingsveilederen"))).to_be_visible()
    check_a11y(kari)
    # The anonymous one, by its code only.
    kari.goto(url(live_server, reverse("feedback:track")))
    kari.get_by_label(nb("Tracking code")).fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    kari.get_by_role("button", name=nb("Show the status")).click()
    expect(kari.get_by_text(nb("No feedback was found with this code. Check that you typed it as you were given it.")).first).to_be_visible()
    kari.get_by_label(nb("Tracking code")).fill(code)
    kari.get_by_role("button", name=nb("Show the status")).click()
    expect(kari.get_by_text("Skjemaene er vanskelige å finne.")).to_be_visible()
    check_a11y(kari)

    # A guardian, anonymously, from the family pages.
    frida = _person(browser)
    log_in_as_citizen(frida, live_server.url, family.frida.national_id)
    frida.get_by_role("link", name=nb("Tell the municipality how the cooperation works")).click()
    check_a11y(frida)
    frida.get_by_label(nb("cooperation between services")).check()
    frida.get_by_label(nb("Your feedback")).fill("Fint at skolen og helsestasjonen møtes sammen med oss.")
    frida.get_by_label(nb("Send anonymously")).check()
    with frida.expect_navigation():
        frida.get_by_role("button", name=nb("Send the feedback")).click()
    family_code = _code(frida)
    check_a11y(frida)
    frida.get_by_role("link", name=nb("Follow the feedback with the code")).click()
    frida.get_by_label(nb("Tracking code")).fill(family_code)
    frida.get_by_role("button", name=nb("Show the status")).click()
    expect(frida.get_by_text("Fint at skolen og helsestasjonen møtes sammen med oss.")).to_be_visible()
    expect(frida.locator(".badge")).to_contain_text("Mottatt")
    check_a11y(frida)
    frida.goto(url(live_server, reverse("feedback_family:mine")))
    check_a11y(frida)
