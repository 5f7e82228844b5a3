"""The families of the family pages, on top of the relay world.

Mia Fjeld (6) has a relay held by Helga at the health station, shared with the
school by consent:
- Frida Fjeld, her mother, with parental responsibility: sees the log;
- Geir Fjeld, her father, with parental responsibility, from whom one note is
  withheld: sees the log without it;
- Unni Fjeld, her stepmother, without parental responsibility: sees nothing.
Ylva Berg (16) has her own relay at the school and sees it herself; Tobias
Berg (14, under Fjordvik's consent age of 15) has one too and sees nothing.
Åse Åsheim is the mother of a child with a relay in Åsheim: she sees that one
and nothing of Fjordvik's. Nils Nilsen has logged in but is nobody's guardian.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.accounts.models import User
from stafett.lib.dates import add_years
from stafett.lib.national_id import make_synthetic
from stafett.relay import actions
from stafett.relay.models import Meeting, Relay
from stafett.tenancy.models import Membership, Service
from tests.conftest import _user
from tests.relay.conftest import world  # noqa: F401  (Helga at the health station)


@dataclass
class Family:
    mia_relay: Relay
    ylva_relay: Relay
    tobias_relay: Relay
    asheim_relay: Relay
    frida: User
    geir: User
    unni: User
    ylva: User
    tobias: User
    ase: User
    nils: User
    withheld_note: object  # the note withheld from Geir
    guardians: dict

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


def citizen(username: str, national_id: str, first: str, last: str) -> User:
    """A citizen as the ID-porten login leaves them (stafett.oidc)."""
    return User.objects.create_user(
        username=username, first_name=first, last_name=last, kind=User.Kind.CITIZEN,
        national_id=national_id,
    )


def _start(actor, service, name, born, national_id="", level=1):
    return actions.start_relay(
        actor, service=service, level=level, area_of_concern="Trivsel og søvn.",
        child={"name": name, "birth_date": born, "expected_date": None, "national_id": national_id},
    )


@pytest.fixture
def family(world):  # noqa: F811 (the world imported above)
    today = dt.date.today()
    ids = {
        "frida": make_synthetic(dt.date(1990, 3, 14), 0),
        "geir": make_synthetic(dt.date(1988, 7, 2), 0),
        "unni": make_synthetic(dt.date(1991, 11, 23), 0),
        "ase": make_synthetic(dt.date(1985, 5, 5), 0),
        "nils": make_synthetic(dt.date(1979, 9, 9), 0),
        "mia": make_synthetic(add_years(today, -6) - dt.timedelta(days=20), 0),
        "ylva": make_synthetic(add_years(today, -16) - dt.timedelta(days=40), 0),
        "tobias": make_synthetic(add_years(today, -14) - dt.timedelta(days=40), 1),
    }
    with scopes_disabled():
        world.asheim_teacher = _user("arne", "Arne", "Åsheimlærer")
        asheim_school = Service.objects.get(municipality=world.asheim, name="Åsheim skole")
        Membership.objects.create(municipality=world.asheim, service=asheim_school,
                                  user=world.asheim_teacher, role="employee")
        world.asheim_health = Service.objects.create(municipality=world.asheim, name="Åsheim helsestasjon",
                                                     kind="hjelpe")
        Membership.objects.create(municipality=world.asheim, service=world.asheim_health,
                                  user=world.asheim_teacher, role="employee")
    consent = {"child_consents": False, "purpose": "Samarbeid om trivsel.", "given_on": today,
               "valid_until": today + dt.timedelta(days=365), "method": "digital"}
    guardians = {}
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        mia = _start(nurse, world.health_station, "Mia Fjeld", add_years(today, -6) - dt.timedelta(days=20),
                     ids["mia"])
        for key, name, relation, responsible in [
            ("frida", "Frida Fjeld", "mor", True), ("geir", "Geir Fjeld", "far", True),
            ("unni", "Unni Fjeld", "stemor", False),
        ]:
            guardians[key] = actions.add_guardian(
                nurse, mia, name=name, relation=relation, parental_responsibility=responsible,
                national_id=ids[key],
            )
        actions.give_consent(nurse, mia, guardians=[guardians["frida"], guardians["geir"]],
                             services=[world.health_station, world.school], **consent)
        actions.add_entry(nurse, mia, kind="note", text="Mia sover bedre etter ferien.")
        withheld = actions.add_entry(nurse, mia, kind="note", text="Samtale med mor alene om tryggheten hjemme.")
        actions.withhold_entry(nurse, withheld, guardian=guardians["geir"],
                               reason="Mistanke om vold fra far; vurdert med leder.")
        actions.add_entry(nurse, mia, kind="bright_spot", text="Mia lo mye i dag.")

        ylva = _start(nurse, world.health_station, "Ylva Berg", add_years(today, -16) - dt.timedelta(days=40),
                      ids["ylva"])
        guardians["ylva_mother"] = actions.add_guardian(nurse, ylva, name="Berit Berg", relation="mor")
        actions.give_consent(nurse, ylva, guardians=[guardians["ylva_mother"]],
                             services=[world.health_station], **{**consent, "child_consents": True})
        tobias = _start(nurse, world.health_station, "Tobias Berg",
                        add_years(today, -14) - dt.timedelta(days=40), ids["tobias"])
    with scope(municipality=world.asheim):
        arne = world.actor(world.asheim_teacher, world.asheim)
        asheim = _start(arne, world.asheim_health, "Åsmund Åsheim", add_years(today, -9), "")
        guardians["ase"] = actions.add_guardian(arne, asheim, name="Åse Åsheim", relation="mor",
                                                national_id=ids["ase"])
    with scopes_disabled():
        people = {key: citizen(key, ids[key], *name.split()) for key, name in [
            ("frida", "Frida Fjeld"), ("geir", "Geir Fjeld"), ("unni", "Unni Fjeld"),
            ("ylva", "Ylva Berg"), ("tobias", "Tobias Berg"), ("ase", "Åse Åsheim"),
            ("nils", "Nils Nilsen"),
        ]}
    return Family(mia_relay=mia, ylva_relay=ylva, tobias_relay=tobias, asheim_relay=asheim,
                  withheld_note=withheld, guardians=guardians, **people)


@dataclass
class FamilyLog:
    """Mia's log with content (goals, a measure, a meeting ahead and one with
    minutes) and a meeting ahead in Ylva's: what the family pages show and
    what the family writes before."""

    family: Family
    goal: object
    measure: object
    meeting: object  # ahead, Mia's
    past_meeting: object  # with minutes, Mia's
    ylva_meeting: object  # ahead, Ylva's


@pytest.fixture
def family_log(world, family):  # noqa: F811 (the world imported above)
    """Kept apart from `family` so the other family pages' tests see the same log as before."""
    today = dt.date.today()
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        mia = family.mia_relay
        goal = actions.add_goal(nurse, mia, title="Mia sover hele natten", indicator="Færre våkne netter.")
        measure = actions.add_measure(
            nurse, mia, what="Fast leggetid kl. 19.", responsible_service=world.health_station,
            responsible_user=world.health_nurse, goal=goal, starts_on=today,
            deadline=today + dt.timedelta(days=30), evaluate_on=today + dt.timedelta(days=28),
        )
        past = actions.plan_meeting(nurse, mia, kind=Meeting.Kind.PLANNING,
                                    starts_at=timezone.now() - dt.timedelta(days=3), place="Helsestasjonen")
        past = actions.record_minutes(nurse, past, version=past.version, minutes="Vi snakket om søvn.",
                                      decisions="Fast leggetid.")
        meeting = actions.plan_meeting(nurse, mia, kind=Meeting.Kind.NETWORK,
                                       starts_at=timezone.now() + dt.timedelta(days=5), place="Bakken skole")
        ylva_meeting = actions.plan_meeting(nurse, family.ylva_relay, kind=Meeting.Kind.PLANNING,
                                            starts_at=timezone.now() + dt.timedelta(days=6),
                                            place="Helsestasjonen")
    return FamilyLog(family=family, goal=goal, measure=measure, meeting=meeting, past_meeting=past,
                     ylva_meeting=ylva_meeting)
