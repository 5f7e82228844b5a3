"""When people leave, the work stays with the service — in a real browser, in
bokmål, every page checked with axe-core.

Kari leaves the kindergarten: Leif finds her unshared worry in his inbox and
gives it to Kasper. Helga, who held a stafettlogg for the health station
(which has no leader), leaves: Cora, the BTI coordinator, is told in "Trenger
oppfølging", appoints Hilde without seeing the log, and Hilde accepts.
"""

import datetime as dt

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.followup import engine
from stafett.relay import actions
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD, _user

from .helpers import expect, login, url


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Logg ut").click()


def test_a_leader_gives_a_departed_authors_worry_to_a_colleague(page, live_server, live_world,
                                                                  check_a11y):
    concern = make_concern(live_world)
    with scopes_disabled():
        Membership.objects.filter(user=live_world.teacher).update(active=False)

    login(page, live_server, "leif", PASSWORD)
    page.goto(url(live_server, "/bekymringer/innboks/"))
    check_a11y(page)
    page.get_by_role("link", name="Gi bekymringen for Ella Strandvik til en annen").click()
    check_a11y(page)
    page.get_by_label("Ny ansvarlig ansatt").select_option(label="Kasper Kollegasen – Solsikken barnehage")
    page.get_by_role("button", name="Gi bekymringen til denne personen").click()
    expect(page.get_by_text("Kasper Kollegasen er nå ansvarlig for bekymringen.")).to_be_visible()
    _logout(page)

    login(page, live_server, "kasper", PASSWORD)
    page.goto(url(live_server, f"/bekymringer/{concern.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekymring for Ella Strandvik")


def test_the_coordinator_appoints_a_new_holder(page, live_server, live_world, check_a11y):
    world = live_world
    today = dt.date.today()
    with scopes_disabled():
        helga = _user("helga", "Helga", "Helsesøstersen")
        hilde = _user("hilde", "Hilde", "Helsesøstersen")
        for person in (helga, hilde):
            Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                      user=person, role="employee")
    with scope(municipality=world.fjordvik):
        actor = world.actor(helga)
        relay = actions.start_relay(
            actor, service=world.health_station, level=1, area_of_concern="Søvn og trygghet hjemme.",
            child={"name": "Ella Strandvik", "birth_date": today - dt.timedelta(days=6 * 365),
                   "expected_date": None, "national_id": ""},
        )
    with scopes_disabled():
        Membership.objects.filter(user=helga).update(active=False)
    engine.evaluate(world.fjordvik, timezone.now())

    login(page, live_server, "cora", PASSWORD)
    page.goto(url(live_server, "/oppfolging/"))
    check_a11y(page)
    page.get_by_role("link", name="Oppnevn ny stafettholder for Ella Strandvik").click()
    check_a11y(page)
    expect(page.get_by_text("Søvn og trygghet hjemme.")).to_have_count(0)
    page.get_by_label("Ny stafettholder").select_option(label="Hilde Helsesøstersen – Helsestasjonen")
    page.get_by_label("Hva den nye stafettholderen trenger å vite").fill(
        "Helga har sluttet. Familien venter på en samtale i neste uke.")
    page.get_by_role("button", name="Spør om vedkommende vil overta").click()
    expect(page.get_by_role("heading", name="Venter på svar")).to_be_visible()
    check_a11y(page)
    _logout(page)

    login(page, live_server, "hilde", PASSWORD)
    page.goto(url(live_server, "/stafettlogg/"))
    page.get_by_role("link", name="Stafettlogg for Ella Strandvik").first.click()
    check_a11y(page)
    expect(page.get_by_text("Familien venter på en samtale i neste uke.")).to_be_visible()
    page.get_by_role("button", name="Godta og overta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Ella Strandvik")
    relay.refresh_from_db()
    assert relay.holder == hilde
