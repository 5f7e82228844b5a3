"""The level-0 journey in a real browser: the teacher takes a worry from
"I wonder…" to a decision with her leader, including the acute path, and
every page on the way passes axe-core."""

import datetime as dt
import re

from django_scopes import scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns.models import Concern
from stafett.lib.national_id import make_synthetic
from tests.conftest import PASSWORD

from .helpers import expect, login, tab_to, url


def _logout(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Logg ut").click()


def _step_link(page, name):
    return page.get_by_role("navigation", name="Trinn på nivå 0").get_by_role(
        "link", name=re.compile(name)
    )


def test_teacher_and_leader_take_a_worry_to_a_decision(page, live_server, live_world, check_a11y):
    birth = dt.date.today() - dt.timedelta(days=4 * 365 + 20)
    national_id = make_synthetic(birth, 7)

    # --- Kari registers the worry -------------------------------------------
    login(page, live_server, "kari", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ditt arbeid i Stafett")
    check_a11y(page)
    page.get_by_role("link", name="Registrer en ny bekymring").click()
    check_a11y(page)
    # The guide's text for step 1 stands beside the form.
    expect(page.get_by_role("complementary")).to_contain_text("Beskriv undringen")

    # Nothing filled in: a clear message, reachable from the error summary.
    page.get_by_role("button", name="Registrer bekymringen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Skriv barnets navn")
    check_a11y(page)

    page.get_by_label("Barnets navn").fill("Ella Strandvik")
    page.get_by_label("Fødselsdato").fill(birth.isoformat())
    page.get_by_label("Fødselsnummer (valgfritt)").fill(national_id)
    page.get_by_label("Hva har du sett og hørt?").fill(
        "Har de siste tre ukene sovnet i samlingsstunden. Sa: «Det er bråk hjemme om natta.»"
    )
    page.get_by_label("Hva undrer du deg over?").fill("Får Ella sove om nettene?")
    page.get_by_role("button", name="Registrer bekymringen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bekymring for Ella Strandvik")
    expect(page.get_by_text(f"{national_id[:6]} *****")).to_be_visible()
    expect(page.get_by_text(national_id, exact=True)).to_have_count(0)
    check_a11y(page)

    # --- Step 2: share with the leader ----------------------------------------
    _step_link(page, "Del undringen").click()
    check_a11y(page)
    page.get_by_label("Melding til lederen din (valgfritt)").fill("Kan vi ta denne på torsdag?")
    page.get_by_role("button", name="Del med lederen").click()
    expect(page.get_by_role("status")).to_contain_text("delt")

    # --- Step 3: talk with the guardians and the child -----------------------
    _step_link(page, "Snakk med foresatte").click()
    check_a11y(page)
    page.get_by_label("Dato for samtalen").fill(dt.date.today().isoformat())
    page.get_by_label("Hvem deltok").fill("Mor, Ella og pedagogisk leder")
    page.get_by_label("Hva ble sagt").fill("Mor forteller om en nabo som bråker om nettene.")
    page.get_by_label("Barnets eget syn, med barnets egne ord").fill("Jeg blir redd når det smeller.")
    page.get_by_role("button", name="Registrer samtalen").click()
    expect(page.get_by_text("Jeg blir redd når det smeller.")).to_be_visible()

    # --- The acute path, from the worry's page -------------------------------
    page.get_by_role("link", name="Akutt: vold eller overgrep?").click()
    check_a11y(page)
    numbers = page.get_by_role("list").filter(has_text="112")
    expect(numbers).to_contain_text("40 00 10 01")
    expect(numbers).to_contain_text("40 00 10 02")
    page.get_by_role("radio", name="Barneverntjenesten", exact=True).check()
    page.get_by_label("Når").fill(dt.datetime.now().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("radio", name=re.compile("Opplysningsplikt")).check()
    page.get_by_label("Lederen min er informert").check()
    page.get_by_label("Hvilken leder").fill("Leif Styrersen")
    page.get_by_role("button", name="Registrer kontakten").click()
    expect(page.get_by_role("table")).to_contain_text("Leif Styrersen")
    check_a11y(page)
    _logout(page)

    # --- Leif finds it in his inbox, comments and decides -------------------
    login(page, live_server, "leif", PASSWORD)
    page.get_by_role("link", name="Innboks for ledere").click()
    check_a11y(page)
    page.get_by_role("link", name="Ella Strandvik").click()
    expect(page.get_by_text("Kan vi ta denne på torsdag?")).to_be_visible()
    page.get_by_label(re.compile(r"^Kommentar:?$")).fill("Ja, og vi bør tenke på nivå 1.")
    page.get_by_role("button", name="Legg til kommentar").click()
    expect(page.get_by_text("Ja, og vi bør tenke på nivå 1.")).to_be_visible()
    check_a11y(page)

    # The decision, by keyboard alone.
    _step_link(page, "Grunn til å gå videre").click()
    check_a11y(page)
    first_choice = tab_to(page, "radio", re.compile("Ikke grunn til å gå videre"))
    level1 = page.get_by_role("radio", name=re.compile("nivå 1"))
    for _ in range(4):
        if level1.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert level1.is_checked() and not first_choice.is_checked()
    reason = tab_to(page, "textbox", "Begrunnelse for beslutningen")
    page.keyboard.type("Barnehagen følger opp sammen med mor; ny vurdering om seks uker.")
    expect(reason).to_have_value(re.compile("seks uker"))
    tab_to(page, "button", "Registrer beslutningen")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Videre på nivå 1 (i egen tjeneste)")).to_be_visible()

    page.get_by_role("link", name="Tilgangslogg").click()
    history = page.get_by_role("table")
    expect(history).to_contain_text("Kari Lærersen")
    expect(history).to_contain_text("Leif Styrersen")
    check_a11y(page)
    _logout(page)

    # --- Kari closes it ------------------------------------------------------
    login(page, live_server, "kari", PASSWORD)
    page.get_by_role("link", name="Se alle bekymringene dine").click()
    page.get_by_role("link", name="Ella Strandvik").click()
    _step_link(page, "Avslutt").click()
    page.get_by_label("Begrunnelse for avslutning").fill("Videre arbeid på nivå 1 i barnehagen.")
    page.get_by_role("button", name="Avslutt bekymringen").click()
    expect(page.get_by_role("heading", name="Avsluttet", exact=True)).to_be_visible()

    with scopes_disabled():
        concern = Concern.objects.get()
        assert concern.status == "closed" and concern.outcome == "level1"
        assert concern.decided_by.username == "leif"
        assert concern.acute_contacts.get().legal_basis == "duty_to_report"
        assert AuditEvent.objects.filter(action="read", object_id=concern.pk).exists()


def test_colleague_cannot_open_the_worry(page, live_server, live_world):
    from tests.concerns.helpers import make_concern

    concern = make_concern(live_world, shared=True)
    login(page, live_server, "kasper", PASSWORD)
    response = page.goto(url(live_server, f"/bekymringer/{concern.pk}/"))
    assert response.status == 404
    page.goto(url(live_server, "/bekymringer/"))
    expect(page.get_by_text("Ella Strandvik")).to_have_count(0)
