"""The family's consent journey in a real browser: Frida extends the consent
to the school, Geir signs, the school's Olav reads the log; Frida withdraws
for the school and Olav is refused in his very next request. Every family
page passes axe-core. (The ID-porten login itself is the identity journey's:
here the citizens' sessions are made as that login leaves them, with the
assurance level in the session.)"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from stafett.relay import actions
from tests.citizen.conftest import family  # noqa: F401  (the families, on the relay world)
from tests.conftest import PASSWORD
from tests.relay.conftest import world  # noqa: F401  (Helga at the health station)

from .helpers import expect, login, url

pytestmark = pytest.mark.e2e


def _family_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    session = client.session
    session["idporten_acr"] = "idporten-loa-substantial"
    session.save()
    context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context.new_page()


def test_consent_journey_and_access_log(transactional_db, live_server, browser,
                                         family, world, check_a11y):  # noqa: F811
    mia = family.mia_relay
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        actions.add_participant(nurse, mia, service=world.school, user=world.other_employee)
        actions.give_consent(
            nurse, mia, guardians=[family.guardians["frida"], family.guardians["geir"]],
            child_consents=False, services=[world.health_station], purpose="Samarbeid om trivsel.",
            given_on=dt.date.today(), valid_until=dt.date.today() + dt.timedelta(days=365),
            method="digital")
    olav = browser.new_context(locale="nb-NO").new_page()
    login(olav, live_server, "olav", PASSWORD)
    detail = url(live_server, reverse("relay:detail", args=[mia.pk]))
    assert olav.goto(detail).status == 404

    frida = _family_page(browser, live_server, family.frida)
    consent = url(live_server, reverse("citizen:consent", args=[mia.pk]))
    frida.goto(consent)
    check_a11y(frida)
    frida.get_by_label("Bakken skole").check()
    frida.get_by_role("button", name=re.compile("Signer og be de andre signere")).click()
    expect(frida.locator(".messages")).to_contain_text("Du har signert")
    check_a11y(frida)
    assert olav.goto(detail).status == 404

    geir = _family_page(browser, live_server, family.geir)
    geir.goto(consent)
    geir.get_by_role("button", name="Signer dette samtykket").click()
    expect(geir.locator(".messages")).to_contain_text("Samtykket gjelder nå")
    assert olav.goto(detail).status == 200

    frida.goto(url(live_server, reverse("citizen:consent_withdraw", args=[mia.pk])))
    check_a11y(frida)
    frida.get_by_label("Bakken skole").check()
    frida.get_by_role("button", name="Trekk tilbake samtykke").click()
    expect(frida.locator(".messages")).to_contain_text("trukket tilbake")
    assert olav.goto(detail).status == 404

    frida.goto(url(live_server, reverse("citizen:access_log", args=[mia.pk])))
    check_a11y(frida)
    expect(frida.locator("tbody")).to_contain_text("Olav Skolesen")
    expect(frida.locator("tbody")).to_contain_text("Bakken skole")
    # The family's other languages (and right to left in Arabic) come with the
    # languages work; every language offered on family pages is checked here.
    for language in [code for code, _name in settings.FAMILY_LANGUAGES if code != "nb"]:
        frida.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                                    "url": live_server.url}])
        for path in ("citizen:consent", "citizen:access_log", "citizen:consent_withdraw"):
            frida.goto(url(live_server, reverse(path, args=[mia.pk])))
            check_a11y(frida)


def test_the_holder_asks_the_family_and_sees_who_has_signed(transactional_db, live_server, browser,
                                                            family, world, check_a11y):  # noqa: F811
    helga = browser.new_context(locale="nb-NO").new_page()
    login(helga, live_server, "helga", PASSWORD)
    ask = url(live_server, reverse("relay:ask_consent", args=[family.mia_relay.pk]))
    helga.goto(ask)
    check_a11y(helga)
    helga.get_by_label("Bakken skole").uncheck()
    helga.get_by_role("button", name="Be familien signere").click()
    expect(helga.locator(".messages")).to_contain_text("Familien er bedt om å samtykke")
    frida = _family_page(browser, live_server, family.frida)
    frida.goto(url(live_server, reverse("citizen:consent", args=[family.mia_relay.pk])))
    frida.get_by_role("button", name="Signer dette samtykket").click()
    helga.goto(ask)
    check_a11y(helga)
    expect(helga.locator("table")).to_contain_text("signert med ID-porten")
    expect(helga.locator("table")).to_contain_text("Ikke ennå")
