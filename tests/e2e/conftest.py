"""Browser journeys: Playwright driving the Chromium of Debian's `chromium` package.

Every test in this folder is marked `e2e`, so `pytest -m "not e2e"` leaves them
out and `make test-e2e` runs only them. Without a browser they are skipped,
unless STAFETT_REQUIRE_BROWSER=1 or CI is set: then a missing browser fails.

Fixtures:
- `browser`: one Chromium for the whole folder (package scope, see below).
- `page`: a fresh context (own cookies) per test, Norwegian bokmål by default,
  that fails the test on a CSP violation or an uncaught JavaScript error, and
  leaves a screenshot and the HTML in test-results/ when a test fails.
- `live_world`: the named people of tests/conftest.py, in a database the
  live server can see.
- `check_a11y`: axe-core on the current page (see axe.py).
The `login(page, live_server, username, password)` helper lives in helpers.py.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .axe import check_a11y as _check_a11y

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
RESULTS_DIR = REPO_ROOT / "test-results"

# Chromium as root on a machine without internet: no sandbox (root), and none of
# the background network traffic it would otherwise sit waiting for.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item, not only ours: mark those in this folder.
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so `page` can tell a failed test.
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _browser_required() -> bool:
    return os.environ.get("STAFETT_REQUIRE_BROWSER") == "1" or bool(os.environ.get("CI"))


def find_chromium() -> str | None:
    configured = os.environ.get("STAFETT_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all tests in this folder.

    Package scope, not session scope: Playwright's sync API keeps an asyncio
    event loop running in the main thread while it is started, and Django then
    refuses database access from "an async context". DJANGO_ALLOW_ASYNC_UNSAFE
    lifts that check; both the browser and the variable live only while this
    folder's tests run, so the rest of the suite keeps Django's safety check.
    """
    executable = find_chromium()
    if not executable or not Path(executable).exists():
        message = "Chromium not installed: apt-get install chromium"
        if _browser_required():
            pytest.fail(f"{message} (required: STAFETT_REQUIRE_BROWSER=1 or CI is set)")
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=os.environ.get("STAFETT_HEADED") != "1",
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|load|apply)", re.I)


@pytest.fixture
def page(request, browser):
    """A new page in its own context: no cookies or storage shared between tests.

    The locale is nb-NO, so Accept-Language picks bokmål like a Norwegian
    browser would. The app's CSP stays on (no bypass_csp): axe is injected in a
    way the CSP does not govern (see axe.py), and a CSP violation or uncaught
    JavaScript error fails the test, because in production it is a broken page.
    """
    context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and CSP_VIOLATION.search(msg.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught JavaScript error: {error}"))
    try:
        yield page
        call = getattr(request.node, "_report_call", None)
        if call is not None and call.failed:
            _save_evidence(request.node, page)
        elif problems:
            pytest.fail("The page reported problems:\n" + "\n".join(problems), pytrace=False)
    finally:
        context.close()


def _save_evidence(item, page) -> None:
    """A screenshot and the HTML of the page a failed test ended on."""
    name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
    try:
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
        (RESULTS_DIR / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # evidence is a courtesy; never mask the real failure
        print(f"could not save evidence for {item.nodeid}: {error}")


@pytest.fixture
def check_a11y():
    """`check_a11y(page)` or `check_a11y(page, "main")`: fail on serious/critical axe findings."""
    return _check_a11y


@pytest.fixture
def live_world(transactional_db, live_server, world):
    """The named people of tests/conftest.py, committed so the live server sees them.

    `world` asks for `db`, but pytest-django makes every test that uses
    `live_server` transactional (real commits, tables flushed afterwards), and
    `transactional_db` wins over `db`. Asking for it first makes that explicit.
    """
    return world


# The flush between transactional tests gets past the append-only audit
# triggers by a fixture in tests/conftest.py.
