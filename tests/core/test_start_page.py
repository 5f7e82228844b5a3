"""The start page shows each person their own work first, as counts and links:
never a child's name, never a link that answers 404, and the same number of
queries however much work there is."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.relay import actions as relay_actions
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

START = reverse("core:home")


def _main(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def _links(main: str) -> list[str]:
    return [href for href in re.findall(r'href="([^"]+)"', main) if href.startswith("/")]


def _headings(main: str) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", main)


def _assert_every_link_answers(client, main):
    """No link on the start page ends in 404 (or any error) for its reader."""
    for href in _links(main):
        response = client.get(href.split("#")[0])
        assert response.status_code in (200, 302), (href, response.status_code)


def _close(world, concern):
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = concern_actions.decide(actor, concern, version=concern.version, outcome="close",
                                         reason="Ingen grunn til å gå videre.")
        concern_actions.close_concern(actor, concern, version=concern.version, reason="Løst.")


def _hand_over(world, relay, to_user, to_service):
    with scope(municipality=world.fjordvik):
        return relay_actions.request_handover(
            world.actor(relay.holder), relay, to_user=to_user, to_service=to_service,
            note="Skolen følger opp videre.",
        )


@pytest.mark.parametrize("url", ["/", START])
def test_anonymous_is_sent_to_login(world, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_cora_sees_the_guide_and_the_leadership_view_and_no_new_worry(world):
    client = world.client_for(world.coordinator)
    main = _main(client.get(START))
    links = _links(main)
    assert _headings(main)[:2] == ["Kommunens handlingsveileder", "Bekymringer og stafettlogger i kommunen"]
    assert reverse("guides_editor:index") in links
    assert reverse("guides:overview") in links
    assert reverse("insights:dashboard") in links
    assert reverse("followup:settings") in links
    # A coordinator without a service may not register a worry: no offer of one.
    assert reverse("concerns:new") not in links
    assert reverse("concerns:new") not in client.get(reverse("concerns:mine")).content.decode()
    assert reverse("concerns:new") not in client.get(reverse("core:acute")).content.decode()
    _assert_every_link_answers(client, main)


def test_leif_sees_his_inbox_with_its_count(world):
    for i in range(2):
        make_concern(world, shared=True, name=f"Delt Barnesen {i}", serial=i)
    make_concern(world, shared=False, name="Ikke Deltsen", serial=5)  # not shared: not his yet
    _close(world, make_concern(world, shared=True, name="Lukket Barnesen", serial=6))
    client = world.client_for(world.leader)
    main = _main(client.get(START))
    assert _headings(main)[0] == "Bekymringer som er delt med deg"
    assert "2 åpne bekymringer er delt med deg som leder." in main
    assert reverse("concerns:inbox") in _links(main)
    assert reverse("insights:dashboard") in _links(main)
    assert "Barnesen" not in main and "Deltsen" not in main
    _assert_every_link_answers(client, main)


def test_lise_leads_the_school_and_counts_none_of_the_kindergartens_worries(world):
    make_concern(world, shared=True)
    main = _main(world.client_for(world.other_leader).get(START))
    assert "0 åpne bekymringer er delt med deg som leder." in main


def test_olav_sees_the_handover_waiting_for_him_first(world, helga):
    relay, _ = make_relay(world, name="Ella Strandvik")  # held by Helga, the school covered
    handover = _hand_over(world, relay, world.other_employee, world.school)
    client = world.client_for(world.other_employee)
    main = _main(client.get(START))
    assert _headings(main)[0] == "En stafettlogg venter på at du skal ta over"
    answer = reverse("relay:respond_to_handover", args=[relay.pk, handover.pk])
    assert _links(main)[0] == answer
    assert "Ella Strandvik" not in main
    assert "Du deltar i 1 åpen stafettlogg." in main
    _assert_every_link_answers(client, main)


def test_with_two_handovers_olav_is_sent_to_the_list_of_them(world, helga):
    for i in range(2):
        relay, _ = make_relay(world, name=f"Barn {i}")
        _hand_over(world, relay, world.other_employee, world.school)
    main = _main(world.client_for(world.other_employee).get(START))
    assert _headings(main)[0] == "2 stafettlogger venter på at du skal ta over"
    assert _links(main)[0] == reverse("relay:mine") + "#h-waiting"


def test_a_handover_on_a_relay_he_may_not_open_is_not_offered(world, helga):
    """The consent was withdrawn after the handover was asked for: the school no
    longer sees the relay, its handover page would answer 404, so the start page
    does not offer it (nor does the relay list)."""
    relay, _ = make_relay(world)
    _hand_over(world, relay, world.other_employee, world.school)
    with scope(municipality=world.fjordvik):
        relay_actions.withdraw_consent(world.actor(helga), relay, reason="Foreldrene ønsker det.")
    main = _main(world.client_for(world.other_employee).get(START))
    assert "ta over" not in main
    assert "/overforing/" not in main


def test_kari_sees_her_worries_and_relays(world):
    for i in range(2):
        make_concern(world, name=f"Åpen Barnesen {i}", serial=i)
    _close(world, make_concern(world, shared=True, name="Lukket Barnesen", serial=4))
    make_concern(world, author=world.colleague, name="Kaspers Barnesen", serial=7)
    client = world.client_for(world.teacher)
    with scopes_disabled():
        audit_before = AuditEvent.objects.count()
    main = _main(client.get(START))
    assert _headings(main)[:2] == ["Mine bekymringer", "Mine stafettlogger"]
    assert "Du har 2 åpne bekymringer på nivå 0." in main
    assert "Du deltar i 0 åpne stafettlogger." in main
    links = _links(main)
    assert reverse("concerns:mine") in links and reverse("concerns:new") in links
    assert reverse("relay:mine") in links
    # The kindergarten starts with a worry, not a relay.
    assert reverse("relay:new") not in links
    # Counts and links only: no child's name, so nothing read that needs auditing.
    assert "Barnesen" not in main
    with scopes_disabled():
        assert AuditEvent.objects.count() == audit_before
    _assert_every_link_answers(client, main)


def test_helga_holds_a_relay_and_may_start_one(world, helga):
    make_relay(world)
    main = _main(world.client_for(helga).get(START))
    assert "Du deltar i 1 åpen stafettlogg. Du er stafettholder for 1 av dem." in " ".join(main.split())
    assert reverse("relay:new") in _links(main)


def test_per_counts_nothing_of_fjordvik(world):
    make_concern(world, shared=True)
    main = _main(world.client_for(world.outsider).get(START))
    assert "0 åpne bekymringer er delt med deg som leder." in main
    assert "Du har 0 åpne bekymringer på nivå 0." in main


def test_the_operator_without_a_municipality_is_told_so(world):
    response = world.client_for(world.operator).get(START)
    main = _main(response)
    assert "Du er ikke knyttet til noen kommune" in main
    assert reverse("admin:index") in _links(main)


def test_nynorsk(world):
    make_concern(world)
    client = world.client_for(world.teacher)
    client.cookies["django_language"] = "nn"
    main = _main(client.get(START))
    assert "<h1>Arbeidet ditt i Stafett</h1>" in main
    assert "Du har 1 open bekymring på nivå 0." in main


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(START).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_work(world, helga):
    people = [world.teacher, world.leader, world.other_employee, world.coordinator, helga]
    clients = [world.client_for(person) for person in people]

    def add_work(start, n):
        for i in range(start, start + n):
            make_concern(world, shared=True, name=f"Barn {i}", serial=i)
            relay, _ = make_relay(world, name=f"Stafettbarn {i}")
            with scope(municipality=world.fjordvik):
                relay_actions.add_participant(world.actor(helga), relay, service=world.school,
                                              user=world.other_employee, task="Følger opp")
            _hand_over(world, relay, world.other_employee, world.school)

    add_work(0, 2)
    small = [_queries(client) for client in clients]
    add_work(2, 20)
    large = [_queries(client) for client in clients]
    assert small == large


def test_a_follow_up_break_waiting_for_kari_is_shown_with_its_count(world):
    from django.utils import timezone

    from stafett.followup import engine

    make_concern(world, name="Glemt Barnesen")
    # Left idle long enough that the rules open a break for its author.
    engine.run_rules(timezone.now() + timezone.timedelta(days=60))
    client = world.client_for(world.teacher)
    main = _main(client.get(START))
    assert _headings(main)[0] == "Oppfølging"
    assert "1 oppfølgingsbrudd venter på at du handler." in main
    assert reverse("followup:list") in _links(main)
    assert "Barnesen" not in main
    _assert_every_link_answers(client, main)
