"""Retention in a real browser: Cora, the BTI coordinator, sets how long
records are kept (a bad period first: a message, nothing saved), by keyboard;
Leif, the kindergarten's leader, sets a legal hold on a worry he sees and lifts
it again, in bokmål, nynorsk and English. Every page is checked with axe-core.
"""

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from stafett.retention.models import LegalHold, RetentionSchedule
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD

from .helpers import expect, login, tab_to, url


def say(language: str, message: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def _months_label(language: str) -> str:
    what = say(language, "relay, after it is archived")
    return say(language, "%(what)s (months)", what=what[:1].upper() + what[1:])


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_coordinator_sets_how_long_records_are_kept(page, live_server, live_world, check_a11y,
                                                        language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name=say(language, "Set how long records are kept")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "How long records are kept"))
    check_a11y(page)
    page.get_by_label(_months_label(language)).fill("-1")
    tab_to(page, "button", say(language, "Save the schedule")).press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(say(language, "Zero months or more."))
    check_a11y(page)
    with scopes_disabled():
        assert RetentionSchedule.objects.get(municipality=live_world.fjordvik).relay_archived_months == 3
    page.get_by_label(_months_label(language)).fill("6")
    tab_to(page, "button", say(language, "Save the schedule")).press("Enter")
    expect(page.get_by_text(say(language, "The retention schedule has been saved. It applies from the next run."))).to_be_visible()
    check_a11y(page)
    with scopes_disabled():
        assert RetentionSchedule.objects.get(municipality=live_world.fjordvik).relay_archived_months == 6


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_leader_sets_and_lifts_a_legal_hold(page, live_server, live_world, check_a11y, language):
    concern = make_concern(live_world, shared=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    login(page, live_server, "leif", PASSWORD)
    page.goto(url(live_server, f"/bekymringer/{concern.pk}/"))
    page.get_by_role("link", name=say(language, "Legal hold: keep the child's data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say(language, "Legal hold for %(name)s", name="Ella Strandvik"))
    check_a11y(page)
    # No reason chosen: a message, nothing set.
    page.get_by_role("button", name=say(language, "Set a legal hold")).click()
    expect(page.get_by_role("alert")).to_contain_text(say(language, "Choose why the child's data must be kept."))
    check_a11y(page)
    page.get_by_label(say(language, "A case at the child welfare service")).check()
    tab_to(page, "button", say(language, "Set a legal hold")).press("Enter")
    expect(page.get_by_text(say(language, "The legal hold has been set. Nothing about the child is deleted until it is lifted."))).to_be_visible()
    check_a11y(page)
    with scopes_disabled():
        assert LegalHold.objects.get(child_id=concern.child_id, lifted_at__isnull=True).reason == "child_welfare"
    page.get_by_label(say(language, "The case is concluded")).check()
    tab_to(page, "button", say(language, "Lift the legal hold")).press("Enter")
    expect(page.get_by_text(say(language, "The legal hold has been lifted. The child's data follows the retention schedule again."))).to_be_visible()
    with scopes_disabled():
        assert not LegalHold.objects.filter(lifted_at__isnull=True).exists()
