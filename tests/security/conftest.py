"""The scene for the security sweeps: one of everything a URL can point at,
made through the real actions by the named people of tests/conftest.py
(and Helga, the public health nurse of tests/relay/conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from stafett.catalog.models import CatalogMeasure
from stafett.citizen.actors import build_citizen_actor
from stafett.concerns import actions as concern_actions
from stafett.feedback import actions as feedback_actions
from stafett.followup.models import Break, Notification
from stafett.fullrecord import actions as fullrecord_actions
from stafett.guides import actions as guide_actions
from stafett.guides.models import Level, Step, Tool
from stafett.lib import org_number
from stafett.lib.national_id import make_synthetic, parse
from stafett.relay import actions as relay_actions
from stafett.relay.models import Meeting
from stafett.reports.models import ReportSettings
from stafett.tenancy.models import Membership, Service
from tests.citizen.conftest import citizen
from tests.concerns.helpers import make_concern
from tests.conftest import _user
from tests.relay.conftest import world  # noqa: F401  (the world with Helga)
from tests.relay.helpers import make_relay
from tests.reports import helpers as reports
from tests.surveys.helpers import survey_scene


@dataclass
class Scene:
    world: object
    concern: object  # Kari's worry, shared with Leif: every level-0 step page
    decided: object  # Kari's worry, decided to go on at level 1
    relay: object  # Helga holds it; consent covers the health station, the school, the kindergarten
    parents: list
    consent: object
    participant: object  # Olav at the school
    goal: object
    measure: object
    meeting: object  # an evaluation meeting where the decision is made
    entry: object  # Helga's note
    handover_relay: object  # another child's relay, offered by Helga to Olav
    handover: object
    draft: object  # Cora's draft of the action guide
    draft_step: object  # a step of the draft that may be removed
    tool: object  # a tool of the published guide
    notification: object  # a follow-up notification for Helga
    verify_device: object  # Kasper's authenticator (he has not given its code yet)
    removable_device: object  # Lise's authenticator (her session has given its code)
    orphan_concern: object  # a worry whose author (Kjell) has left the kindergarten
    orphan_relay: object  # a relay whose holder (Heidi) has left the health station
    inclusion: object  # Vidar (adult service) asked to be included in Helga's relay
    commuter: object  # Pia: the school in Fjordvik and a school in Åsheim
    guardian: object  # Frida, the relay's first guardian, logged in with ID-porten
    draft_report: object  # Kari's acute report of concern, a draft (sending without approval allowed)
    awaiting_report: object  # Kari's report waiting for Leif's approval
    sent_report: object  # Kari's report, approved and queued
    access_requests: dict  # Frida's requests for the relay's child: registered, produced, delivered
    # Feedback to leadership (stafett.feedback.actions.Sent): Kari's named and
    # anonymous, Frida's named and anonymous.
    feedback: dict = None
    survey: dict | None = None  # Cora's survey waves: a draft, one open for the kindergarten, one closed
    catalog_measure: object = None  # a measure of Fjordvik's catalogue (the school's)


@pytest.fixture
def scene(world) -> Scene:  # noqa: F811 (the world imported above)
    w = world
    today = timezone.localdate()
    concern = make_concern(w, shared=True)
    decided = make_concern(w, name="Mons Berg", serial=1)
    with scope(municipality=w.fjordvik):
        decided = concern_actions.decide(
            w.actor(w.teacher), decided, version=decided.version, outcome="level1",
            reason="Vi går videre på nivå 1.",
        )
    relay, parents = make_relay(w, consent_services=[w.health_station, w.school, w.kindergarten])
    handover_relay, _parents = make_relay(w, name="Jonas Fjell")
    with scope(municipality=w.fjordvik):
        nurse = w.actor(w.health_nurse)
        participant = relay_actions.add_participant(nurse, relay, service=w.school, user=w.other_employee,
                                                    task="Følger opp på skolen.")
        relay.refresh_from_db()
        goal = relay_actions.add_goal(nurse, relay, title="Sover hele natten", indicator="Færre våkne netter.")
        measure = relay_actions.add_measure(
            nurse, relay, what="Fast leggetid.", responsible_service=w.health_station, goal=goal,
            starts_on=today, deadline=today + dt.timedelta(days=30),
            evaluate_on=today + dt.timedelta(days=30),
        )
        meeting = relay_actions.plan_meeting(
            nurse, relay, kind=Meeting.Kind.EVALUATION_DECISION,
            starts_at=timezone.now() + dt.timedelta(days=7), place="Helsestasjonen",
            agenda="Evaluering", invited=[participant],
        )
        entry = relay_actions.add_entry(nurse, relay, kind="note", text="Godt møte med mor.")
        handover = relay_actions.request_handover(
            nurse, handover_relay, to_user=w.other_employee, to_service=w.school,
            note="Skolen tar over oppfølgingen.",
        )
        relay.refresh_from_db()
        handover_relay.refresh_from_db()
        consent = relay.consents.first()

        coordinator = w.actor(w.coordinator)
        draft = guide_actions.start_draft(coordinator)
        level = Level.objects.get(guide=draft, number=1)
        draft_step = next((s for s in Step.objects.filter(level__guide=draft)
                           if not guide_actions.is_required(s)), None)
        if draft_step is None:
            guide_actions.add_step(coordinator, level, lock_version=draft.lock_version, variant="",
                                   number=9, tools=[], title="Et ekstra trinn")
            draft_step = Step.objects.get(level=level, number=9)
        draft.refresh_from_db()
        tool = Tool.objects.filter(guide__status="published").order_by("key").first()

        brk = Break.objects.create(
            municipality=w.fjordvik, rule="relay_idle", object_type="relay", object_id=relay.pk,
            relay=relay, service=w.health_station, recipient=w.health_nurse, opened_at=timezone.now(),
        )
        notification = Notification.objects.create(
            municipality=w.fjordvik, brk=brk, user=w.health_nurse, created_at=timezone.now(),
        )
    with scopes_disabled():
        kjell = _user("kjell", "Kjell", "Barnehagesen")
        heidi = _user("heidi", "Heidi", "Helsesøstersen")
        pia = _user("pia", "Pia", "Pendlersen")
        for user, service in ((kjell, w.kindergarten), (heidi, w.health_station), (pia, w.school),
                              (pia, Service.objects.get(municipality=w.asheim))):
            Membership.objects.create(municipality=service.municipality, service=service,
                                      user=user, role="employee")
    orphan_concern = make_concern(w, author=kjell, name="Ida Berg", serial=7)
    orphan_relay, _parents = make_relay(w, holder=heidi, name="Ola Vik")
    with scope(municipality=w.fjordvik):
        inclusion = relay_actions.start_relay(
            w.actor(w.adult_worker), service=w.adult_service, level=1, area_of_concern="Mor strever.",
            child={"name": relay.child_name, "birth_date": relay.child.birth_date,
                   "expected_date": None, "national_id": ""},
        )
    with scopes_disabled():
        Membership.objects.filter(user__in=[kjell, heidi]).update(active=False)
        verify_device = TOTPDevice.objects.create(user=w.colleague, name="Stafett", confirmed=True)
        removable_device = TOTPDevice.objects.create(user=w.other_leader, name="Stafett", confirmed=True)
        frida_id = make_synthetic(dt.date(1990, 3, 14), 0)
        parents[0].national_id = frida_id
        parents[0].save(update_fields=["national_id"])
        guardian = citizen("frida", frida_id, "Frida", "Fjeld")
    # The holder asks the family to consent digitally: a request waits for
    # Frida's signature in the family pages.
    with scope(municipality=w.fjordvik):
        relay_actions.ask_family_to_consent(
            w.actor(w.health_nurse), relay, services=[w.health_station, w.school],
            purpose="Samarbeid om søvn.", valid_until=today + dt.timedelta(days=300))
        relay.refresh_from_db()
        # Frida asked three times to see the child's record: one request just
        # registered, one produced, one delivered to her family pages.
        access_requests = {}
        for state in ("registered", "produced", "delivered"):
            request = fullrecord_actions.register_request(
                w.actor(w.health_nurse), case=f"relay:{relay.pk}:{w.health_station.pk}",
                role="guardian", requester_name="Frida Fjeld",
                national_id=parse(frida_id, accept_synthetic=True), received_on=today, channel="letter")
            if state != "registered":
                request = fullrecord_actions.produce(w.actor(w.health_nurse), request.pk,
                                                     version=request.version)
            if state == "delivered":
                request = fullrecord_actions.deliver(w.actor(w.health_nurse), request.pk,
                                                     version=request.version)
            access_requests[state] = request
    # Reports of concern from Kari's worry: a draft, one awaiting Leif, one sent.
    with scopes_disabled():
        w.kindergarten.organisation_number = org_number.make("99990201")
        w.kindergarten.save(update_fields=["organisation_number"])
        ReportSettings.objects.create(municipality=w.fjordvik, acute_without_approval=True)
    draft_report = reports.write(w, concern, acute=True)
    awaiting_report = reports.submitted(w, concern)
    sent_report = reports.approved(w, concern)
    with scope(municipality=w.fjordvik):
        feedback = {
            key: feedback_actions.send(actor, municipality=w.fjordvik, topic="step", subject="1.2",
                                       text="Trinnet er uklart.", anonymous=anonymous)
            for key, actor, anonymous in [
                ("staff", w.actor(w.teacher), False), ("anonymous", w.actor(w.teacher), True),
                ("family", build_citizen_actor(guardian), False), ("family_anonymous", build_citizen_actor(guardian), True)]
        }
        catalog_measure = CatalogMeasure.objects.create(
            municipality=w.fjordvik, key="leksehjelp", name="Leksehjelp", service=w.school,
            access="low_threshold", levels="1", steps="1.1")
    survey = survey_scene(w)
    return Scene(
        feedback=feedback, survey=survey, catalog_measure=catalog_measure,
        draft_report=draft_report, awaiting_report=awaiting_report, sent_report=sent_report,
        world=w, concern=concern, decided=decided, relay=relay, parents=parents, consent=consent,
        participant=participant, goal=goal, measure=measure, meeting=meeting, entry=entry,
        handover_relay=handover_relay, handover=handover, draft=draft, draft_step=draft_step,
        tool=tool, notification=notification, verify_device=verify_device,
        removable_device=removable_device, orphan_concern=orphan_concern,
        orphan_relay=orphan_relay, inclusion=inclusion, commuter=pia, guardian=guardian,
        access_requests=access_requests,
    )
