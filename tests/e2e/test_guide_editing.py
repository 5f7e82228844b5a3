"""The BTI coordinator edits the action guide in a real browser and publishes
a new version; a worry started before keeps its text and says a newer version
exists. Every editor page on the way passes axe-core.

The editor's strings are new and not translated yet, so the pages are read in
English (the language cookie); the guide's own texts are bokmål data."""

import re

from django.urls import reverse
from django_scopes import scope

from stafett.guides.models import Step
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD

from .helpers import expect, login, url

NEW_SUMMARY = "Skriv ned hva du har sett og hørt, med dato – nytt i versjon 2."


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en",
                               "url": live_server.url}])


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^\s*Log out\s*$")).click()


def test_coordinator_publishes_a_new_version_and_an_old_worry_keeps_its_own(
    page, live_server, live_world, check_a11y
):
    concern = make_concern(live_world)  # started under version 1
    with scope(municipality=live_world.fjordvik):
        old_summary = Step.objects.get(level__guide=concern.guide, level__number=0,
                                       code="define").summary
    old_start = old_summary.split("\n")[0][:40]
    _english(page, live_server)

    # --- Cora starts a draft ------------------------------------------------------
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Edit the guide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the action guide")
    check_a11y(page)
    page.get_by_role("button", name="Start editing").click()
    expect(page.get_by_role("status")).to_contain_text("You are now editing a draft")
    expect(page.get_by_role("button", name="Publish the draft")).to_be_visible()
    check_a11y(page)

    # --- ... edits the first step of level 0 ------------------------------------
    page.get_by_role("link", name="Edit step 1 on level 0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit step 1 on level 0")
    check_a11y(page)
    summary = page.get_by_label(re.compile(r"^Summary:?$"))
    expect(summary).to_have_value(old_summary)
    summary.fill(NEW_SUMMARY)
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_role("status")).to_contain_text("The step has been saved.")
    check_a11y(page)

    # --- ... the staff and public guides still show version 1 while the draft exists --
    public_step = reverse("guides_public:step", args=["9901", 0, 1])
    for path in (reverse("guides:overview"), public_step):
        page.goto(url(live_server, path))
        main = page.get_by_role("main")
        expect(main).to_contain_text(old_start)
        expect(main).not_to_contain_text(NEW_SUMMARY)

    # --- ... looks at what changed, and publishes ----------------------------------
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Edit the guide").click()
    page.get_by_role("link", name="What changed since version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed from version 1 to the draft")
    expect(page.locator("ins", has_text="versjon 2")).to_have_count(1)
    check_a11y(page)
    page.get_by_role("link", name="Edit the guide").last.click()
    page.get_by_role("button", name="Publish the draft").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 of the action guide has been "
                                                       "published")
    expect(page.get_by_role("heading", level=1)).to_have_text("Versions of the action guide")
    expect(page.get_by_role("row", name=re.compile("Version 2"))).to_contain_text(
        live_world.coordinator.display_name)
    check_a11y(page)

    # The staff guide and the public guide now show version 2.
    for path in (reverse("guides:overview"), public_step):
        page.goto(url(live_server, path))
        expect(page.get_by_role("main")).to_contain_text(NEW_SUMMARY)
    _logout(page)

    # --- Kari's worry, started before, keeps version 1 and says so ----------------
    login(page, live_server, "kari", PASSWORD)
    page.goto(url(live_server, reverse("concerns:step", args=[concern.pk, "define"])))
    notice = page.get_by_role("note")
    expect(notice).to_contain_text(
        "This worry follows version 1 of the action guide; version 2 was published on")
    guide_box = page.get_by_role("complementary")
    expect(guide_box).to_contain_text(old_start)
    expect(guide_box).not_to_contain_text(NEW_SUMMARY)
    check_a11y(page)
    notice.get_by_role("link", name="Read the current action guide").click()
    expect(page.get_by_role("main")).to_contain_text(NEW_SUMMARY)


def test_every_editor_page_passes_axe(page, live_server, live_world, check_a11y):
    """The pages the journey above does not visit: level, title, new step,
    remove and discard confirmations, a form with errors, a stale form, and
    the comparison of two published versions."""
    from stafett.guides import actions
    from stafett.guides.models import Guide, Level

    actor = live_world.actor(live_world.coordinator)
    with scope(municipality=live_world.fjordvik):
        draft = actions.start_draft(actor)
        level1 = Level.objects.get(guide=draft, number=1)
        extra = actions.add_step(actor, level1, lock_version=draft.lock_version, variant="hjelpe",
                                 number=6, title="Ekstra trinn for hjelpetjenestene")
        define = Step.objects.get(level__guide=draft, level__number=0, code="define")
    _english(page, live_server)
    login(page, live_server, "cora", PASSWORD)
    for path in (
        reverse("guides_editor:index"),
        reverse("guides_editor:guide"),
        reverse("guides_editor:level", args=[1]),
        reverse("guides_editor:add_step", args=[1]),
        reverse("guides_editor:step", args=[extra.pk]),
        reverse("guides_editor:remove_step", args=[extra.pk]),
        reverse("guides_editor:discard"),
        reverse("guides_editor:history"),
        reverse("guides_editor:compare") + "?fra=1&til=utkast",
    ):
        response = page.goto(url(live_server, path))
        assert response.status == 200, path
        check_a11y(page)

    # A form with errors: the summary names the field and links to it.
    page.goto(url(live_server, reverse("guides_editor:level", args=[1])))
    page.get_by_label(re.compile(r"^Title:?$")).fill("")
    page.get_by_role("button", name="Save the level").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Write a title.")
    check_a11y(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(re.compile(r"^Title:?$"))).to_be_focused()

    # A stale form: someone else saves first.
    page.goto(url(live_server, reverse("guides_editor:step", args=[define.pk])))
    with scope(municipality=live_world.fjordvik):
        fresh = Guide.objects.get(pk=draft.pk)
        actions.update_step(actor, define, lock_version=fresh.lock_version,
                            summary="Lagret av en annen.")
    page.get_by_label(re.compile(r"^Summary:?$")).fill("Min versjon.")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_role("status")).to_contain_text("Someone else changed the draft")
    expect(page.get_by_role("region", name="What is saved now")).to_contain_text(
        "Lagret av en annen.")
    expect(page.get_by_label(re.compile(r"^Summary:?$"))).to_have_value("Min versjon.")
    check_a11y(page)

    # Two published versions compared.
    page.goto(url(live_server, reverse("guides_editor:index")))
    page.get_by_role("button", name="Publish the draft").click()
    page.get_by_role("link", name="Compare version 2 with version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed from version 1 to version 2")
    check_a11y(page)
