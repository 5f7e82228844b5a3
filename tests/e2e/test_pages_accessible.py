"""Every page a person can reach passes axe-core (WCAG 2.1 A/AA, nothing
serious or critical), in bokmål, nynorsk and English. The journey test covers
the pages of the work itself; this one sweeps the rest."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from stafett.concerns import actions
from stafett.onboarding.parts import SLUGS as ONBOARDING_SLUGS
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD

from .helpers import LOGIN_PATH, expect, login, url


def _closed_concern(world):
    concern = make_concern(world, shared=True)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = actions.decide(actor, concern, version=concern.version, outcome="close",
                                 reason="Ingen grunn til å gå videre.")
        actions.close_concern(actor, concern, version=concern.version, reason="Løst.")
    return concern


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_staff_page_passes_axe(page, live_server, live_world, check_a11y, language):
    closed = _closed_concern(live_world)
    open_concern = make_concern(live_world, shared=True, name="Noah Bergly", serial=3)
    page.context.add_cookies([{
        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
    }])
    login(page, live_server, "kari", PASSWORD)
    paths = [
        reverse("concerns:mine") + "?status=closed",
        reverse("concerns:new"),
        reverse("concerns:detail", args=[closed.pk]),
        reverse("concerns:step", args=[closed.pk, "close"]),
        reverse("concerns:history", args=[closed.pk]),
        reverse("concerns:step", args=[open_concern.pk, "define"]),
        reverse("concerns:step", args=[open_concern.pk, "decide"]),
        reverse("concerns:step", args=[open_concern.pk, "close"]),
        reverse("guides:overview"),
        reverse("guides:level", args=[1]),
        reverse("guides:step", args=[0, 1]),
        reverse("guides:tools"),
        reverse("core:acute"),
        reverse("accounts:account"),
        reverse("accounts:two_factor"),
        # Running BTI (issue 11): the catalogue, the introduction, feedback.
        reverse("catalog:list"),
        reverse("onboarding:index"),
        *(reverse("onboarding:part", args=[slug]) for slug in ONBOARDING_SLUGS.values()),
        reverse("feedback:new"),
        reverse("feedback:mine"),
        reverse("feedback:track"),
        reverse("catalog_public:list", args=["9901"]),
    ]
    for path in paths:
        response = page.goto(url(live_server, path))
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_a11y(page)


def test_inbox_code_step_and_lockout_pages_pass_axe(page, live_server, live_world, check_a11y):
    make_concern(live_world, shared=True)
    login(page, live_server, "leif", PASSWORD)
    for path in (reverse("concerns:inbox"), reverse("concerns:inbox") + "?status=closed"):
        page.goto(url(live_server, path))
        check_a11y(page)

    # The code step after the password, for a person with an authenticator.
    TOTPDevice.objects.create(user=live_world.other_leader, name="Stafett", confirmed=True)
    page.context.clear_cookies()
    login(page, live_server, "lise", PASSWORD)
    assert reverse("accounts:verify") in page.url
    check_a11y(page)

    # The lock-out page after too many failed logins.
    page.context.clear_cookies()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(url(live_server, LOGIN_PATH))
        page.get_by_label("Brukernavn").fill("olav")
        page.get_by_label("Passord").fill("feil-passord")
        page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("sperret")
    check_a11y(page)


def test_coordinator_pages_pass_axe(page, live_server, live_world, check_a11y):
    login(page, live_server, "cora", PASSWORD)
    for path in (reverse("guides_editor:index"), reverse("guides_io:import"),
                 reverse("guides_io:from_template"), reverse("guides_editor:history"),
                 reverse("followup:settings"), reverse("archive:settings"),
                 reverse("retention:schedule")):
        response = page.goto(url(live_server, path))
        assert response.status == 200, path
        check_a11y(page)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_running_bti_pages_pass_axe_in_every_language(page, live_server, live_world, check_a11y,
                                                       language):
    """The coordinator's pages for running BTI (issue 11); their journeys
    check them in bokmål."""
    page.context.add_cookies([{
        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
    }])
    login(page, live_server, "cora", PASSWORD)
    for path in (reverse("catalog:new"), reverse("catalog:import"), reverse("surveys:index"),
                 reverse("surveys:bank"), reverse("surveys:wave_new"), reverse("feedback:handle"),
                 reverse("onboarding:status"), reverse("insights:dashboard")):
        response = page.goto(url(live_server, path))
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_a11y(page)


def test_follow_up_and_leadership_pages_pass_axe(page, live_server, live_world, check_a11y):
    from django.utils import timezone

    from stafett.followup import engine

    make_concern(live_world, shared=True)
    # A worry left idle long enough that the rules open a break for Kari.
    engine.run_rules(timezone.now() + timezone.timedelta(days=60))
    login(page, live_server, "kari", PASSWORD)
    page.goto(url(live_server, reverse("followup:list")))
    expect(page.get_by_role("link", name="Ella Strandvik")).to_be_visible()
    check_a11y(page)
    page.context.clear_cookies()
    login(page, live_server, "leif", PASSWORD)
    for path in (reverse("insights:dashboard"), reverse("insights:dashboard") + "?maneder=24"):
        assert page.goto(url(live_server, path)).status == 200
        check_a11y(page)
    # The sections open by keyboard: Tab to a closed one's summary, Enter opens it.
    section = page.locator("details.insight", has=page.locator("#h-flows"))
    summary = section.locator("summary")
    expect(section).not_to_have_attribute("open", "")
    expect(section.locator("table")).to_be_hidden()
    for _ in range(80):
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the section's summary cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(section).to_have_attribute("open", "")
    expect(section.locator("table")).to_be_visible()
    check_a11y(page)


CHANGE_LANGUAGE = re.compile(r"(byt(t|e)?|endr(e|a)|skift(e)?) språk|change language", re.I)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_start_and_error_pages_pass_axe(page, live_server, live_world, check_a11y, language):
    """The start page, a missing page (logged in or not), a worry refused with the
    same 404, and the page for a form sent without its security token."""
    concern = make_concern(live_world)
    page.context.add_cookies([{
        "name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url,
    }])
    response = page.goto(url(live_server, "/finnes-ikke/"))
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("main").get_by_role("link", name="116 111")).to_be_visible()
    check_a11y(page)

    login(page, live_server, "kasper", PASSWORD)
    assert page.url.endswith(reverse("core:home"))
    check_a11y(page)
    for path in (reverse("concerns:detail", args=[concern.pk]), "/finnes-ikke/"):
        response = page.goto(url(live_server, path))
        assert response.status == 404, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        # Fjordvik's child welfare service, beside the national numbers.
        expect(page.get_by_role("main").get_by_role("link", name="40 00 10 01")).to_be_visible()
        check_a11y(page)

    # A form whose security token has gone (the cookie was cleared): the language switch.
    page.goto(url(live_server, reverse("core:home")))
    page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    with page.expect_navigation():
        page.get_by_role("button", name=CHANGE_LANGUAGE).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("link", name=re.compile("start"))).to_have_attribute("href", "/")
    check_a11y(page)


@pytest.mark.urls("tests.core.urls_errors")
def test_refused_and_server_error_pages_pass_axe(page, live_server, live_world, check_a11y):
    from tests.core import urls_errors

    login(page, live_server, "kari", PASSWORD)
    response = page.goto(url(live_server, "/test/refused/"))
    assert response.status == 403
    check_a11y(page)
    try:
        response = page.goto(url(live_server, "/test/broken/"))
    finally:
        urls_errors.DATABASE["down"] = False
    assert response.status == 500
    expect(page.get_by_role("main").get_by_role("link", name="40 00 10 01")).to_be_visible()


def test_notices_page_passes_axe(page, live_server, live_world, check_a11y):
    from django.db import transaction

    from stafett.notify.outbox import tell

    concern = make_concern(live_world)
    with scope(municipality=live_world.fjordvik), transaction.atomic():
        tell(live_world.teacher, "meeting_invited", municipality=live_world.fjordvik,
             about=concern)
    login(page, live_server, "kari", PASSWORD)
    page.get_by_role("link", name="1 nytt varsel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Varsler")
    check_a11y(page)
    page.get_by_role("button", name="Merk som lest").click()
    expect(page.get_by_role("link", name="Varsler", exact=True)).to_be_visible()
    check_a11y(page)
