"""People are told (issue 8, point 5): in the app and by e-mail without
personal data, written in the action's transaction. Who is told of what, and
who is not."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.notify.models import Notice, OutboxMessage
from stafett.relay import actions
from stafett.relay.models import Participant
from stafett.tenancy.models import Membership
from tests.conftest import _user

from .helpers import make_relay


@pytest.fixture
def world(world):
    with scopes_disabled():
        for user in (world.health_nurse, world.other_employee, world.other_leader, world.teacher,
                     world.leader):
            user.email = f"{user.username}@fjordvik.invalid"
            user.save(update_fields=["email"])
    return world


def told(world, user):
    with scope(municipality=world.fjordvik):
        return sorted(Notice.objects.filter(recipient=user).values_list("kind", flat=True))


def helga(world):
    return world.actor(world.health_nurse)


def test_a_handover_tells_the_person_asked_and_then_the_holder(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        handover = actions.request_handover(helga(world), relay, to_user=world.other_employee,
                                            to_service=world.school, note="Ta over.")
    assert told(world, world.other_employee) == ["handover_offered", "participant_added"]
    assert told(world, world.health_nurse) == []  # not told of her own action
    # The link in Olav's list is the page where he answers.
    page = world.client_for(world.other_employee).get(reverse("notify:list")).content.decode()
    assert reverse("relay:respond_to_handover", args=[relay.pk, handover.pk]) in page
    with scope(municipality=world.fjordvik):
        actions.respond_to_handover(world.actor(world.other_employee), handover, accept=False)
    assert told(world, world.health_nurse) == ["handover_declined"]


def test_consent_withdrawn_and_narrowed_tell_those_who_lose_access(world):
    relay, parents = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.add_participant(helga(world), relay, service=world.school, user=world.other_employee)
        today = timezone.localdate()
        actions.give_consent(
            helga(world), relay, guardians=parents, child_consents=False,
            services=[world.health_station], purpose="Bare helsestasjonen.", given_on=today,
            valid_until=today + dt.timedelta(days=100), method="digital",
        )
    # Olav (named) and Lise (the school's leader) lose access and are told; Kari is not involved.
    assert "consent_narrowed" in told(world, world.other_employee)
    assert told(world, world.other_leader) == ["consent_narrowed"]
    assert told(world, world.teacher) == []

    relay2, _ = make_relay(world, name="Noah Fjellheim")
    with scope(municipality=world.fjordvik):
        actions.add_participant(helga(world), relay2, service=world.school)
        actions.withdraw_consent(helga(world), relay2, reason="Familien trekker samtykket.")
    assert told(world, world.other_leader).count("consent_withdrawn") == 1


def test_a_meeting_invitation_and_an_appointment(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        olav = actions.add_participant(helga(world), relay, service=world.school,
                                       user=world.other_employee)
        holder = Participant.objects.get(relay=relay, user=world.health_nurse)
        actions.plan_meeting(helga(world), relay, kind="planning", place="Skolen",
                             starts_at=timezone.now() + dt.timedelta(days=3), invited=[olav, holder])
    assert told(world, world.other_employee).count("meeting_invited") == 1
    assert "meeting_invited" not in told(world, world.health_nurse)

    with scopes_disabled():
        hilde = _user("hilde", "Hilde", "Helsesøstersen", email="hilde@fjordvik.invalid")
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=hilde, role="employee")
        Membership.objects.filter(user=world.health_nurse).update(active=False)
    with scope(municipality=world.fjordvik):
        actions.appoint_holder(world.actor(world.coordinator), relay, to_user=hilde, note="Ta over.")
    assert told(world, hilde) == ["holder_appointment"]


def test_the_email_names_no_child_and_a_refused_action_tells_nobody(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.request_handover(helga(world), relay, to_user=world.other_employee,
                                 to_service=world.school, note="Ella trenger en ny holder.")
        rows = list(OutboxMessage.objects.filter(recipient=world.other_employee))
    assert rows and all("Ella" not in str(row.params) for row in rows)
    before = told(world, world.teacher)
    with scope(municipality=world.fjordvik), pytest.raises(ValidationError):
        # The kindergarten is not covered by the consent: nothing is saved, nobody is told.
        actions.add_participant(helga(world), relay, service=world.kindergarten, user=world.teacher)
    assert told(world, world.teacher) == before
