"""A guardian in a real browser: Frida reads Mia's log and writes a bright
spot in it; every page passes axe-core. She is logged in with the session of
a test client (the ID-porten login is the identity helper's journey)."""

import datetime as dt
import re

from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from stafett.relay.models import Entry
from tests.citizen.conftest import family  # noqa: F401  (Frida, Geir, Mia …)
from tests.conftest import PASSWORD, nb
from tests.relay.conftest import world  # noqa: F401  (the world with Helga)

from .helpers import expect, login, url


def _as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def test_frida_reads_mias_log_and_writes_a_bright_spot(page, live_server, live_world, family,  # noqa: F811
                                                       check_a11y):
    _as(page, live_server, family.frida)
    page.goto(url(live_server, "/familie/"))
    check_a11y(page)
    page.get_by_role("link", name=nb("Read the log about %(name)s", name="Mia Fjeld")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nb("The log about %(name)s", name="Mia Fjeld"))
    expect(page.get_by_text("Mia lo mye i dag.")).to_be_visible()
    check_a11y(page)

    page.get_by_label(nb("A bright spot: something that went well")).check()
    page.get_by_label(nb("Your text")).fill("Mia syklet til skolen helt alene!")
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Send to the log")).click()
    expect(page.get_by_text(nb("Thank you. What you wrote is in the log, and the holder has been told."))).to_be_visible()
    entry = page.locator(".timeline__entry", has_text="Mia syklet til skolen helt alene!")
    expect(entry).to_contain_text(nb("From the family"))
    expect(entry).to_contain_text(re.compile("Frida Fjeld"))
    check_a11y(page)
    with scopes_disabled():
        assert Entry.objects.get(text="Mia syklet til skolen helt alene!").by_family

    # The form refuses an empty text with a message, on a page that still passes axe.
    page.get_by_label(nb("Your text")).fill("   ")
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Send to the log")).click()
    expect(page.get_by_role("alert")).to_contain_text(nb("Write something before you send it."))
    check_a11y(page)


def test_frida_asks_the_kindergarten_for_help_and_leif_finds_it(page, live_server, live_world,
                                                                 family, check_a11y):  # noqa: F811
    _as(page, live_server, family.frida)
    page.goto(url(live_server, "/familie/varsler/"))
    check_a11y(page)
    page.get_by_role("link", name=nb("Ask for help")).click()
    check_a11y(page)
    page.get_by_label(nb("Which service do you want to ask?")).select_option(label="Solsikken barnehage")
    page.get_by_label(nb("The child's name")).fill("Lars Fjeld")
    page.get_by_label(nb("Date of birth")).fill((dt.date.today() - dt.timedelta(days=4 * 365)).isoformat())
    page.get_by_label(nb("What are you worried about?")).fill("Lars gruer seg til barnehagen.")
    page.get_by_label(nb("By phone")).check()
    page.get_by_label(nb("Your phone number or e-mail address")).fill("900 00 000")
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Send the request")).click()
    expect(page.get_by_role("row", name=re.compile("Lars Fjeld"))).to_contain_text(nb("Received"))
    check_a11y(page)

    page.context.clear_cookies()
    login(page, live_server, "leif", PASSWORD)
    page.goto(url(live_server, "/bekymringer/innboks/"))
    expect(page.get_by_role("row", name=re.compile("Lars Fjeld"))).to_contain_text(nb("Raised by the family"))
    check_a11y(page)
    page.get_by_role("link", name="Lars Fjeld", exact=True).click()
    expect(page.get_by_text("900 00 000")).to_be_visible()
    check_a11y(page)
