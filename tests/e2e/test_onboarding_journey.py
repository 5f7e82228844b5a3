"""A new employee takes the introduction to BTI in a real browser: from the
start page's card through the four parts, answering by keyboard (one wrong
answer first, which is explained and tried again), and her leader then sees
her as completed. Every page on the way passes axe-core."""

import re

from django.utils import translation
from django_scopes import scope, scopes_disabled

from stafett.onboarding.models import PartCompletion
from stafett.onboarding.parts import ORDER, questions_for
from tests.conftest import PASSWORD

from .helpers import expect, login, tab_to


def _questions(world, part):
    with translation.override("nb"), scope(municipality=world.fjordvik):
        return questions_for(world.actor(world.other_employee), part)


def _choose(page, question, value):
    """Pick an option the way a keyboard user does: move to it and press Space."""
    group = page.get_by_role("group", name=question.text)
    radio = group.get_by_role("radio", name=dict(question.options)[value], exact=True)
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()


def _submit(page):
    button = tab_to(page, "button", "Sjekk svarene mine")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return button


def test_a_new_employee_completes_the_introduction_and_her_leader_sees_it(
        page, live_server, live_world, check_a11y):
    world = live_world
    login(page, live_server, "olav", PASSWORD)
    card = page.get_by_role("region", name="Introduksjon til BTI: 0 av 4 deler fullført")
    expect(card).to_be_visible()
    check_a11y(page)
    card.get_by_role("link", name="Start introduksjonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduksjon til BTI")
    check_a11y(page)
    page.get_by_role("link", name="Start introduksjonen").click()

    for index, part in enumerate(ORDER):
        expect(page.get_by_text(f"Del {index + 1} av 4")).to_be_visible()
        check_a11y(page)
        questions = _questions(world, part)
        if index == 0:
            # The school reads the guide's basis steps, linked to the full guide.
            expect(page.get_by_role("link", name="Les hele handlingsveilederen")).to_be_visible()
            # A wrong answer first: explained, nothing completed, the page again.
            first = questions[0]
            wrong = next(v for v, _label in first.options if v != first.correct)
            _choose(page, first, wrong)
            for q in questions[1:]:
                _choose(page, q, q.correct)
            _submit(page)
            expect(page.get_by_role("alert").first).to_contain_text("ikke riktig ennå")
            expect(page.get_by_role("group", name=first.text)).to_contain_text(first.explanation)
            check_a11y(page)
            with scopes_disabled():
                assert not PartCompletion.objects.filter(user=world.other_employee).exists()
        for q in questions:
            _choose(page, q, q.correct)
        _submit(page)
        expect(page.get_by_text(re.compile("Bra: du har fullført delen"))).to_be_visible()

    # After the last part: back at the introduction, all four done.
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduksjon til BTI")
    expect(page.get_by_text("4 av 4 deler fullført.")).to_be_visible()
    check_a11y(page)
    # The start page's card is gone.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("region", name=re.compile("Introduksjon til BTI"))).to_have_count(0)
    with scopes_disabled():
        assert PartCompletion.objects.filter(user=world.other_employee).count() == 4

    # --- Lise, the school's leader, sees Olav as completed ------------------------
    page.context.clear_cookies()
    login(page, live_server, "lise", PASSWORD)
    page.get_by_role("link", name="Hvem som har fullført introduksjonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvem som har fullført introduksjonen")
    olav = page.get_by_role("row", name=re.compile("Olav Skolesen"))
    expect(olav).to_contain_text("Fullført")
    expect(page.get_by_role("row", name=re.compile("Kari Lærersen"))).to_have_count(0)
    check_a11y(page)

    # --- Cora, the coordinator, sees every service with its count -----------------
    page.context.clear_cookies()
    login(page, live_server, "cora", PASSWORD)
    page.get_by_role("link", name="Hvem som har fullført introduksjonen").click()
    counts = page.get_by_role("table", name="Fullført per tjeneste")
    # Completed 1 (Olav) of 2 active employees (Olav and Lise).
    expect(counts.get_by_role("row", name=re.compile("^Bakken skole"))).to_have_text(
        re.compile(r"Bakken skole\s*1\s*2"))
    check_a11y(page)
