"""The meeting agenda never shows a raw `{placeholder}` to a person: while the
form is open it says in words what will be filled in, saving fills in the
time, place and participants, and the meeting page fills what it can."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.guides.models import Tool
from stafett.guides.placeholders import BLANK
from stafett.relay import actions
from stafett.relay.models import Meeting, Participant

from .helpers import make_relay

RAW = re.compile(r"\{[a-z][a-z_]*\}")
PENDING = {
    "nb": ("[fylles inn: tidspunktet over]", "[fylles inn: stedet over]",
           "[fylles inn: deltakerne som er invitert over]"),
    "nn": ("[blir fylt inn: tidspunktet over]", "[blir fylt inn: staden over]",
           "[blir fylt inn: deltakarane som er inviterte over]"),
    "en": ("[filled in: the time above]", "[filled in: the place above]",
           "[filled in: the participants invited above]"),
}


@pytest.fixture
def relay(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee, task="Følger opp på skolen")
    return relay


def _client(world, language):
    client = world.client_for(world.health_nurse)
    client.cookies["django_language"] = language
    return client


def _new(relay):
    return reverse("relay_content:meeting_new", args=[relay.pk])


def _agenda_tool(relay, body):
    with scopes_disabled():
        Tool.objects.filter(guide_id=relay.guide_id, key="agenda").update(
            kind=Tool.Kind.MEETING, body=body)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_open_form_shows_words_not_placeholders(world, relay, language):
    """The shipped national guide's agenda (it uses {child}, {meeting_time},
    {meeting_place} and {participants}), and the standard agenda of each kind."""
    client = _client(world, language)
    response = client.get(_new(relay))
    html = response.content.decode()
    assert RAW.findall(html) == []
    agenda = response.context["form"]["agenda"].value()
    assert "Ella Strandvik" in agenda  # the page shows the child; the agenda may too
    time, place, participants = PENDING[language]
    assert time in agenda and place in agenda and participants in agenda

    with scopes_disabled():
        Tool.objects.filter(guide_id=relay.guide_id, kind=Tool.Kind.MEETING).update(
            kind=Tool.Kind.OTHER)
    for kind in Meeting.Kind.values:
        html = client.get(_new(relay) + f"?type={kind}").content.decode()
        assert RAW.findall(html) == [], kind
        assert time in html, kind


def test_saving_fills_in_what_the_form_showed_in_words_even_in_another_language(world, relay):
    _agenda_tool(relay, "## Møte om {child}\n\nTid: {meeting_time}\nSted: {meeting_place}\n"
                        "Deltakere: {participants}\nKommune: {municipality}\n"
                        "Stafettholders tjeneste: {service}\nSkostørrelse: {shoe_size}")
    agenda = _client(world, "nn").get(_new(relay)).context["form"]["agenda"].value()
    assert f"Skostørrelse: {BLANK}" in agenda  # not in the vocabulary: a line to write on
    with scopes_disabled():
        olav = Participant.objects.get(relay=relay, user=world.other_employee)
    starts = (timezone.localtime() + dt.timedelta(days=7)).replace(
        hour=9, minute=30, second=0, microsecond=0)
    # The person switched to bokmål before saving the form shown in nynorsk.
    response = _client(world, "nb").post(_new(relay), {
        "kind": Meeting.Kind.NETWORK, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Bakken skole, møterom 2", "invited": [olav.pk], "agenda": agenda,
    })
    assert response.status_code == 302
    with scopes_disabled():
        saved = Meeting.objects.get(relay=relay).agenda
    assert f"Tid: {starts:%d.%m.%Y} 09:30" in saved
    assert "Sted: Bakken skole, møterom 2" in saved
    assert "Deltakere: Olav Skolesen (Bakken skole)" in saved
    assert "Kommune: Fjordvik kommune" in saved
    assert "Stafettholders tjeneste: Helsestasjonen" in saved
    assert "Møte om Ella Strandvik" in saved
    assert RAW.findall(saved) == [] and "[" not in saved


def test_the_meeting_page_fills_in_an_agenda_written_with_placeholders(world, relay):
    """An agenda that reached the database with placeholders in it (planned by
    the action directly) still shows the values, never the braces."""
    starts = timezone.now() + dt.timedelta(days=3)
    with scope(municipality=world.fjordvik):
        meeting = actions.plan_meeting(
            world.actor(world.health_nurse), relay, kind=Meeting.Kind.PLANNING,
            starts_at=starts, place="Helsestasjonen",
            agenda="Tid: {meeting_time}\nSted: {meeting_place}\nOm {child} i {municipality}",
        )
    for who in (world.health_nurse, world.other_employee):
        client = world.client_for(who)
        html = client.get(reverse("relay_content:meeting", args=[relay.pk, meeting.pk])).content.decode()
        assert RAW.findall(html) == []
        assert timezone.localtime(starts).strftime("%d.%m.%Y %H:%M") in html
        assert "Sted: Helsestasjonen" in html
        assert "Om Ella Strandvik i Fjordvik kommune" in html
