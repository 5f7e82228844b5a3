"""Smoke test: the browser, the live server, axe and the language switch work."""

import re

from .helpers import LOGIN_PATH, expect, html_lang, tab_to, url

LANGUAGE_SELECT = re.compile(r"^(språk|language)$", re.I)
CHANGE_LANGUAGE = re.compile(r"(byt(t|e)|endr(e|a)|skift(e)?) språk|change language", re.I)


def test_login_page_is_accessible_and_language_switches_by_keyboard(
    page, live_server, transactional_db, check_a11y
):
    page.goto(url(live_server, LOGIN_PATH))
    assert html_lang(page) == "nb"  # the browser asks for nb-NO
    check_a11y(page)

    # Keyboard only: Tab to the language menu, arrow down to nynorsk, Tab to the button, Enter.
    select = tab_to(page, "combobox", LANGUAGE_SELECT)
    for _ in range(5):
        if select.input_value() == "nn":
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == "nn", "nynorsk cannot be chosen with the arrow keys"
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name=CHANGE_LANGUAGE)
    expect(button).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "nn")
    assert page.url.split("?")[0].endswith(LOGIN_PATH), "the switch returns to the same page"
    check_a11y(page)

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
