"""The content of the stafettlogg through its pages: goals, measures,
evaluations, meetings with agenda, minutes and level change, notes and bright
spots, corrections and withholdings — for the holder and a covered participant."""

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.guides.models import Tool
from stafett.relay import actions
from stafett.relay.models import (
    Entry,
    Evaluation,
    Goal,
    LevelChange,
    Measure,
    Meeting,
    Participant,
    Withholding,
)
from stafett.relay.views import label_entries

from .helpers import make_relay

HOLDER_AND_PARTICIPANT = ["health_nurse", "other_employee"]


def _client(world, user):
    client = world.client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _url(name, relay, *args):
    return reverse(f"relay_content:{name}", args=[relay.pk, *args])


@pytest.fixture
def relay(world):
    """A relay held by Helga (health station), the consent covering the
    health station and the school, and Olav from the school taking part."""
    relay, parents = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee, task="Følger opp på skolen")
    relay.parents = parents
    return relay


def _as(world, user):
    return world.actor(user)


def _goal(world, relay, title="Ella sovner før klokka ni"):
    with scope(municipality=world.fjordvik):
        return actions.add_goal(_as(world, world.health_nurse), relay, title=title,
                                indicator="Mindre trøtt om morgenen")


def _measure(world, relay, goal=None, what="Fast kveldsrutine"):
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        return actions.add_measure(
            _as(world, world.health_nurse), relay, what=what, responsible_service=world.health_station,
            goal=goal, starts_on=today, deadline=today + dt.timedelta(days=30),
            evaluate_on=today + dt.timedelta(days=40),
        )


def _meeting(world, relay, kind=Meeting.Kind.EVALUATION_DECISION):
    with scope(municipality=world.fjordvik):
        return actions.plan_meeting(
            _as(world, world.health_nurse), relay, kind=kind, place="Helsestasjonen",
            starts_at=timezone.now() + dt.timedelta(days=3),
        )


def _count(model, **filters):
    with scopes_disabled():
        return model.objects.filter(**filters).count()


# --- goals -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_add_and_edit_a_goal(world, relay, who):
    user = getattr(world, who)
    client = _client(world, user)
    assert client.get(_url("goal_new", relay)).status_code == 200
    response = client.post(_url("goal_new", relay), {"title": "Trygg på skolen", "indicator": "Går glad inn"})
    assert response.status_code == 302
    with scopes_disabled():
        goal = Goal.objects.get(relay=relay, title="Trygg på skolen")
        assert goal.created_by == user
        assert Entry.objects.filter(relay=relay, kind=Entry.Kind.GOAL, goal=goal, author=user).exists()
    assert client.get(_url("goal", relay, goal.pk)).status_code == 200
    response = client.post(_url("goal", relay, goal.pk), {
        "version": goal.version, "title": "Trygg i friminuttene", "indicator": "Leker med andre",
        "achieved": "on",
    })
    assert response.status_code == 302
    with scopes_disabled():
        goal.refresh_from_db()
    assert (goal.title, goal.achieved, goal.version) == ("Trygg i friminuttene", True, 2)


def test_goal_needs_both_fields(world, relay):
    response = _client(world, world.health_nurse).post(_url("goal_new", relay), {"title": "", "indicator": ""})
    assert response.status_code == 200
    assert "Write what should be better." in response.content.decode()
    assert _count(Goal, relay=relay) == 0


def test_stale_goal_version_is_a_conflict_and_keeps_the_users_text(world, relay):
    goal = _goal(world, relay)
    helga, olav = _client(world, world.health_nurse), _client(world, world.other_employee)
    opened = goal.version
    assert helga.post(_url("goal", relay, goal.pk), {
        "version": opened, "title": "Helgas versjon", "indicator": "A"}).status_code == 302
    response = olav.post(_url("goal", relay, goal.pk), {
        "version": opened, "title": "Olavs versjon", "indicator": "B"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this" in page
    assert "Olavs versjon" in page and "Helgas versjon" in page  # his text, and what is saved now
    form = response.context["form"]
    assert form["version"].value() == str(opened + 1) and form["title"].value() == "Olavs versjon"
    with scopes_disabled():
        goal.refresh_from_db()
    assert goal.title == "Helgas versjon"  # no lost update
    # Saving again, deliberately, on top of what is saved now works.
    assert olav.post(_url("goal", relay, goal.pk), {
        "version": goal.version, "title": "Olavs versjon", "indicator": "B"}).status_code == 302
    with scopes_disabled():
        goal.refresh_from_db()
    assert goal.title == "Olavs versjon"


def test_mark_goal_achieved_in_one_click(world, relay):
    goal = _goal(world, relay)
    client = _client(world, world.other_employee)
    assert client.post(_url("goal_achieved", relay, goal.pk), {"version": goal.version}).status_code == 302
    with scopes_disabled():
        goal.refresh_from_db()
    assert goal.achieved and goal.title == "Ella sovner før klokka ni"
    # A stale click changes nothing more and says so.
    response = client.post(_url("goal_achieved", relay, goal.pk), {"version": 1}, follow=True)
    assert "Someone else changed this goal" in response.content.decode()
    with scopes_disabled():
        goal.refresh_from_db()
    assert goal.version == 2


# --- measures ------------------------------------------------------------------------------


def _measure_post(world, **extra):
    today = timezone.localdate()
    return {
        "what": "Samtale med skolehelsetjenesten hver uke",
        "responsible_service": world.school.pk,
        "responsible_person": "",
        "goal": "",
        "starts_on": today.isoformat(),
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
        "evaluate_on": (today + dt.timedelta(days=45)).isoformat(),
    } | extra


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_add_a_measure_with_a_responsible_person_and_goal(world, relay, who):
    goal = _goal(world, relay)
    with scopes_disabled():
        olav_membership = world.other_employee.memberships.get(service=world.school)
    client = _client(world, getattr(world, who))
    page = client.get(_url("measure_new", relay)).content.decode()
    assert world.school.name in page and world.kindergarten.name not in page  # only covered services
    response = client.post(_url("measure_new", relay), _measure_post(
        world, responsible_person=str(olav_membership.pk), goal=str(goal.pk)))
    assert response.status_code == 302
    with scopes_disabled():
        measure = Measure.objects.get(relay=relay)
        assert (measure.responsible_service, measure.responsible_user, measure.goal) == (
            world.school, world.other_employee, goal)
        assert Entry.objects.filter(relay=relay, kind=Entry.Kind.MEASURE, measure=measure).exists()


def test_measure_refuses_an_uncovered_service_a_person_elsewhere_and_bad_dates(world, relay):
    client = _client(world, world.health_nurse)
    with scopes_disabled():
        kari = world.teacher.memberships.get(service=world.kindergarten)
        olav = world.other_employee.memberships.get(service=world.school)
    for data in (
        _measure_post(world, responsible_service=world.kindergarten.pk),  # not covered
        _measure_post(world, responsible_person=str(kari.pk)),  # not in a covered service
        _measure_post(world, responsible_service=world.health_station.pk, responsible_person=str(olav.pk)),
        _measure_post(world, deadline="2000-01-01"),
    ):
        response = client.post(_url("measure_new", relay), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert _count(Measure, relay=relay) == 0


def test_stale_measure_version_is_a_conflict(world, relay):
    measure = _measure(world, relay)
    helga, olav = _client(world, world.health_nurse), _client(world, world.other_employee)
    data = {"version": measure.version, "starts_on": measure.starts_on.isoformat(),
            "deadline": measure.deadline.isoformat(), "evaluate_on": measure.evaluate_on.isoformat()}
    assert helga.get(_url("measure", relay, measure.pk)).status_code == 200
    assert helga.post(_url("measure", relay, measure.pk), data | {"what": "Helgas tiltak"}).status_code == 302
    response = olav.post(_url("measure", relay, measure.pk), data | {"what": "Olavs tiltak"})
    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    assert response.context["form"]["what"].value() == "Olavs tiltak"
    with scopes_disabled():
        measure.refresh_from_db()
    assert (measure.what, measure.version) == ("Helgas tiltak", 2)


# --- evaluations ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_evaluate_a_measure_at_a_meeting(world, relay, who):
    goal = _goal(world, relay)
    measure = _measure(world, relay, goal=goal)
    meeting = _meeting(world, relay, Meeting.Kind.EVALUATION_DISCUSSION)
    client = _client(world, getattr(world, who))
    page = client.get(_url("evaluation_new", relay) + f"?tiltak={measure.pk}&mote={meeting.pk}")
    assert page.context["form"]["measure"].value() == str(measure.pk)
    response = client.post(_url("evaluation_new", relay), {
        "measure": measure.pk, "goal": goal.pk, "meeting": meeting.pk,
        "what_happened": "Rutinen ble fulgt fire av fem kvelder.",
        "child_view": "Liker lesestunden.", "parents_view": "Roligere kvelder.",
        "professionals_view": "Mer opplagt i timene.", "conclusion": "Fortsetter en måned til.",
    })
    assert response.status_code == 302
    with scopes_disabled():
        evaluation = Evaluation.objects.get(relay=relay)
        assert (evaluation.measure, evaluation.goal, evaluation.meeting) == (measure, goal, meeting)
        assert evaluation.child_view == "Liker lesestunden."
        assert Entry.objects.filter(kind=Entry.Kind.EVALUATION, evaluation=evaluation).exists()
    assert client.get(_url("measure", relay, measure.pk)).status_code == 200


def test_evaluation_needs_a_measure_or_a_goal(world, relay):
    response = _client(world, world.health_nurse).post(_url("evaluation_new", relay), {
        "what_happened": "Noe", "conclusion": "Noe"})
    assert response.status_code == 200
    assert "Choose the measure or the goal" in response.content.decode()
    assert _count(Evaluation, relay=relay) == 0


# --- meetings ------------------------------------------------------------------------------


def test_agenda_is_filled_from_the_guides_meeting_template(world, relay):
    with scopes_disabled():
        # The national guide's "agenda" tool, given its text and kind by the coordinator;
        # another meeting template exists too, but "agenda" is preferred.
        Tool.objects.filter(guide_id=relay.guide_id, key="referat").update(
            kind=Tool.Kind.MEETING, body="Referat for {child}")
        Tool.objects.filter(guide_id=relay.guide_id, key="agenda").update(
            kind=Tool.Kind.MEETING,
            body="## Møte om {child}\n\nTid: {meeting_time}\nSted: {meeting_place}\n"
                 "Deltakere: {participants}\n\n- Velkommen ({service}, {municipality})",
        )
    client = _client(world, world.health_nurse)
    page = client.get(_url("meeting_new", relay))
    agenda = page.context["form"]["agenda"].value()
    assert "Møte om Ella Strandvik" in agenda and "Helsestasjonen, Fjordvik kommune" in agenda
    # The time is not known until saving: the form says so in words, never "{meeting_time}".
    assert "Tid: [filled in: the time above]" in agenda and "{meeting_time}" not in agenda
    with scopes_disabled():
        olav = Participant.objects.get(relay=relay, user=world.other_employee)
    starts = (timezone.localtime() + dt.timedelta(days=7)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = client.post(_url("meeting_new", relay), {
        "kind": Meeting.Kind.NETWORK, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Bakken skole, møterom 2", "invited": [olav.pk], "agenda": agenda,
    })
    assert response.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get(relay=relay)
        assert list(meeting.invited.all()) == [olav]
    assert f"Tid: {starts:%d.%m.%Y} 09:30" in meeting.agenda
    assert "Sted: Bakken skole, møterom 2" in meeting.agenda
    assert "Deltakere: Olav Skolesen (Bakken skole)" in meeting.agenda
    page = client.get(_url("meeting", relay, meeting.pk))
    assert page.status_code == 200 and "Møte om Ella Strandvik" in page.content.decode()


def test_the_shipped_guide_has_a_meeting_template(world, relay):
    """The national guide's own "agenda" tool fills the form (whatever its wording)."""
    with scopes_disabled():
        body = Tool.objects.get(guide_id=relay.guide_id, key="agenda").body
    if not body:
        pytest.skip("the shipped guide has no agenda text yet")
    agenda = _client(world, world.health_nurse).get(_url("meeting_new", relay)).context["form"]["agenda"].value()
    assert agenda.splitlines()[0] == body.splitlines()[0].replace("{child}", "Ella Strandvik")


def test_without_a_template_the_agenda_is_the_standard_one_for_the_kind(world, relay):
    with scopes_disabled():
        Tool.objects.filter(guide_id=relay.guide_id, kind=Tool.Kind.MEETING).update(kind=Tool.Kind.OTHER)
    client = _client(world, world.other_employee)
    page = client.get(_url("meeting_new", relay) + "?type=evaluation_decision")
    assert "Decision: close, continue, or move up or down a level" in page.context["form"]["agenda"].value()
    starts = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(_url("meeting_new", relay), {
        "kind": Meeting.Kind.BTI_TEAM, "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Rådhuset", "agenda": ""})
    assert response.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get(relay=relay)
    assert meeting.created_by == world.other_employee
    assert "Coordinated measures" in meeting.agenda and "Place: Rådhuset" in meeting.agenda


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_minutes_become_the_log_entry(world, relay, who):
    meeting = _meeting(world, relay, Meeting.Kind.NETWORK)
    client = _client(world, getattr(world, who))
    with scopes_disabled():
        olav = Participant.objects.get(relay=relay, user=world.other_employee)
    page = client.get(_url("meeting_minutes", relay, meeting.pk))
    assert page.status_code == 200 and page.context["level_form"] is None
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "minutes", "version": meeting.version, "present": [olav.pk],
        "guardians_present": [relay.parents[0].pk], "child_present": "on",
        "minutes": "Vi snakket om søvn.", "decisions": "Ny rutine fra mandag.",
    })
    assert response.status_code == 302
    with scopes_disabled():
        meeting.refresh_from_db()
        assert list(meeting.present.all()) == [olav]
        assert list(meeting.guardians_present.all()) == [relay.parents[0]]
        entry = Entry.objects.filter(meeting=meeting).first()
    assert meeting.child_present and meeting.minutes_recorded_at
    assert entry.text == "Vi snakket om søvn.\n\nNy rutine fra mandag."
    # A stale version is a conflict; the text stays in the form.
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "minutes", "version": 1, "minutes": "Eldre utkast"})
    assert response.status_code == 200 and "Someone else changed this" in response.content.decode()
    assert response.context["form"]["minutes"].value() == "Eldre utkast"


def test_level_change_at_an_evaluation_decision_meeting(world, relay):
    meeting = _meeting(world, relay, Meeting.Kind.EVALUATION_DECISION)
    client = _client(world, world.health_nurse)
    page = client.get(_url("meeting_minutes", relay, meeting.pk))
    assert page.context["level_form"] is not None
    assert "Check that the consent covers them" in page.content.decode()
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "level", "level-to_level": "2", "level-reason": "Trenger skolen med."})
    assert response.status_code == 302
    with scopes_disabled():
        relay.refresh_from_db()
        assert relay.level == 2
        assert LevelChange.objects.get(relay=relay).reason == "Trenger skolen med."
    # Moving down again releases the school; the holder's own service stays.
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "level", "level-to_level": "1", "level-reason": "Går bedre nå.",
        "level-release_services": [world.school.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        relay.refresh_from_db()
        assert relay.level == 1
        assert Participant.objects.get(relay=relay, user=world.other_employee).left_at is not None
        assert Participant.objects.get(relay=relay, user=world.health_nurse).left_at is None


def test_level_change_needs_a_reason_and_another_level(world, relay):
    meeting = _meeting(world, relay)
    client = _client(world, world.health_nurse)
    for data in ({"level-to_level": "2", "level-reason": ""}, {"level-to_level": "1", "level-reason": "x"}):
        response = client.post(_url("meeting_minutes", relay, meeting.pk), {"step": "level", **data})
        assert response.status_code == 200 and response.context["level_form"].errors
    assert _count(LevelChange, relay=relay) == 0


@pytest.mark.parametrize("kind", [k for k in Meeting.Kind.values if k != Meeting.Kind.EVALUATION_DECISION])
def test_level_change_only_at_an_evaluation_decision_meeting(world, relay, kind):
    meeting = _meeting(world, relay, kind)
    client = _client(world, world.health_nurse)
    assert client.get(_url("meeting_minutes", relay, meeting.pk)).context["level_form"] is None
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "level", "level-to_level": "2", "level-reason": "Opp"})
    assert response.status_code == 404
    with scopes_disabled():
        relay.refresh_from_db()
    assert relay.level == 1 and _count(LevelChange, relay=relay) == 0


def test_a_participant_records_minutes_but_does_not_change_the_level(world, relay):
    meeting = _meeting(world, relay)
    client = _client(world, world.other_employee)
    assert client.get(_url("meeting_minutes", relay, meeting.pk)).context["level_form"] is None
    response = client.post(_url("meeting_minutes", relay, meeting.pk), {
        "step": "level", "level-to_level": "2", "level-reason": "Opp"})
    assert response.status_code == 404
    assert _count(LevelChange, relay=relay) == 0


# --- notes, bright spots, corrections, withholdings ------------------------------------------


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_note_and_bright_spot(world, relay, who):
    user = getattr(world, who)
    client = _client(world, user)
    page = client.get(_url("entry_new", relay) + "?type=lysglimt")
    assert page.context["form"]["kind"].value() == Entry.Kind.BRIGHT_SPOT
    assert client.post(_url("entry_new", relay), {"kind": "bright_spot", "text": "Ella lo hele dagen."}).status_code == 302
    assert client.post(_url("entry_new", relay), {"kind": "note", "text": "Ringte mor."}).status_code == 302
    with scopes_disabled():
        kinds = set(Entry.objects.filter(relay=relay, author=user, kind__in=["note", "bright_spot"])
                    .values_list("kind", "text"))
    assert kinds == {("bright_spot", "Ella lo hele dagen."), ("note", "Ringte mor.")}
    # Other kinds cannot be forged through this form.
    response = client.post(_url("entry_new", relay), {"kind": "closing", "text": "Avsluttet"})
    assert response.status_code == 200
    assert _count(Entry, relay=relay, kind="closing") == 0


def _note(world, relay, user, text="Ella virket sliten."):
    with scope(municipality=world.fjordvik):
        return actions.add_entry(world.actor(user), relay, kind="note", text=text)


@pytest.mark.parametrize("who", HOLDER_AND_PARTICIPANT)
def test_the_author_corrects_and_the_earlier_wording_stays(world, relay, who):
    user = getattr(world, who)
    note = _note(world, relay, user)
    client = _client(world, user)
    page = client.get(_url("entry_correct", relay, note.pk))
    assert page.status_code == 200 and page.context["form"]["text"].value() == "Ella virket sliten."
    assert client.post(_url("entry_correct", relay, note.pk), {"text": "Ella virket uopplagt."}).status_code == 302
    with scopes_disabled():
        assert Entry.objects.get(pk=note.pk).text == "Ella virket sliten."  # kept, not deleted
        correction = Entry.objects.get(corrects=note)
    assert correction.text == "Ella virket uopplagt." and correction.author == user
    # The corrected entry offers the newest version instead of a second correction.
    page = client.get(_url("entry_correct", relay, note.pk))
    assert page.context["newer"] == correction and "Correct the newest version" in page.content.decode()
    assert client.post(_url("entry_correct", relay, note.pk), {"text": "Igjen"}).status_code == 200
    assert _count(Entry, corrects=note) == 1
    page = client.get(_url("entry_correct", relay, correction.pk))
    assert "Ella virket sliten." in page.content.decode()  # the earlier wording is shown


def test_only_the_author_corrects(world, relay):
    note = _note(world, relay, world.health_nurse)
    client = _client(world, world.other_employee)
    assert client.get(_url("entry_correct", relay, note.pk)).status_code == 404
    assert client.post(_url("entry_correct", relay, note.pk), {"text": "Endret"}).status_code == 404
    assert _count(Entry, corrects=note) == 0


def test_decisions_are_not_reworded(world, relay):
    with scopes_disabled():
        consent_entry = Entry.objects.filter(relay=relay, kind=Entry.Kind.CONSENT).first()
    assert _client(world, world.health_nurse).get(
        _url("entry_correct", relay, consent_entry.pk)).status_code == 404


def test_the_holder_withholds_an_entry_from_one_guardian(world):
    relay, parents = make_relay(world, guardians=2)
    note = _note(world, relay, world.health_nurse, "Mistanke om vold fra far.")
    client = _client(world, world.health_nurse)
    page = client.get(_url("entry_withhold", relay, note.pk))
    assert page.status_code == 200
    response = client.post(_url("entry_withhold", relay, note.pk), {
        "guardian": parents[1].pk, "reason": "Mistanke om vold fra denne forelderen."})
    assert response.status_code == 302
    with scopes_disabled():
        withholding = Withholding.objects.get(entry=note)
    assert (withholding.guardian, withholding.decided_by) == (parents[1], world.health_nurse)
    assert withholding.reason == "Mistanke om vold fra denne forelderen."
    # The same guardian is not offered again; a forged repeat is refused, not a crash.
    page = client.get(_url("entry_withhold", relay, note.pk))
    assert list(page.context["form"].fields["guardian"].queryset) == [parents[0]]
    response = client.post(_url("entry_withhold", relay, note.pk), {"guardian": parents[1].pk, "reason": "x"})
    assert response.status_code == 200 and response.context["form"].errors
    # A reason is required.
    response = client.post(_url("entry_withhold", relay, note.pk), {"guardian": parents[0].pk, "reason": " "})
    assert response.status_code == 200
    assert _count(Withholding, entry=note) == 1


# --- the partials the overview includes ------------------------------------------------------


def _content_links(relay, allowed):
    return Template("{% load relay_page %}{% content_links relay allowed %}").render(
        Context({"relay": relay, "allowed": allowed}))


def test_content_links_follow_what_the_viewer_may_do(world, relay):
    holder = _content_links(relay, {"content", "meeting"})
    for name in ("goal_new", "measure_new", "evaluation_new", "meeting_new", "entry_new"):
        assert _url(name, relay) in holder
    assert "?type=lysglimt" in holder
    meetings_only = _content_links(relay, {"view", "meeting"})
    assert _url("meeting_new", relay) in meetings_only and _url("goal_new", relay) not in meetings_only
    assert _content_links(relay, {"view"}) == ""


def _actions(note, allowed, user):
    return Template("{% load entries %}{% timeline_entries entries True allowed user %}").render(
        Context({"entries": [note], "allowed": allowed, "user": user}))


def test_entry_actions_correct_for_the_author_and_withhold_for_the_holder(world, relay):
    note = _note(world, relay, world.other_employee)
    correct, withhold = _url("entry_correct", relay, note.pk), _url("entry_withhold", relay, note.pk)
    label_entries([note], relay)
    olav = _actions(note, {"view", "content"}, world.other_employee)
    assert correct in olav and withhold not in olav
    helga = _actions(note, {"view", "content", "withhold"}, world.health_nurse)
    assert correct not in helga and withhold in helga
    assert correct not in _actions(note, {"view"}, world.other_employee)  # may not change the content
    note.is_corrected = True
    assert correct not in _actions(note, {"content"}, world.other_employee)


# --- audit and query budget -----------------------------------------------------------------


def _pages(world, relay):
    goal = Goal.objects.filter(relay=relay).first()
    measure = Measure.objects.filter(relay=relay).first()
    meeting = Meeting.objects.filter(relay=relay).first()
    entry = Entry.objects.filter(relay=relay, kind="note", author=world.health_nurse).first()
    return [
        _url("goal_new", relay), _url("goal", relay, goal.pk),
        _url("measure_new", relay), _url("measure", relay, measure.pk),
        _url("evaluation_new", relay), _url("meeting_new", relay),
        _url("meeting", relay, meeting.pk), _url("meeting_minutes", relay, meeting.pk),
        _url("entry_new", relay), _url("entry_correct", relay, entry.pk),
        _url("entry_withhold", relay, entry.pk),
    ]


def _content(world, relay):
    goal = _goal(world, relay)
    _measure(world, relay, goal=goal)
    _meeting(world, relay)
    _note(world, relay, world.health_nurse)


def test_every_page_writes_exactly_one_read_event(world, relay):
    _content(world, relay)
    client = _client(world, world.health_nurse)
    with scopes_disabled():
        urls = _pages(world, relay)
    for url in urls:
        before = _count(AuditEvent, object_id=relay.pk)
        assert client.get(url).status_code == 200, url
        with scopes_disabled():
            events = list(AuditEvent.objects.filter(object_id=relay.pk).order_by("-id")[:1])
        assert _count(AuditEvent, object_id=relay.pk) == before + 1, url
        assert events[0].action.startswith("read"), url


def _bulk(world, relay, n, start):
    today = timezone.localdate()
    now = timezone.now()
    with scopes_disabled():
        goals = Goal.objects.bulk_create([
            Goal(municipality=world.fjordvik, relay=relay, title=f"Mål {i}", indicator="x",
                 created_by=world.health_nurse, created_at=now) for i in range(start, start + n)])
        Measure.objects.bulk_create([
            Measure(municipality=world.fjordvik, relay=relay, goal=goal, what=f"Tiltak {i}",
                    responsible_service=world.school, starts_on=today, deadline=today,
                    evaluate_on=today, created_by=world.health_nurse, created_at=now)
            for i, goal in enumerate(goals, start)])
        meetings = Meeting.objects.bulk_create([
            Meeting(municipality=world.fjordvik, relay=relay, kind=Meeting.Kind.NETWORK, starts_at=now,
                    place="Rom", created_by=world.health_nurse, created_at=now) for _ in range(n)])
        Evaluation.objects.bulk_create([
            Evaluation(municipality=world.fjordvik, relay=relay, goal=goals[0], meeting=meetings[0],
                       measure=Measure.objects.filter(relay=relay).first(),
                       what_happened="x", conclusion="y", created_by=world.health_nurse, created_at=now)
            for _ in range(n)])


def test_content_pages_make_a_bounded_number_of_queries(world, relay):
    _content(world, relay)
    client = _client(world, world.health_nurse)
    with scopes_disabled():
        urls = _pages(world, relay)

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            result.append(len(queries))
        return result

    _bulk(world, relay, 5, 0)
    small = counts()
    _bulk(world, relay, 95, 5)
    assert counts() == small
