"""Mia's record across services, for the full-record tests.

On top of the family pages' families (tests/citizen/conftest.py: Mia's log
held by Helga at the health station, shared with the school by consent; a
note in it withheld from Geir, her father):
- the school takes part (so Lise, its leader, answers for Mia too);
- Kari at the kindergarten has a worry about Mia that she has NOT shared:
  nobody else may see it, nor learn that it exists — Helga, the holder, no
  more than Leif, Kari's leader (until it is shared);
- on that worry, a contact with the police on the acute path, and a report
  of concern to the child welfare service from the kindergarten, which
  records Frida as told and Geir as not told.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_scopes import scope

from stafett.concerns import actions as concern_actions
from stafett.concerns.models import Concern
from stafett.fullrecord import actions
from stafett.lib.national_id import parse
from stafett.relay import actions as relay_actions
from stafett.reports.models import ChildWelfareReport
from tests.citizen.conftest import family  # noqa: F401  (Frida, Geir, Mia …)
from tests.relay.conftest import world  # noqa: F401  (the world with Helga)

WORRY_TEXT = "Mia sier hun er redd for far om kvelden."
POLICE_NOTE = "Politiet ble ringt om mulig vold mot Mia."
REPORT_TEXT = "Mia har blåmerker på armene og sier at far slo henne."


@dataclass
class Scene:
    world: object
    family: object
    worry: Concern
    report: ChildWelfareReport

    def actor(self, user):
        return self.world.actor(user)

    def case(self, user, child="Mia Fjeld") -> str:
        """The value of `user`'s case about `child` in the register form."""
        with scope(municipality=self.world.fjordvik):
            return next(value for value, label in actions.case_choices(self.actor(user))
                        if label.startswith(child))

    def register(self, user=None, *, who="frida", role="guardian", case=None, received_on=None):
        """A request registered through the real action (Helga's, by default)."""
        user = user or self.world.health_nurse
        person = getattr(self.family, who)
        case = case or self.case(user)
        with scope(municipality=self.world.fjordvik):
            actor = self.actor(user)
            return actions.register_request(
                actor, case=case, role=role, requester_name=person.get_full_name(),
                national_id=parse(person.national_id, accept_synthetic=True),
                received_on=received_on or timezone.localdate(), channel="letter",
            )


def kindergarten_report(w, worry, *, told: dict) -> ChildWelfareReport:
    """A report of concern as the reports app freezes it at approval: the
    official KS format's fields that matter here."""
    now = timezone.now()
    return ChildWelfareReport.objects.create(
        municipality=w.fjordvik, child=worry.child, concern=worry, service=w.kindergarten,
        reporter=w.teacher, status=ChildWelfareReport.Status.SENT, created_at=now,
        approved_at=now, approved_by=w.leader, sent_at=now,
        content={"observed": REPORT_TEXT}, message_id=ChildWelfareReport().new_message_id(),
        document={
            "melding": {"melding": REPORT_TEXT, "historie": "Ingen tidligere meldinger.",
                        "andreSynspunkter": ""},
            "andreHjelpeinstanser": "Helsestasjonen", "behovForTolk": "",
            "foresatte": [{"personnavn": name, "telefonnummer": "40000000", "orientert": was_told,
                           **({} if was_told else {"orientertGrunn": "Mistanke om vold fra far."})}
                          for name, was_told in told.items()],
        },
    )


@pytest.fixture
def scene(world, family):  # noqa: F811
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        relay_actions.add_participant(nurse, family.mia_relay, service=world.school)
        mia = family.mia_relay.child
        kari = world.actor(world.teacher)
        worry = concern_actions.create_concern(
            kari, service=world.kindergarten,
            child={"name": "Mia Fjeld", "birth_date": mia.birth_date, "expected_date": None,
                   "national_id": mia.national_id},
            observations=WORRY_TEXT, questions="Hva skjer hjemme?",
        )
        assert worry.child_id == mia.pk, "the worry and the log are about the same child"
        concern_actions.record_acute_contact(
            kari, worry, contacted="police", contacted_at=timezone.now() - dt.timedelta(hours=1),
            legal_basis="duty_to_avert", leader_informed=True, leader_name="Leif", note=POLICE_NOTE,
        )
        report = kindergarten_report(world, worry, told={"Frida Fjeld": True, "Geir Fjeld": False})
    return Scene(world=world, family=family, worry=worry, report=report)
