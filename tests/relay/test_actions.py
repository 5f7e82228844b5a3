import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from stafett.access.rules import Forbidden
from stafett.concerns import actions as concern_actions
from stafett.relay import actions
from stafett.relay.models import Entry, Relay
from tests.concerns.helpers import make_concern

from .helpers import make_relay

# Action messages are checked in their English source form.
pytestmark = pytest.mark.usefixtures("english")


def test_start_from_a_level0_decision_carries_the_worry_over(world):
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = concern_actions.decide(actor, concern, version=concern.version, outcome="level1",
                                         reason="Følges opp i barnehagen.")
        relay = actions.start_relay(actor, concern=concern, service=world.kindergarten, level=1,
                                    area_of_concern=concern.observations)
        assert relay.child_id == concern.child_id and relay.holder == world.teacher
        assert relay.participants.get().user == world.teacher
        with pytest.raises(ValidationError):
            actions.start_relay(actor, concern=concern, service=world.kindergarten, level=1,
                                area_of_concern="igjen")


def test_kindergarten_cannot_start_directly(world):
    with scope(municipality=world.fjordvik), pytest.raises(ValidationError):
        actions.start_relay(world.actor(world.teacher), service=world.kindergarten, level=1,
                            area_of_concern="x",
                            child={"name": "A", "birth_date": dt.date(2020, 1, 1),
                                   "expected_date": None, "national_id": ""})


def test_consent_needs_every_guardian_and_the_child_from_the_age(world):
    relay, parents = make_relay(world, consent_services=[], guardians=2)
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        kwargs = dict(child_consents=False, services=[world.health_station], purpose="Samarbeid",
                      given_on=today, valid_until=today + dt.timedelta(days=200), method="digital")
        with pytest.raises(ValidationError, match="Every guardian"):
            actions.give_consent(actor, relay, guardians=parents[:1], **kwargs)
        with pytest.raises(ValidationError, match="scanned form"):
            actions.give_consent(actor, relay, guardians=parents, **(kwargs | {"method": "scan"}))
        with pytest.raises(ValidationError, match="holder's own service"):
            actions.give_consent(actor, relay, guardians=parents, **(kwargs | {"services": [world.school]}))
        # A 15-year-old must consent too (the municipality's default age).
        relay.child.birth_date = today.replace(year=today.year - 15) - dt.timedelta(days=1)
        relay.child.save()
        relay = Relay.objects.get(pk=relay.pk)
        with pytest.raises(ValidationError, match="old enough"):
            actions.give_consent(actor, relay, guardians=parents, **kwargs)
        consent = actions.give_consent(actor, relay, guardians=parents, **(kwargs | {"child_consents": True}))
        assert consent.parties.count() == 3


def test_handover_is_a_request_the_new_holder_accepts(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        handover = actions.request_handover(nurse, relay, to_user=world.other_employee,
                                            to_service=world.school, note="Skolen følger opp videre.")
        relay.refresh_from_db()
        assert relay.holder == world.health_nurse  # keeps the baton until accepted
        with pytest.raises(Forbidden):
            actions.respond_to_handover(world.actor(world.other_leader), handover, accept=True)
        actions.respond_to_handover(world.actor(world.other_employee), handover, accept=True)
        relay.refresh_from_db()
        assert relay.holder == world.other_employee and relay.holder_service == world.school
        assert relay.entries.filter(kind="handover").count() == 2


def test_level_change_only_at_an_evaluation_decision(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        planning = actions.plan_meeting(actor, relay, kind="planning", starts_at=timezone.now(), place="Helsestasjonen")
        with pytest.raises(ValidationError):
            actions.change_level(actor, relay, meeting=planning, to_level=2, reason="Trenger skolen")
        decision = actions.plan_meeting(actor, relay, kind="evaluation_decision", starts_at=timezone.now(), place="Skolen")
        actions.change_level(actor, relay, meeting=decision, to_level=2, reason="Trenger skolen")
        relay.refresh_from_db()
        assert relay.level == 2
        assert relay.level_changes.get().from_level == 1


def test_corrections_keep_the_earlier_wording(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        entry = actions.add_entry(actor, relay, kind="note", text="Sov dårlig i hele uka.")
        correction = actions.correct_entry(actor, entry, text="Sov dårlig mandag og tirsdag.")
        assert Entry.objects.filter(pk=entry.pk).exists()
        assert correction.corrects == entry
        with pytest.raises(ValidationError):
            actions.correct_entry(actor, entry, text="igjen")


def test_two_editors_of_one_goal_get_a_conflict(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        goal = actions.add_goal(actor, relay, title="Sover hele natta", indicator="Mor forteller")
        actions.update_goal(actor, goal, version=goal.version, title="Sover bedre", indicator="x", achieved=False)
        with pytest.raises(actions.Conflict):
            actions.update_goal(actor, goal, version=goal.version, title="Tapt", indicator="y", achieved=False)
        goal.refresh_from_db()
        assert goal.title == "Sover bedre"


def test_closing_cancels_pending_handover_and_needs_a_summary(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        actions.request_handover(actor, relay, to_user=world.other_employee, to_service=world.school, note="x")
        relay.refresh_from_db()
        with pytest.raises(ValidationError):
            actions.close_relay(actor, relay, version=relay.version, reason="goal_reached", summary="")
        relay = actions.close_relay(actor, relay, version=relay.version, reason="goal_reached",
                                    summary="Ella sover godt nå.", child_last_word="Bra!")
        assert relay.status == "closed"
        assert not relay.handovers.filter(status="pending").exists()


def test_withholding_covers_every_wording_of_the_entry(world):
    relay, parents = make_relay(world, guardians=2)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        entry = actions.add_entry(actor, relay, kind="note", text="Far var truende i døra.")
        actions.withhold_entry(actor, entry, guardian=parents[1], reason="Mistanke om vold fra far.")
        correction = actions.correct_entry(actor, entry, text="Far var truende i døra i går.")
        assert correction.withholdings.get().guardian == parents[1]
        later = actions.add_entry(actor, relay, kind="note", text="Ny hendelse.")
        actions.correct_entry(actor, later, text="Ny hendelse i dag.")
        actions.withhold_entry(actor, later, guardian=parents[1], reason="Samme grunn.")
        assert Entry.objects.filter(withholdings__guardian=parents[1]).count() == 4


def test_the_apps_own_entries_read_in_each_readers_language(world):
    from django.utils import translation

    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        entry = relay.entries.get(event="relay_started")
        assert entry.text == ""  # no translated sentence is stored
        with translation.override("nb"):
            assert entry.display_text == "Stafettloggen ble startet på nivå 1."
        with translation.override("nn"):
            nynorsk = entry.display_text
        with translation.override("en"):
            assert entry.display_text == "The relay was started on level 1."
        assert nynorsk not in ("", "The relay was started on level 1.")
        consent = relay.entries.get(event="consent_recorded")
        with translation.override("en"):
            assert "valid until" in consent.display_text
        with pytest.raises(ValidationError):
            actions.correct_entry(world.actor(world.health_nurse), entry, text="Omskrevet")
