"""Browser helper for the family pages: log in the way a guardian does, through
the family login page and the (local) ID-porten test login, by visible labels."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

FAMILY_LOGIN_PATH = "/familie/logg-inn/"
ID_PORTEN_BUTTON = re.compile(r"(logg inn med|log in with|zaloguj się przez|увійти через) id-porten", re.I)
# The local provider's page (devidp) is in bokmål, like ID-porten's test login.
NATIONAL_ID_LABEL = re.compile(r"fødselsnummer", re.I)
PROVIDER_LOGIN_BUTTON = re.compile(r"^\s*logg inn\s*$", re.I)


def log_in_as_citizen(page: Page, base_url: str, national_id: str, level: str = "substantial") -> None:
    """From the family login page, through the provider's test login (type the
    number, pick the level), back to Stafett."""
    base_url = base_url.rstrip("/")
    page.goto(f"{base_url}{FAMILY_LOGIN_PATH}")
    with page.expect_navigation():
        page.get_by_role("link", name=ID_PORTEN_BUTTON).click()
    assert not page.url.startswith(base_url), "the login button must lead to the provider"
    page.get_by_label(NATIONAL_ID_LABEL).fill(national_id)
    page.get_by_label(re.compile(rf"idporten-loa-{re.escape(level)}")).check()
    with page.expect_navigation(url=re.compile(re.escape(base_url))):
        page.get_by_role("button", name=PROVIDER_LOGIN_BUTTON).click()
    expect(page).not_to_have_url(re.compile(re.escape(base_url) + "/login"))


__all__ = ["FAMILY_LOGIN_PATH", "log_in_as_citizen"]
