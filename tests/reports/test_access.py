"""Only the reporter, her leader and the relay's holder see a report: named
people who must be refused, on every page of a report, beside those who may."""

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.relay import actions as relay_actions
from stafett.reports import actions
from stafett.reports.models import ChildWelfareReport
from stafett.reports.policy import REPORT, visible_reports
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .helpers import approved, fill, submitted, write

MONTHS_NB = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
             "oktober", "november", "desember"]

pytestmark = pytest.mark.django_db

PAGES = ["reports:detail", "reports:edit", "reports:review", "reports:pdf"]


def _status(client, name, pk):
    return client.get(reverse(name, args=[pk])).status_code


def test_a_draft_is_the_reporters_alone(world):
    report = write(world, make_concern(world, shared=True))
    assert _status(world.client_for(world.teacher), "reports:detail", report.pk) == 200
    assert _status(world.client_for(world.teacher), "reports:edit", report.pk) == 200
    # Leif sees the shared worry, but not the draft until it is submitted.
    for person in [world.leader, world.colleague, world.other_employee, world.other_leader,
                   world.coordinator, world.outsider]:
        client = world.client_for(person)
        for page in PAGES:
            assert _status(client, page, report.pk) == 404, (person.username, page)


@pytest.mark.parametrize("who", ["colleague", "other_employee", "other_leader", "coordinator",
                                 "outsider"])
def test_a_sent_report_is_refused_to_everyone_else(world, who):
    """Kasper the colleague, Olav, Lise, Cora the coordinator and Per in
    Åsheim all get 404 on every page of it, and see it in no list."""
    report = approved(world, make_concern(world, shared=True))
    client = world.client_for(getattr(world, who))
    for page in PAGES:
        assert _status(client, page, report.pk) == 404, page
    index = client.get(reverse("reports:index"))
    assert index.status_code in (200, 404)
    assert f"/bekymringsmeldinger/{report.pk}/" not in index.content.decode()


def test_the_leader_sees_it_once_submitted_and_approves(world):
    report = submitted(world, make_concern(world, shared=True))
    leif = world.client_for(world.leader)
    assert _status(leif, "reports:detail", report.pk) == 200
    assert _status(leif, "reports:review", report.pk) == 200
    assert _status(leif, "reports:edit", report.pk) == 404  # the text is the reporter's
    listing = leif.get(reverse("reports:index")).content.decode()
    assert f"/bekymringsmeldinger/{report.pk}/" in listing


def test_posts_by_the_refused_change_nothing(world):
    report = submitted(world, make_concern(world, shared=True))
    for person in [world.colleague, world.other_leader, world.coordinator, world.outsider]:
        client = world.client_for(person)
        for name in ["reports:review", "reports:send_back", "reports:withdraw"]:
            response = client.post(reverse(name, args=[report.pk]),
                                   {"version": report.version, "comment": "x"})
            assert response.status_code == 404, (person.username, name)
    with scopes_disabled():
        assert ChildWelfareReport.objects.get(pk=report.pk).status == "awaiting"


def test_a_colleague_cannot_write_a_report_from_someone_elses_worry(world):
    concern = make_concern(world, shared=True)
    for person in [world.colleague, world.leader, world.other_employee, world.coordinator]:
        response = world.client_for(person).post(
            reverse("reports:create_from_concern", args=[concern.pk]))
        assert response.status_code == 404, person.username
    with scopes_disabled():
        assert not ChildWelfareReport.objects.exists()


def test_the_worry_page_shows_the_report_only_to_those_who_see_it(world):
    concern = make_concern(world, shared=True)
    report = approved(world, concern)
    link = f"/bekymringsmeldinger/{report.pk}/"
    page = world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    assert link in page.content.decode()
    page = world.client_for(world.leader).get(reverse("concerns:detail", args=[concern.pk]))
    assert link in page.content.decode()
    # The section names the report by its day and writer, with its status.
    section = lxml.html.fromstring(page.content).get_element_by_id("bekymringsmelding")
    item = section.xpath(".//li")[0]
    assert item.xpath(".//a/@href") == [link]
    when = timezone.localtime(report.created_at)
    assert " ".join(item.text_content().split()) == (
        f"Melding av {when.day}. {MONTHS_NB[when.month - 1]} {when.year} fra "
        f"{report.reporter.display_name}: godkjent, venter på å bli sendt")


@pytest.fixture
def relay_world(world):
    relay, _ = make_relay(world, holder=world.health_nurse, service=world.health_station,
                          consent_services=[world.health_station, world.school])
    return world, relay


def test_on_a_relay_the_holder_sees_a_participants_report(relay_world):
    world, relay = relay_world
    with scope(municipality=world.fjordvik):
        relay_actions.add_participant(world.actor(world.health_nurse), relay,
                                      service=world.school, user=world.other_employee, task="")
        olav = world.actor(world.other_employee)
        report = fill(olav, actions.create_from_relay(olav, relay.pk))
        assert report.service_id == world.school.pk
        # A draft: Olav's alone.
        for person in [world.health_nurse, world.other_leader]:
            assert report not in visible_reports(world.actor(person))
        report = actions.submit_report(olav, report, version=report.version)
        # Submitted: the holder and Olav's leader see it; Kasper and Cora never.
        assert report in visible_reports(world.actor(world.health_nurse))
        assert report in visible_reports(world.actor(world.other_leader))
        assert report not in visible_reports(world.actor(world.colleague))
        assert report not in visible_reports(world.actor(world.coordinator))
        assert report not in visible_reports(world.actor(world.leader))
    holder = world.client_for(world.health_nurse)
    assert _status(holder, "reports:detail", report.pk) == 200
    assert _status(holder, "reports:review", report.pk) == 404  # Lise approves, not the holder
    assert _status(world.client_for(world.other_leader), "reports:review", report.pk) == 200
    assert _status(world.client_for(world.colleague), "reports:detail", report.pk) == 404


def test_the_state_table_freezes_the_text_after_approval():
    for state in ["queued", "sent", "received", "failed", "withdrawn"]:
        for action in ["edit", "submit", "approve", "send_back", "send_acute"]:
            assert not REPORT.allows(state, action)
    assert REPORT.states_allowing("edit") == ["draft"]
    assert REPORT.states_allowing("approve") == ["awaiting"]
