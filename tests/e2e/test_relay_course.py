"""A stafettlogg's course in a real browser, in English: from a level-0
decision to a closed relay and its archive PDF. Every page on the way passes
axe-core.

Kari (kindergarten) starts the relay on level 1 from her worry, registers
the guardians and their consent for the kindergarten; holds a planning
meeting with a goal and a measure and an evaluation meeting that moves the
relay to level 2; extends the consent to the school, brings Olav from the
school in and hands the baton to him; Olav accepts, looks at the guardians'
copy, closes the relay and downloads the PDF.
"""

import datetime as dt
import re

from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.relay.models import Relay
from tests.concerns.helpers import make_concern
from tests.conftest import PASSWORD

from .helpers import expect, login, url


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()


def _decided_worry(world):
    """Level 0 done: Kari's worry, decided to continue on level 1."""
    concern = make_concern(world, shared=True)
    with scope(municipality=world.fjordvik):
        return concern_actions.decide(world.actor(world.teacher), concern, version=concern.version,
                                      outcome="level1", reason="Barnehagen følger opp med familien.")


def test_a_relay_from_the_worry_to_the_archive_pdf(page, live_server, live_world, check_a11y):
    concern = _decided_worry(live_world)
    _english(page, live_server)

    # --- Kari starts the stafettlogg from her worry -------------------------------
    login(page, live_server, "kari", PASSWORD)
    page.goto(url(live_server, f"/bekymringer/{concern.pk}/"))
    page.get_by_role("link", name="Start a stafettlogg").click()
    check_a11y(page)
    expect(page.get_by_label("Area of concern")).to_have_value(re.compile("Virker sliten om morgenen."))
    expect(page.get_by_role("radio", name=re.compile("Level 1"))).to_be_checked()
    page.get_by_role("button", name="Start the stafettlogg").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Ella Strandvik")
    expect(page.get_by_text("No consent in force.").first).to_be_visible()
    check_a11y(page)

    # --- Guardians -------------------------------------------------------------------
    page.get_by_role("link", name="Guardians", exact=True).click()
    check_a11y(page)
    page.get_by_role("button", name="Add the guardian").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the guardian's name.")
    check_a11y(page)
    for name, relation in [("Anne Strandvik", "mother"), ("Bjørn Strandvik", "father")]:
        page.get_by_label(re.compile(r"^Name:?$")).fill(name)
        page.get_by_label("Relation to the child").fill(relation)
        page.get_by_role("button", name="Add the guardian").click()
        expect(page.get_by_role("status")).to_contain_text(name)

    # --- Consent: both parents, for the kindergarten (level 1: one service) -------------
    page.get_by_role("link", name="Record consent").click()
    check_a11y(page)
    expect(page.get_by_role("checkbox", name="Anne Strandvik")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Bjørn Strandvik")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Solsikken barnehage")).to_be_checked()
    page.get_by_label("What the information may be used for").fill(
        "Samarbeid med familien om Ellas søvn."
    )
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_role("status")).to_contain_text("The consent has been recorded.")
    expect(page.get_by_text("No consent in force.")).to_have_count(0)
    check_a11y(page)

    # --- A planning meeting, a goal and a measure ------------------------------------------
    soon = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    page.get_by_role("link", name="Plan a meeting").click()
    check_a11y(page)
    page.get_by_label("Kind of meeting").select_option(label="Planning meeting")
    page.get_by_label("Time").fill(soon)
    page.get_by_label("Place").fill("Solsikken barnehage, møterom 1")
    page.get_by_role("button", name="Plan the meeting").click()
    page.get_by_role("link", name="Write the minutes").click()
    check_a11y(page)
    page.get_by_label("Minutes").fill("Vi gikk gjennom kveldsrutinene sammen med mor og far.")
    page.get_by_label("Decisions").fill("Fast leggetid; barnehagen legger inn hvilestund.")
    page.get_by_role("button", name="Record the minutes").click()
    expect(page.get_by_role("status")).to_contain_text("The minutes have been recorded")

    page.get_by_role("link", name="Add a goal").click()
    check_a11y(page)
    page.get_by_label("What should be better?").fill("Ella sover hele natta")
    page.get_by_label("How will we see it?").fill("Mor forteller; Ella er opplagt om morgenen.")
    page.get_by_role("button", name="Save the goal").click()

    page.get_by_role("link", name="Add a measure").click()
    check_a11y(page)
    today = dt.date.today()
    page.get_by_label("What will be done?").fill("Hvilestund etter lunsj og fast leggetid hjemme.")
    page.get_by_label("Start").fill(today.isoformat())
    page.get_by_label("Deadline").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Evaluation date").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Goal it works towards (optional)").select_option(label="Ella sover hele natta")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Hvilestund etter lunsj")

    # --- The evaluation meeting decides to move to level 2 --------------------------------
    page.get_by_role("link", name="Plan a meeting").click()
    page.get_by_label("Kind of meeting").select_option(label="Evaluation meeting: decision")
    page.get_by_label("Time").fill(soon)
    page.get_by_label("Place").fill("Solsikken barnehage")
    page.get_by_role("button", name="Plan the meeting").click()
    page.get_by_role("link", name="Write the minutes").click()
    check_a11y(page)
    # The decision to move up is taken at this meeting, with its reason.
    page.get_by_role("radio", name=re.compile("Level 2")).check()
    page.get_by_label("Reason for the change").fill("Skolen må med før skolestart.")
    page.get_by_role("button", name="Change the level").click()
    expect(page.get_by_role("status")).to_contain_text("level 2")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Skolen må med før skolestart.")

    # --- Extend the consent to the school ----------------------------------------------------
    page.get_by_role("link", name="Extend the consent").first.click()
    check_a11y(page)
    page.get_by_role("checkbox", name="Bakken skole").check()
    page.get_by_label("What the information may be used for").fill(
        "Samarbeid mellom barnehage og skole om Ellas søvn og overgang til skolen."
    )
    page.get_by_role("button", name="Record the extended consent").click()
    expect(page.get_by_role("region", name="Consent")).to_contain_text("Bakken skole")

    # --- Participants: Olav from the school --------------------------------------------
    page.get_by_role("link", name="Manage participants").click()
    check_a11y(page)
    page.get_by_label(re.compile(r"^Service:?$")).select_option(label="Bakken skole")
    page.get_by_label("Named person (optional)").select_option(label="Olav Skolesen – Bakken skole")
    page.get_by_label("Task in the relay").fill("Kontaktlærer fra høsten")
    page.get_by_role("button", name="Add the participant").click()
    expect(page.get_by_role("table")).to_contain_text("Olav Skolesen")
    check_a11y(page)
    page.get_by_role("link", name="Stafettlogg for Ella Strandvik").click()

    # --- The timeline and the acute path ------------------------------------------------
    timeline_filter = page.get_by_role("navigation", name="Filter the timeline by kind")
    timeline_filter.get_by_role("link", name="Consent").click()
    expect(timeline_filter.get_by_role("link", name="Consent")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Consent recorded for")
    check_a11y(page)
    page.get_by_role("link", name="Acute: violence or abuse?").click()
    expect(page.get_by_role("list").filter(has_text="112")).to_contain_text("40 00 10 01")
    check_a11y(page)
    page.get_by_role("link", name="Back to the stafettlogg").click()

    # --- Kari hands the baton to Olav ---------------------------------------------------
    page.get_by_role("link", name="Hand over the relay").click()
    check_a11y(page)
    page.get_by_label("New holder").select_option(label="Olav Skolesen – Bakken skole")
    page.get_by_label("What is handed over").fill(
        "Ella begynner på skolen i august. Avtalt med mor: kveldsrutine, evaluering i oktober."
    )
    page.get_by_role("button", name="Request the handover").click()
    expect(page.get_by_text(re.compile("waiting for acceptance"))).to_be_visible()
    check_a11y(page)
    _logout(page)

    # --- Olav accepts ----------------------------------------------------------------------
    login(page, live_server, "olav", PASSWORD)
    page.goto(url(live_server, "/stafettlogg/"))
    check_a11y(page)
    waiting = page.get_by_role("region", name="Handovers waiting for me")
    waiting.get_by_role("link", name="Stafettlogg for Ella Strandvik").click()
    expect(page.get_by_text("Ella begynner på skolen i august.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Accept and take over").click()
    expect(page.get_by_role("status")).to_contain_text("You now hold the relay.")
    expect(page.get_by_role("region", name="Holder")).to_contain_text("Olav Skolesen, Bakken skole")
    check_a11y(page)

    # --- The guardians' copy --------------------------------------------------------------
    page.get_by_role("link", name="The guardians' copy").first.click()
    check_a11y(page)
    page.get_by_role("link", name=re.compile("Anne Strandvik")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The stafettlogg as Anne Strandvik sees it")
    check_a11y(page)
    page.get_by_role("link", name="Stafettlogg for Ella Strandvik").click()

    # --- Olav closes the relay, and the archive PDF -----------------------------------------
    page.get_by_role("link", name="Close the relay").click()
    check_a11y(page)
    page.get_by_role("radio", name="The goal is reached").check()
    page.get_by_label("Closing summary").fill("Ella sover godt og har begynt på skolen.")
    page.get_by_label("The child's last word").fill("Jeg liker skolen.")
    page.get_by_label("The parents' last word").fill("Takk for samarbeidet.")
    page.get_by_role("button", name="Close the relay").click()
    expect(page.get_by_role("region", name="Closed")).to_contain_text("Jeg liker skolen.")
    check_a11y(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the whole log as PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    with scopes_disabled():
        relay = Relay.objects.get()
        assert relay.status == "closed" and relay.holder.username == "olav"
        assert relay.concern_id == concern.pk
        assert relay.level == 2 and relay.level_changes.get().to_level == 2
        assert relay.consents.count() == 2 and relay.consents.last().parties.count() == 2
        assert relay.goals.count() == 1 and relay.measures.get().goal is not None
        assert AuditEvent.objects.filter(action="read_pdf", object_id=relay.pk).exists()
