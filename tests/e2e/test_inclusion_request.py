"""One child, one stafettlogg, in a real browser and in bokmål: Vidar in the
adult service tries to start a log for a child the health station already
coordinates; he is told only that the family will be asked. Helga sees his
request on her overview and records that the family said no; Vidar is told
that, and nothing more. Every page on the way passes axe-core."""

import datetime as dt
import re

from django_scopes import scope, scopes_disabled

from stafett.lib.national_id import make_synthetic
from stafett.relay import actions
from stafett.tenancy.models import Membership
from tests.conftest import PASSWORD, _user

from .helpers import expect, login, url

BIRTH = dt.date.today() - dt.timedelta(days=5 * 365)
CHILD = {"name": "Ella Strandvik", "birth_date": BIRTH, "expected_date": None,
         "national_id": make_synthetic(BIRTH, 7)}


def _people(world):
    with scopes_disabled():
        helga = _user("helga", "Helga", "Helsesøstersen")
        vidar = _user("vidar", "Vidar", "Voksensen")
        for user, service in ((helga, world.health_station), (vidar, world.adult_service)):
            Membership.objects.create(municipality=world.fjordvik, service=service, user=user,
                                      role="employee")
    with scope(municipality=world.fjordvik):
        relay = actions.start_relay(world.actor(helga), service=world.health_station, level=2,
                                    area_of_concern="Søvn og trygghet hjemme.", child=dict(CHILD))
    return relay


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Logg ut")).click()


def test_a_second_start_becomes_a_question_to_the_family(page, live_server, live_world, check_a11y):
    relay = _people(live_world)

    login(page, live_server, "vidar", PASSWORD)
    page.goto(url(live_server, "/stafettlogg/ny/"))
    check_a11y(page)
    page.get_by_label("Barnets navn").fill("Ella Strandvik")
    page.get_by_label("Fødselsdato").fill(BIRTH.isoformat())
    page.get_by_label("Fødselsnummer (valgfritt)").fill(CHILD["national_id"])
    page.get_by_role("radio", name=re.compile("Nivå 2")).check()
    page.get_by_label("Bekymringsområde").fill("Mor får oppfølging hos oss.")
    page.get_by_role("button", name="Start stafettloggen").click()
    expect(page.get_by_text(re.compile("Familien blir spurt om tjenesten din kan delta"))).to_be_visible()
    expect(page.get_by_text("Helga")).to_have_count(0)
    check_a11y(page)
    _logout(page)

    login(page, live_server, "helga", PASSWORD)
    page.goto(url(live_server, f"/stafettlogg/{relay.pk}/"))
    expect(page.get_by_text(re.compile(r"Psykisk helse og rus \(Vidar Voksensen\)"))).to_be_visible()
    expect(page.get_by_role("link", name="Utvid samtykket til å omfatte Psykisk helse og rus")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Familien sa nei").click()
    expect(page.get_by_text(re.compile("Registrert at familien sa nei"))).to_be_visible()
    _logout(page)

    login(page, live_server, "vidar", PASSWORD)
    page.goto(url(live_server, "/stafettlogg/"))
    expect(page.get_by_text(re.compile("familien samtykket ikke"))).to_be_visible()
    check_a11y(page)
    assert page.goto(url(live_server, f"/stafettlogg/{relay.pk}/")).status == 404
