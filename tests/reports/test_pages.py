"""The pages: the coordinator's settings, a report from a relay pre-filled
from it, the acute page's button, bad input answered in bokmål."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.relay import actions as relay_actions
from stafett.reports.models import ChildWelfareReport, ReportSettings
from tests.concerns.helpers import make_concern
from tests.conftest import nb
from tests.relay.helpers import make_relay

from .helpers import form_data, write

pytestmark = pytest.mark.django_db


def test_only_the_coordinator_sets_the_municipalitys_report_settings(world):
    url = reverse("reports:settings")
    for person in [world.teacher, world.leader, world.outsider]:
        assert world.client_for(person).get(url).status_code == 404
        assert world.client_for(person).post(url, {"receiver": "x"}).status_code == 404
    cora = world.client_for(world.coordinator)
    assert cora.get(url).status_code == 200
    response = cora.post(url, {"acute_without_approval": "on", "receiver": "bv-fjordvik",
                               "district_number": "03", "district_name": "Sentrum"})
    assert response.status_code == 302
    with scopes_disabled():
        conf = ReportSettings.objects.get(municipality=world.fjordvik)
    assert conf.acute_without_approval and conf.receiver == "bv-fjordvik"
    assert conf.updated_by == world.coordinator
    # Bad input: a message in bokmål, nothing saved.
    response = cora.post(url, {"receiver": "bv fjordvik/..", "district_number": "3"})
    text = response.content.decode()
    assert response.status_code == 200
    assert nb("Use letters, digits, dots, hyphens and underscores only.") in text
    assert nb("The district number has two digits.") in text
    with scopes_disabled():
        assert ReportSettings.objects.get(municipality=world.fjordvik).receiver == "bv-fjordvik"


def test_a_report_from_a_relay_is_prefilled_from_it(world):
    relay, parents = make_relay(world, holder=world.health_nurse, service=world.health_station,
                                guardians=2)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        relay_actions.add_participant(nurse, relay, service=world.school, task="")
        relay_actions.add_goal(nurse, relay, title="Sover hele natten", indicator="Færre våkne netter.")
    response = world.client_for(world.health_nurse).post(
        reverse("reports:create_from_relay", args=[relay.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        report = ChildWelfareReport.objects.get()
    assert report.relay == relay and report.service == world.health_station
    content = report.content
    assert content["observed"] == "Søvn og trygghet hjemme."
    assert [g["name"] for g in content["guardians"]] == ["Forelder 0", "Forelder 1"]
    assert content["other_services"] == "Bakken skole"
    assert nb("Goal: %(title)s", title="Sover hele natten") in content["history"]
    # Kasper, Cora and Per cannot write one from it.
    for person in [world.colleague, world.coordinator, world.outsider]:
        response = world.client_for(person).post(
            reverse("reports:create_from_relay", args=[relay.pk]))
        assert response.status_code == 404


def test_the_acute_page_offers_an_acute_report(world):
    concern = make_concern(world)
    page = world.client_for(world.teacher).get(reverse("concerns:acute", args=[concern.pk]))
    text = page.content.decode()
    assert reverse("reports:create_from_concern", args=[concern.pk]) in text
    assert 'name="acute" value="1"' in text
    response = world.client_for(world.teacher).post(
        reverse("reports:create_from_concern", args=[concern.pk]), {"acute": "1"})
    with scopes_disabled():
        report = ChildWelfareReport.objects.get()
    assert response.url == reverse("reports:edit", args=[report.pk]) and report.acute


def test_the_edit_form_refuses_bad_input_in_bokmal_and_saves_nothing(world):
    report = write(world, make_concern(world))
    data = form_data(report, reporter_phone="ring meg", child_postcode="99",
                     guardian1_told="no", guardian1_why_not="", child_unborn="on")
    response = world.client_for(world.teacher).post(reverse("reports:edit", args=[report.pk]),
                                                    data)
    text = response.content.decode()
    assert response.status_code == 200
    for message in [
        "Write the phone number with digits only, e.g. 40 00 10 01 or +47 40001001.",
        "A postcode has four digits.",
        "An unborn child has no national identity number: leave it empty.",
    ]:
        assert nb(message) in text
    assert nb("Say why guardian %(n)s has not been told.", n=1) in text
    with scopes_disabled():
        assert ChildWelfareReport.objects.get(pk=report.pk).version == report.version


def test_a_stale_form_is_a_conflict_not_an_overwrite(world):
    report = write(world, make_concern(world))
    data = form_data(report, version=report.version - 1, observed="Overskrevet?")
    response = world.client_for(world.teacher).post(reverse("reports:edit", args=[report.pk]),
                                                    data)
    assert response.status_code == 200
    with scopes_disabled():
        assert ChildWelfareReport.objects.get(pk=report.pk).content["observed"] != "Overskrevet?"
