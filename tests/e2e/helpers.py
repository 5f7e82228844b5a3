"""Helpers for browser journeys. They act the way a person does: by visible
labels and names, never by CSS ids, so a test breaks when the page stops being
usable, not when markup is refactored. The patterns accept bokmål, nynorsk and
English, so they work whichever language the page is in."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LOGIN_PATH = "/konto/logg-inn/"

USERNAME_LABEL = re.compile(r"brukarnamn|brukernavn|username", re.I)
PASSWORD_LABEL = re.compile(r"passord|password", re.I)
LOGIN_BUTTON = re.compile(r"^\s*(logg inn|log in|sign in)\s*$", re.I)


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def login(page: Page, live_server, username: str, password: str) -> None:
    """Log in through the login form and wait until the form is left behind.

    Fails with the page's own error text if the login does not go through.
    """
    page.goto(url(live_server, LOGIN_PATH))
    page.get_by_label(USERNAME_LABEL).fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=LOGIN_BUTTON).click()
    if page.url.split("?")[0].endswith(LOGIN_PATH):
        # Still on the form: show the person's error message, not a timeout.
        errors = page.locator("[role=alert], .message--error").all_inner_texts()
        shown = " / ".join(" ".join(text.split()) for text in errors) or "no error shown"
        raise AssertionError(f"login as {username!r} did not go through: {shown}")


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def tab_to(page: Page, role: str, name: re.Pattern[str] | str, max_presses: int = 40):
    """Press Tab until the element with this role and accessible name has focus.

    Fails if it is not reached: a control keyboard users cannot reach is a bug.
    """
    target = page.get_by_role(role, name=name)
    expect(target).to_be_visible()
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return target
    raise AssertionError(f"{role} {name!r} cannot be reached with Tab ({max_presses} presses)")


__all__ = ["LOGIN_PATH", "expect", "html_lang", "login", "tab_to", "url"]
