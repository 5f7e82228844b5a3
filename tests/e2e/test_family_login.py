"""A guardian logs in with ID-porten (the real local provider) in a real browser."""

import re

from tests.citizen.conftest import family  # noqa: F401  (Frida, mother of Mia)
from tests.relay.conftest import world  # noqa: F401

from .family import FAMILY_LOGIN_PATH, log_in_as_citizen
from .helpers import expect, url

LOG_OUT = re.compile(r"^\s*(logg ut|log out)\s*$", re.I)


def test_a_guardian_logs_in_with_id_porten_sees_her_child_and_logs_out(
    page, transactional_db, live_server, devidp, family, check_a11y  # noqa: F811
):
    page.goto(url(live_server, FAMILY_LOGIN_PATH))
    check_a11y(page)
    # The provider's own page is not ours to check with axe; ours are.
    log_in_as_citizen(page, live_server.url, family.frida.national_id)
    expect(page).to_have_url(re.compile(r"/familie/$"))
    expect(page.locator("main")).to_contain_text("Mia")
    check_a11y(page)

    with page.expect_navigation(url=re.compile(r"/familie/logget-ut/")):
        page.get_by_role("button", name=LOG_OUT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"logget ut", re.I))
    check_a11y(page)
    page.goto(url(live_server, "/familie/"))
    expect(page).to_have_url(re.compile(r"/familie/logg-inn/"))


def test_a_low_level_is_refused_in_the_browser(page, transactional_db, live_server, devidp, family):  # noqa: F811
    log_in_as_citizen(page, live_server.url, family.geir.national_id, level="low")
    expect(page).to_have_url(re.compile(r"/familie/logg-inn/"))
    expect(page.locator(".messages")).to_contain_text("sikkerhetsnivå")
