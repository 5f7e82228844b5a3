"""A child's full record on request, in a real browser: Helga registers
Frida's request, produces the record and delivers it; Frida finds it in the
family pages and downloads it; Olav gets the same "not found" as for anything
else. Every page passes axe-core, and the register form is used by keyboard."""

import re

from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from stafett.fullrecord.models import AccessRequest
from tests.citizen.conftest import family  # noqa: F401  (Frida, Geir, Mia …)
from tests.conftest import PASSWORD, nb
from tests.fullrecord.conftest import WORRY_TEXT, scene  # noqa: F401  (Mia's record across services)
from tests.relay.conftest import world  # noqa: F401  (the world with Helga)

from .helpers import expect, login, tab_to, url


def _as_citizen(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def test_helga_answers_fridas_request_and_frida_collects_it(page, live_server, live_world, scene,  # noqa: F811
                                                            check_a11y):
    login(page, live_server, "helga", PASSWORD)
    page.get_by_role("link", name=nb("Requests for access")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nb("Requests for access"))
    check_a11y(page)
    page.get_by_role("link", name=nb("Register a request for access")).click()
    check_a11y(page)

    # The form by keyboard and visible labels.
    tab_to(page, "combobox", nb("The child, through your case"))
    page.get_by_label(nb("The child, through your case")).select_option(
        label=f"Mia Fjeld – {nb('log (level %(level)s)', level=1)}, Helsestasjonen")
    page.get_by_label(nb("A guardian with parental responsibility")).check()
    page.get_by_label(nb("The requester's name")).fill("Frida Fjeld")
    page.get_by_label(nb("The requester's national identity number")).fill(scene.family.frida.national_id)
    page.get_by_label(nb("How the request came in")).select_option(label=nb("By letter"))
    # Forgetting the check is refused with a message, on a page that passes axe.
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Register the request")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        nb("Check the requester's identity and parental responsibility first."))
    check_a11y(page)
    page.get_by_label(nb("I have checked the requester's identity, and that a guardian has parental "
                         "responsibility for the child")).check()
    page.get_by_label(nb("The requester's national identity number")).fill(scene.family.frida.national_id)
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Register the request")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"\d+"))
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role("button", name=nb("Produce the record")).click()
    expect(page.get_by_text(nb("The record is produced and sealed. Deliver it to the requester when you are ready."))).to_be_visible()
    # Helga never sees the kindergarten's worry: it is sealed in Frida's copy.
    expect(page.get_by_text(WORRY_TEXT)).to_have_count(0)
    expect(page.get_by_role("link", name=nb("Download your part as PDF"))).to_be_visible()
    check_a11y(page)
    with page.expect_navigation():
        page.get_by_role("button", name=nb("Deliver to the requester")).click()
    expect(page.get_by_text(nb("The record is delivered: the requester finds it in the family pages when "
                               "they log in with ID-porten."))).to_be_visible()
    check_a11y(page)
    with scopes_disabled():
        request = AccessRequest.objects.get()
    assert request.status == "delivered"

    # Olav at the school: the same "not found" as for anything he may not see.
    page.context.clear_cookies()
    login(page, live_server, "olav", PASSWORD)
    response = page.goto(url(live_server, f"/innsyn/{request.pk}/"))
    assert response.status == 404

    # Frida, in the family pages.
    page.context.clear_cookies()
    _as_citizen(page, live_server, scene.family.frida)
    page.goto(url(live_server, "/familie/"))
    page.get_by_role("link", name=nb("See the answers to your requests to see what the municipality has recorded")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nb("Records you asked to see"))
    check_a11y(page)
    link = page.get_by_role("link", name=nb("Download the record about %(name)s as data (JSON)", name="Mia Fjeld"))
    expect(link).to_be_visible()
    body = page.request.get(url(live_server, link.get_attribute("href"))).text()
    assert WORRY_TEXT in body
    with scopes_disabled():
        request.refresh_from_db()
    assert request.collected_at is not None
