"""The family A11Y sweep: every family page in every family language, in a
real Chromium, passes axe-core (nothing serious or critical), says its
language in `<html lang>`, fits the width of the window, and in Arabic is
really laid out right to left. Plus the keyboard on a family page, and the
language switch remembered.

The pages are the routes of the `citizen` namespace, found in the URL conf by
the access sweep (tests/citizen/test_family_sweep.py), so a family page added
later is covered here too; a relay's pages are Mia's, seen by her mother
Frida. Also the family login page and a family 404.

Logging in: the browser gets the session cookie of a Django test Client that
was force_login'd as Frida. The real ID-porten login journey (through the
local OpenID Connect provider) is tested by the identity work; here it would
only cost time per language.

One browser context per language, reused for all its pages.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.citizen.conftest import family  # noqa: F401  (the families)
from tests.citizen.test_family_sweep import KWARGS, ROUTES
from tests.relay.conftest import world  # noqa: F401  (Helga, who holds Mia's relay)

from .conftest import CSP_VIOLATION, DEFAULT_TIMEOUT_MS, RESULTS_DIR
from .helpers import expect

LANGUAGES = [code for code, _name in settings.FAMILY_LANGUAGES]
WIDTH, HEIGHT = 1280, 900


@pytest.fixture
def live_family(transactional_db, live_server, family):  # noqa: F811
    """The families, committed so the live server sees them."""
    return family


def _session_cookie(live_server, user, family):  # noqa: F811
    client = family.client_for(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}


def _context(browser, live_server, family, language, user=None):  # noqa: F811
    context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo",
                                  viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    context.add_cookies(cookies + [_session_cookie(live_server, user or family.frida, family)])
    return context


def family_pages(family) -> list[tuple[str, int]]:  # noqa: F811
    """(path, expected status) of every family page a browser can open."""
    pages = []
    frida = family.client_for(family.frida)
    for route in ROUTES:
        kwargs = {key: KWARGS[key](family, family.mia_relay) for key in route.keywords}
        path = reverse(f"citizen:{route.name}", kwargs=kwargs)
        # A route that only takes a form's POST (405 to GET) answers on the
        # page the form is on, which is in the list itself.
        if frida.get(path).status_code != 405:
            pages.append((path, 200))
    # The family login page, where it is a page of ours (not a redirect on to ID-porten).
    login = reverse("oidc:idporten_login")
    if frida.get(login).status_code == 200:
        pages.append((login, 200))
    pages.append((reverse("citizen:home") + "finnes-ikke/", 404))
    return pages


# What the layout must show, measured in the page: the document fits the
# window; each row of the header, and of the main menu, runs in the page's
# direction; the main heading's text starts at the start side.
LAYOUT = """() => {
    const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
        problems.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    }
    const inOrder = (items, what) => {
        const boxes = items.filter(e => e.offsetParent !== null).map(e => [e, e.getBoundingClientRect()]);
        for (let i = 1; i < boxes.length; i++) {
            const [, a] = boxes[i - 1], [, b] = boxes[i];
            if (Math.abs(a.top - b.top) > 8) continue;  // wrapped onto another row
            const ok = rtl ? a.left >= b.right - 1 : a.right <= b.left + 1;
            if (!ok) problems.push(`${what}: item ${i} is not ${rtl ? 'left' : 'right'} of item ${i - 1}`);
        }
        return boxes.length;
    };
    const headerItems = inOrder(Array.from(document.querySelector('.site-header__inner').children), 'header');
    const navItems = inOrder(Array.from(document.querySelectorAll('.nav > li')), 'main menu');
    const h1 = document.querySelector('main h1');
    let heading = null;
    if (!h1) {
        problems.push('no main heading');
    } else {
        const range = document.createRange();
        range.selectNodeContents(h1);
        const text = range.getBoundingClientRect();
        const box = h1.getBoundingClientRect();
        heading = {textLeft: text.left, textRight: text.right, boxLeft: box.left, boxRight: box.right};
        const offset = rtl ? box.right - text.right : text.left - box.left;
        if (Math.abs(offset) > 2) problems.push(`main heading does not start at the ${rtl ? 'right' : 'left'}: ${offset}px off`);
        if (rtl && text.left <= box.left + 1 && text.width < box.width - 2) problems.push('main heading hugs the left');
    }
    return {rtl, problems, headerItems, navItems, heading};
}"""


def _check_page(page, live_server, path, status, language, check_a11y) -> list[str]:
    response = page.goto(live_server.url + path)
    problems = []
    if response.status != status:
        return [f"{path}: status {response.status}, expected {status}"]
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    check_a11y(page)
    layout = page.evaluate(LAYOUT)
    if layout["rtl"] != (language == "ar"):
        problems.append(f"{path}: direction is {'rtl' if layout['rtl'] else 'ltr'}")
    if layout["headerItems"] < 2:
        problems.append(f"{path}: the header has {layout['headerItems']} visible items")
    problems += [f"{path}: {problem}" for problem in layout["problems"]]
    with translation.override(language):
        skip = translation.gettext("Skip to main content")
    if page.locator(".skip-link").inner_text().strip() != skip:
        problems.append(f"{path}: the skip link is not in {language}")
    return problems


def _watch(page, language, problems) -> None:
    """A CSP violation or an uncaught script error is a broken page."""
    page.on("console", lambda msg: problems.append(f"{language}: console: {msg.text}")
            if msg.type == "error" and CSP_VIOLATION.search(msg.text) else None)
    page.on("pageerror", lambda error: problems.append(f"{language}: JavaScript error: {error}"))


def _evidence(page, name):
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"family-{name}.png"), full_page=True)
    (RESULTS_DIR / f"family-{name}.html").write_text(page.content(), encoding="utf-8")


def test_every_family_page_in_every_family_language(browser, live_server, live_family, check_a11y):
    pages = family_pages(live_family)
    started = time.monotonic()
    problems: list[str] = []
    for language in LANGUAGES:
        context = _context(browser, live_server, live_family, language)
        page = context.new_page()
        _watch(page, language, problems)
        try:
            for path, status in pages:
                try:
                    found = _check_page(page, live_server, path, status, language, check_a11y)
                except (AssertionError, pytest.fail.Exception) as error:
                    found = [f"{path}: {error}"]
                if found:
                    _evidence(page, f"{language}-{re.sub(r'[^a-z0-9]+', '-', path)}")
                problems += [f"{language}: {problem}" for problem in found]
        finally:
            context.close()
    elapsed = time.monotonic() - started
    print(f"family a11y sweep: {len(pages)} pages x {len(LANGUAGES)} languages in {elapsed:.1f} s")
    assert not problems, "\n".join(problems)


def test_arabic_mirrors_the_frame(browser, live_server, live_family):
    """The same page in Norwegian and in Arabic: what is at the left in one is
    at the right in the other (brand, language switch, heading, skip link)."""
    positions = {}
    for language in ("nb", "ar"):
        context = _context(browser, live_server, live_family, language)
        page = context.new_page()
        page.goto(live_server.url + reverse("citizen:home"))
        page.keyboard.press("Tab")  # the skip link shows when it has focus
        skip = page.locator(".skip-link")
        expect(skip).to_be_focused()
        positions[language] = {
            "brand": page.locator(".brand").bounding_box(),
            "tools": page.locator(".header-tools").bounding_box(),
            "skip": skip.bounding_box(),
        }
        context.close()
    nb, ar = positions["nb"], positions["ar"]
    assert nb["brand"]["x"] < nb["tools"]["x"] and ar["brand"]["x"] > ar["tools"]["x"]
    assert nb["skip"]["x"] < WIDTH / 2 < ar["skip"]["x"]
    assert ar["brand"]["x"] + ar["brand"]["width"] > WIDTH - 100  # the brand at the right edge


# What Tab must stop at, in document order: links, controls, summaries; of a
# group of radio buttons only the checked one (or the first), as browsers do.
MARK_FOCUSABLE = """() => {
    const selector = "a[href], button:not([disabled]), select:not([disabled]), summary, "
        + "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
    const all = Array.from(document.querySelectorAll(selector)).filter(e => {
        if (e.offsetParent === null && !e.classList.contains('skip-link')) return false;
        if (e.type === 'radio' && e.name) {
            const group = Array.from(document.querySelectorAll(`input[type=radio][name="${e.name}"]`));
            const checked = group.find(r => r.checked);
            return checked ? e === checked : e === group[0];
        }
        return true;
    });
    document.querySelectorAll('[data-tab-order]').forEach(e => e.removeAttribute('data-tab-order'));
    all.forEach((e, i) => e.setAttribute('data-tab-order', String(i)));
    return all.length;
}"""


@pytest.mark.parametrize("language", ["nb", "ar"])
def test_the_keyboard_reaches_everything_on_a_family_page(browser, live_server, live_family, language):
    """On the family page with the most controls: Tab goes first to the skip
    link, then through the menu, the language switch and every control, in
    order; the skip link leads to the content."""
    context = _context(browser, live_server, live_family, language)
    page = context.new_page()
    try:
        counts = {}
        for path, status in family_pages(live_family):
            if status == 200 and page.goto(live_server.url + path).status == 200:
                counts[path] = page.evaluate(MARK_FOCUSABLE)
        path = max(counts, key=counts.get)
        page.goto(live_server.url + path)
        count = page.evaluate(MARK_FOCUSABLE)
        reached = []
        # A date field takes one Tab per part (day, month, year) in Chromium:
        # the same control several times in a row counts once.
        for _ in range(count * 4):
            page.keyboard.press("Tab")
            mark = page.evaluate("() => document.activeElement.getAttribute('data-tab-order')")
            if not reached or reached[-1] != mark:
                reached.append(mark)
            if len(reached) == count:
                break
        expected = [str(i) for i in range(count)]
        assert reached == expected, f"{path}: tab order {reached} (expected {expected})"
        kinds = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-tab-order]')).map(
                e => e.matches('.skip-link') ? 'skip' : e.closest('nav') ? 'nav'
                   : e.closest('.language-form') ? 'language' : e.tagName.toLowerCase())"""
        )
        assert kinds[0] == "skip" and "nav" in kinds and "language" in kinds, kinds
        # The skip link leads to the content.
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
    finally:
        context.close()


def test_the_language_switch_is_remembered(browser, live_server, live_family):
    """Frida picks Polish with the keyboard-usable switch; the next page and
    her next visit on another device are in Polish."""
    context = _context(browser, live_server, live_family, "nb")
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("citizen:home"))
        with translation.override("nb"):
            label, button = translation.gettext("Language"), translation.gettext("Change language")
        page.get_by_label(label, exact=True).select_option("pl")
        page.get_by_role("button", name=button).click()
        expect(page.locator("html")).to_have_attribute("lang", "pl")
        with translation.override("pl"):
            expect(page.get_by_role("heading", level=1)).to_have_text(translation.gettext("My children"))
    finally:
        context.close()
    live_family.frida.refresh_from_db()
    assert live_family.frida.preferred_language == "pl"
    # Another device: no language cookie, only the session.
    context = browser.new_context()
    try:
        context.add_cookies([_session_cookie(live_server, live_family.frida, live_family)])
        page = context.new_page()
        page.goto(live_server.url + reverse("citizen:home"))
        expect(page.locator("html")).to_have_attribute("lang", "pl")
    finally:
        context.close()
