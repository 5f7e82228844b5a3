"""Who is refused the content pages of a relay: 404 (never 403), and nothing
saved — a service the consent does not cover, everyone after the consent is
withdrawn or has expired, a former participant, another municipality, people
with no part in the relay; anonymous visitors are sent to log in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.relay import actions
from stafett.relay.models import (
    Consent,
    Entry,
    Evaluation,
    Goal,
    LevelChange,
    Measure,
    Meeting,
    Participant,
    Relay,
    Withholding,
)

from .helpers import make_relay

# One-click forms answer GET with 405 for anyone, whatever the relay: it tells nothing.
POST_ONLY = ("/oppnadd/",)


def _get(client, url, expected):
    status = client.get(url).status_code
    if url.endswith(POST_ONLY):
        return status in (405, 404 if expected == 404 else 405)
    return status == expected


MODELS = (Goal, Measure, Evaluation, Meeting, Entry, Withholding, LevelChange)


@pytest.fixture
def relay(world):
    """Helga's relay (health station + school covered), Olav from the school
    taking part, with a goal, a measure, a decision meeting and a note."""
    relay, parents = make_relay(world)
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        helga = world.actor(world.health_nurse)
        actions.add_participant(helga, relay, service=world.school, user=world.other_employee)
        goal = actions.add_goal(helga, relay, title="Sove bedre", indicator="Mindre trøtt")
        measure = actions.add_measure(
            helga, relay, what="Kveldsrutine", responsible_service=world.health_station, goal=goal,
            starts_on=today, deadline=today + dt.timedelta(days=10), evaluate_on=today + dt.timedelta(days=20),
        )
        meeting = actions.plan_meeting(helga, relay, kind=Meeting.Kind.EVALUATION_DECISION,
                                       starts_at=timezone.now(), place="Helsestasjonen")
        note = actions.add_entry(helga, relay, kind="note", text="Et notat")
        relay.refresh_from_db()
    relay.goal, relay.measure, relay.meeting, relay.note, relay.parents = goal, measure, meeting, note, parents
    return relay


def _requests(world, relay):
    """Every content page with a POST that would save something."""
    today = timezone.localdate().isoformat()
    url = lambda name, *args: reverse(f"relay_content:{name}", args=[relay.pk, *args])  # noqa: E731
    return [
        (url("goal_new"), {"title": "Nytt mål", "indicator": "x"}),
        (url("goal", relay.goal.pk), {"version": relay.goal.version, "title": "Endret", "indicator": "x"}),
        (url("goal_achieved", relay.goal.pk), {"version": relay.goal.version}),
        (url("measure_new"), {"what": "Nytt", "responsible_service": world.school.pk, "starts_on": today,
                              "deadline": today, "evaluate_on": today}),
        (url("measure", relay.measure.pk), {"version": relay.measure.version, "what": "Endret",
                                            "starts_on": today, "deadline": today, "evaluate_on": today}),
        (url("evaluation_new"), {"measure": relay.measure.pk, "what_happened": "x", "conclusion": "y"}),
        (url("meeting_new"), {"kind": "network", "starts_at": f"{today}T10:00", "place": "Rom",
                              "agenda": "x"}),
        (url("meeting", relay.meeting.pk), None),
        (url("meeting_minutes", relay.meeting.pk), {"step": "minutes", "version": relay.meeting.version,
                                                    "minutes": "Referat"}),
        (url("meeting_minutes", relay.meeting.pk), {"step": "level", "level-to_level": "2",
                                                    "level-reason": "Opp"}),
        (url("entry_new"), {"kind": "note", "text": "Hei"}),
        (url("entry_correct", relay.note.pk), {"text": "Rettet"}),
        (url("entry_withhold", relay.note.pk), {"guardian": relay.parents[0].pk, "reason": "Vold"}),
    ]


def _snapshot(relay):
    with scopes_disabled():
        fresh = Relay.objects.get(pk=relay.pk)
        return (
            tuple(model.objects.count() for model in MODELS),
            fresh.level, fresh.version,
            tuple(Goal.objects.values_list("title", "achieved", "version")),
            tuple(Measure.objects.values_list("what", "version")),
            tuple(Meeting.objects.values_list("minutes", "version")),
        )


def _assert_refused(world, relay, client):
    before = _snapshot(relay)
    for url, data in _requests(world, relay):
        assert _get(client, url, 404), url
        if data is not None:
            assert client.post(url, data).status_code == 404, url
    assert _snapshot(relay) == before


def test_the_holder_and_a_covered_participant_reach_every_page(world, relay):
    for user in (world.health_nurse, world.other_employee):
        client = world.client_for(user)
        for url, _ in _requests(world, relay):
            # Withholding is the holder's; correcting is the author's (Helga wrote the note).
            holders_own = "hold-tilbake" in url or "rett" in url
            expected = 404 if holders_own and user != world.health_nurse else 200
            assert _get(client, url, expected), (user, url)


@pytest.mark.parametrize("who", ["teacher", "leader", "colleague", "coordinator", "outsider", "operator"])
def test_people_without_a_part_in_the_relay_are_refused(world, relay, who):
    _assert_refused(world, relay, world.client_for(getattr(world, who)))


def test_a_participant_of_a_service_the_consent_does_not_cover_is_refused(world, relay):
    # Kari's kindergarten is on the relay (say, from before a narrower consent), but no
    # consent in force covers it: she sees nothing.
    with scopes_disabled():
        Participant.objects.create(municipality=world.fjordvik, relay=relay, service=world.kindergarten,
                                   user=world.teacher, joined_at=timezone.now())
    _assert_refused(world, relay, world.client_for(world.teacher))


def test_after_the_consent_is_withdrawn_the_participant_is_refused(world, relay):
    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(world.actor(world.health_nurse), relay, reason="Foreldrene trakk samtykket.")
    _assert_refused(world, relay, world.client_for(world.other_employee))
    _assert_refused(world, relay, world.client_for(world.other_leader))


def test_after_the_consent_expires_the_participant_is_refused(world, relay):
    with scopes_disabled():
        Consent.objects.filter(relay=relay).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    _assert_refused(world, relay, world.client_for(world.other_employee))


def test_a_former_participant_is_refused(world, relay):
    with scope(municipality=world.fjordvik):
        olav = Participant.objects.get(relay=relay, user=world.other_employee)
        actions.remove_participant(world.actor(world.health_nurse), olav)
    _assert_refused(world, relay, world.client_for(world.other_employee))


def test_a_participant_is_refused_the_holders_actions(world, relay):
    """Olav may write content, but not withhold entries, change the level, or
    correct someone else's entry."""
    client = world.client_for(world.other_employee)
    before = _snapshot(relay)
    withhold = reverse("relay_content:entry_withhold", args=[relay.pk, relay.note.pk])
    correct = reverse("relay_content:entry_correct", args=[relay.pk, relay.note.pk])
    minutes = reverse("relay_content:meeting_minutes", args=[relay.pk, relay.meeting.pk])
    assert client.get(withhold).status_code == 404
    assert client.post(withhold, {"guardian": relay.parents[0].pk, "reason": "Vold"}).status_code == 404
    assert client.get(correct).status_code == 404
    assert client.post(correct, {"text": "Rettet"}).status_code == 404
    assert client.post(minutes, {"step": "level", "level-to_level": "2", "level-reason": "Opp"}).status_code == 404
    assert _snapshot(relay) == before


def test_anonymous_is_sent_to_login(world, relay):
    before = _snapshot(relay)
    client = world.client_for(world.health_nurse).__class__()
    for url, data in _requests(world, relay):
        for response in (client.get(url), client.post(url, data or {})):
            assert response.status_code == 302, url
            assert reverse("accounts:login") in response["Location"]
    assert _snapshot(relay) == before


def test_objects_of_another_relay_are_not_found_through_this_one(world, relay):
    """Helga holds two relays; a goal, measure, meeting or entry of one is 404
    under the other's address."""
    other, _ = make_relay(world, name="Noah Berg")
    client = world.client_for(world.health_nurse)
    before = _snapshot(relay)
    for url, data in _requests(world, relay):
        if url.endswith("/ny/"):  # pages without a sub-object
            continue
        moved = url.replace(f"/stafettlogg/{relay.pk}/", f"/stafettlogg/{other.pk}/", 1)
        assert _get(client, moved, 404), moved
        if data is not None:
            assert client.post(moved, data).status_code == 404, moved
    assert _snapshot(relay) == before


def test_another_relays_objects_cannot_be_linked_in_a_form(world, relay):
    other, _ = make_relay(world, name="Noah Berg")
    with scope(municipality=world.fjordvik):
        foreign_goal = actions.add_goal(world.actor(world.health_nurse), other, title="Annet", indicator="x")
    client = world.client_for(world.health_nurse)
    today = timezone.localdate().isoformat()
    response = client.post(reverse("relay_content:evaluation_new", args=[relay.pk]), {
        "goal": foreign_goal.pk, "what_happened": "x", "conclusion": "y"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("relay_content:measure_new", args=[relay.pk]), {
        "what": "x", "responsible_service": world.health_station.pk, "goal": foreign_goal.pk,
        "starts_on": today, "deadline": today, "evaluate_on": today})
    assert response.status_code == 200 and response.context["form"].errors
    with scopes_disabled():
        assert not Evaluation.objects.exists()
        assert not Measure.objects.filter(goal=foreign_goal).exists()


def test_a_closed_relay_takes_no_more_content(world, relay):
    with scope(municipality=world.fjordvik):
        actions.close_relay(world.actor(world.health_nurse), relay, version=relay.version,
                            reason="goal_reached", summary="Det går bra nå.")
    client = world.client_for(world.health_nurse)
    before = _snapshot(relay)
    for url, data in _requests(world, relay):
        if data is None:  # reading a meeting stays possible
            assert client.get(url).status_code == 200, url
            continue
        assert _get(client, url, 404), url
        assert client.post(url, data).status_code == 404, url
    assert _snapshot(relay) == before
