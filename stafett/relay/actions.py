"""Every write to a relay goes through one of these functions: atomic,
checked through the policy layer, audited in the same transaction.

Rules that protect the family are enforced here, not in forms, so the API of
a later issue gets them too: consent from every guardian with parental
responsibility (and from the child from the municipality's age), no service
added beyond the consent, exactly one holder, entries corrected and never
deleted.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.access.policy import Forbidden, require
from stafett.access.relays import covered_service_ids, load_relay, relay_actions, require_relay
from stafett.audit.log import record
from stafett.audit.models import LegalBasis
from stafett.concerns.children import child_for
from stafett.concerns.models import Child
from stafett.guides.loader import current_guide
from stafett.lib.errors import Conflict
from stafett.tenancy.models import Membership, Service

from .models import (
    Consent,
    ConsentParty,
    Entry,
    Evaluation,
    Goal,
    Guardian,
    Handover,
    InclusionRequest,
    LevelChange,
    Measure,
    Meeting,
    Participant,
    Relay,
    Withholding,
)

MAX_CONSENT_YEARS = 3
# Services that may start a relay without a level-0 worry first.
DIRECT_START_KINDS = {"hjelpe", "voksen", "spesialist"}


def legal_basis(actor, relay) -> str:
    # The holder's service works under its own duty; everyone else reads and
    # writes because the family consented.
    return LegalBasis.SERVICE_DUTY if relay.holder_id == actor.user.pk else LegalBasis.CONSENT


def _audit(actor, action, relay, item=None):
    record(actor, action, relay, legal_basis=legal_basis(actor, relay), child_id=relay.child_id,
           item=item)


def _actor_service(actor, relay) -> int:
    """The service the actor acts for in this relay."""
    if relay.holder_id == actor.user.pk:
        return relay.holder_service_id
    covered = covered_service_ids(relay)
    for service_id in sorted(actor.service_ids):
        if service_id in covered:
            return service_id
    raise Forbidden("service")


def _entry(actor, relay, kind, text="", *, event="", params=None, **links) -> Entry:
    """A timeline entry. What the app says is stored as an event and its data
    (rendered in each reader's language); `text` is only what a person wrote."""
    return Entry.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=kind, text=text,
        event=event, params=params or {},
        author=actor.user, author_service_id=_actor_service(actor, relay),
        created_at=timezone.now(), **links,
    )


def _lock(relay: Relay, version: int | None = None) -> Relay:
    fresh = Relay.objects.select_for_update().get(pk=relay.pk)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def _touch(relay: Relay, *fields: str) -> None:
    relay.last_activity_at = timezone.now()
    relay.version += 1
    relay.save(update_fields=[*fields, "last_activity_at", "version"])


def _locked_version(model, obj, version):
    fresh = model.objects.select_for_update().get(pk=obj.pk)
    if fresh.version != version:
        raise Conflict
    return fresh


def read_relay(actor, pk, action: str = "view", *, event: str | None = None, item=None) -> Relay:
    """Load a relay for display and record exactly one read event (`event`
    names it when the page is a particular read of the relay, e.g. "read_pdf")."""
    with transaction.atomic():
        relay = load_relay(actor, pk, action)
        _audit(actor, event or ("read" if action == "view" else f"read_{action}"), relay, item)
    return relay


# --- starting ---------------------------------------------------------------


@transaction.atomic
def start_relay(actor, *, service, level: int, area_of_concern: str, concern=None,
                child: dict | None = None) -> Relay | InclusionRequest:
    """Start a relay from a level-0 decision (carrying over the worry) or, for
    help and adult services, directly for a child. The creator holds it.

    A child has at most one open relay. When this child already has one that
    the actor cannot see, nothing is created and nothing of it is shown: the
    holder is asked to include the actor's service and the InclusionRequest is
    returned instead of a relay (docs/one-child.md)."""
    if not actor.works_in(service.pk):
        raise Forbidden("start")
    if level not in (1, 2, 3):
        raise ValidationError(_("Choose level 1, 2 or 3."))
    if concern is not None:
        require(actor, "decide", concern)
        if concern.outcome not in ("level1", "level2", "level3"):
            raise ValidationError(_("Decide to continue on level 1, 2 or 3 before starting a relay."))
        if concern.relays.exists():
            raise ValidationError(_("A relay has already been started from this worry."))
        child_obj, child_name, id_given = concern.child, concern.child_name, concern.child_id_given
    else:
        if service.kind not in DIRECT_START_KINDS:
            raise ValidationError(
                _("Kindergartens and schools start with a worry on level 0.")
            )
        child = child or {}
        child_obj = child_for(actor.municipality, **child)
        child_name, id_given = child["name"], bool(child.get("national_id"))
    # Starts for one child wait for each other here, so the second finds the
    # first's relay instead of racing it to the constraint.
    child_obj = Child.objects.select_for_update().get(pk=child_obj.pk)
    existing = open_relay_of(child_obj)
    if existing is not None:
        return _ask_to_include(actor, existing, service=service, concern=concern,
                               child_name=child_name)
    now = timezone.now()
    guide = current_guide()
    try:
        with transaction.atomic():
            relay = Relay.objects.create(
                municipality=actor.municipality, child=child_obj, child_name=child_name,
                child_id_given=id_given, concern=concern, guide=guide,
                level=level, area_of_concern=area_of_concern, holder=actor.user,
                holder_service=service, created_at=now, created_by=actor.user,
                last_activity_at=now,
            )
    except IntegrityError:
        # The database's own rule (relay_one_open_per_child) caught a start the
        # lock did not: one that began before this child's row existed.
        existing = open_relay_of(child_obj)
        if existing is None:
            raise
        return _ask_to_include(actor, existing, service=service, concern=concern,
                               child_name=child_name)
    Participant.objects.create(
        municipality=actor.municipality, relay=relay, service=service, user=actor.user,
        task=_("Holder of the relay"), joined_at=now,
    )
    _entry(actor, relay, Entry.Kind.LEVEL, event="relay_started", params={"level": level})
    _audit(actor, "create", relay)
    return relay


# --- one open relay per child: asking to be included ----------------------------


def open_relay_of(child) -> Relay | None:
    """The child's open relay, if any, also one held on a row marked as this
    child's unmerged duplicate (see Child.duplicate_of)."""
    primary = child.duplicate_of_id or child.pk
    return (
        Relay.objects.filter(Q(child_id=primary) | Q(child__duplicate_of_id=primary),
                             status=Relay.Status.OPEN)
        .order_by("pk").first()
    )


def _ask_to_include(actor, relay, *, service, concern, child_name) -> InclusionRequest:
    """Someone whose service is not in the child's open relay tried to start
    one: the holder is asked to include the service. The requester learns only
    that the family will be asked; a person who already takes part is told the
    relay exists, which they know."""
    if "view" in relay_actions(actor, relay):
        raise ValidationError(_("This child already has an open relay."))
    pending = InclusionRequest.objects.filter(
        relay=relay, service=service, status=InclusionRequest.Status.PENDING
    ).first()
    if pending is None:
        try:
            with transaction.atomic():
                pending = InclusionRequest.objects.create(
                    municipality_id=relay.municipality_id, relay=relay, service=service,
                    requested_by=actor.user, concern=concern, child_name=child_name,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            # Someone in the same service asked a moment ago: one question to
            # the family is enough.
            pending = InclusionRequest.objects.get(
                relay=relay, service=service, status=InclusionRequest.Status.PENDING
            )
        # notify: the holder — a service asks to be included in the relay (no child data in e-mail).
    # Audited on the request, not on the relay: the requester read nothing of
    # it, acting under their own service's duty, and whoever may later read the
    # relay's own trail must not learn from it that this service asked.
    record(actor, "request_inclusion", pending, legal_basis=LegalBasis.SERVICE_DUTY,
           child_id=relay.child_id)
    return pending


def _lock_inclusion(inclusion: InclusionRequest, relay: Relay) -> InclusionRequest:
    fresh = InclusionRequest.objects.select_for_update().get(pk=inclusion.pk)
    if fresh.relay_id != relay.pk or not fresh.is_pending:
        raise ValidationError(_("This request has already been answered."))
    return fresh


def _answer_inclusion(actor, relay, inclusion: InclusionRequest, status: str) -> None:
    inclusion.status = status
    inclusion.responded_at, inclusion.responded_by = timezone.now(), actor.user
    inclusion.save(update_fields=["status", "responded_at", "responded_by"])
    # notify: the requester — only that the family consented (with a link) or did not consent.
    record(actor, "accept_inclusion" if status == InclusionRequest.Status.ACCEPTED
           else "decline_inclusion", inclusion, legal_basis=legal_basis(actor, relay),
           child_id=relay.child_id)


@transaction.atomic
def decline_inclusion(actor, inclusion: InclusionRequest) -> InclusionRequest:
    """The holder records that the family said no. The requester is told that
    and nothing more, and still has no access."""
    relay = inclusion.relay
    require_relay(actor, "consent", relay)
    relay = _lock(relay)
    inclusion = _lock_inclusion(inclusion, relay)
    _answer_inclusion(actor, relay, inclusion, InclusionRequest.Status.DECLINED)
    _touch(relay)
    return inclusion


def _include_requesters(actor, relay, service_ids: set[int]) -> None:
    """A consent now covers services that asked to be included: each joins
    the relay, with the person who asked while they still work there."""
    waiting = list(
        InclusionRequest.objects.select_for_update()
        .filter(relay=relay, service_id__in=service_ids, status=InclusionRequest.Status.PENDING)
        .select_related("service", "requested_by")
    )
    for inclusion in waiting:
        user = inclusion.requested_by
        if not Membership.objects.filter(service=inclusion.service, user=user, active=True).exists():
            user = None
        if not relay.participants.filter(service=inclusion.service, user=user,
                                         left_at__isnull=True).exists():
            add_participant(actor, relay, service=inclusion.service, user=user,
                            task=_("Asked to take part"))
        _answer_inclusion(actor, relay, inclusion, InclusionRequest.Status.ACCEPTED)


# --- guardians and consent ----------------------------------------------------


@transaction.atomic
def add_guardian(actor, relay, *, name, relation, parental_responsibility=True, phone="") -> Guardian:
    require_relay(actor, "guardians", relay)
    guardian = Guardian.objects.create(
        municipality_id=relay.municipality_id, child=relay.child, name=name, relation=relation,
        parental_responsibility=parental_responsibility, phone=phone,
    )
    _touch(_lock(relay))
    _audit(actor, "create", relay, guardian)
    return guardian


def child_must_consent(relay, on: dt.date) -> bool:
    child = relay.child
    if child.birth_date is None:
        return False
    age = on.year - child.birth_date.year - (
        (on.month, on.day) < (child.birth_date.month, child.birth_date.day)
    )
    return age >= relay.municipality.child_consent_age


@transaction.atomic
def give_consent(actor, relay, *, guardians, child_consents: bool, services, purpose: str,
                 given_on: dt.date, valid_until: dt.date, method: str, scan=None,
                 supersedes=None) -> Consent:
    """Record the family's consent. Every guardian with parental
    responsibility must be a party, and the child from the municipality's age."""
    require_relay(actor, "consent", relay)
    relay = _lock(relay)
    errors = []
    today = timezone.localdate()
    required = set(relay.child.guardians.filter(parental_responsibility=True).values_list("pk", flat=True))
    given = {g.pk for g in guardians}
    if not required:
        errors.append(_("Register the child's guardians before recording consent."))
    elif not required <= given:
        errors.append(_("Every guardian with parental responsibility must consent."))
    if given - set(relay.child.guardians.values_list("pk", flat=True)):
        errors.append(_("Only the child's own guardians can consent."))
    if child_must_consent(relay, given_on) and not child_consents:
        errors.append(_("The child is old enough to consent and must do so too."))
    if given_on > today:
        errors.append(_("The date of the conversation cannot be in the future."))
    if valid_until <= given_on:
        errors.append(_("The consent must be valid after the day it was given."))
    elif valid_until > given_on.replace(year=given_on.year + MAX_CONSENT_YEARS):
        errors.append(_("A consent can be valid for at most three years."))
    service_ids = {s.pk for s in services}
    if relay.holder_service_id not in service_ids:
        errors.append(_("The consent must cover the holder's own service."))
    if method == Consent.Method.SCAN and not scan:
        errors.append(_("Upload the scanned form."))
    if not purpose.strip():
        errors.append(_("Write what the information may be used for."))
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        municipality_id=relay.municipality_id, relay=relay, purpose=purpose, given_on=given_on,
        valid_until=valid_until, method=method, scan=scan or "", supersedes=supersedes,
        recorded_by=actor.user, recorded_at=timezone.now(),
    )
    consent.services.set(service_ids)
    ConsentParty.objects.bulk_create(
        [ConsentParty(municipality_id=relay.municipality_id, consent=consent, guardian=g)
         for g in guardians]
        + ([ConsentParty(municipality_id=relay.municipality_id, consent=consent, is_child=True)]
           if child_consents else [])
    )
    names = ", ".join(sorted(Service.objects.filter(pk__in=service_ids).values_list("name", flat=True)))
    _entry(actor, relay, Entry.Kind.CONSENT, event="consent_recorded",
           params={"services": names, "date": valid_until.isoformat()})
    _touch(relay)
    _audit(actor, "consent", relay, consent)
    _include_requesters(actor, relay, service_ids)
    return consent


@transaction.atomic
def withdraw_consent(actor, relay, *, reason: str) -> int:
    """The family withdraws: every consent in force ends now, and with it every
    other service's access, in this same transaction."""
    require_relay(actor, "consent", relay)
    if not reason.strip():
        raise ValidationError(_("Write why the consent was withdrawn."))
    relay = _lock(relay)
    now = timezone.now()
    count = relay.consents.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor.user, withdrawn_reason=reason,
    )
    _entry(actor, relay, Entry.Kind.CONSENT, reason, event="consent_withdrawn")
    _touch(relay)
    _audit(actor, "withdraw_consent", relay)
    return count


# --- participants and the holder ------------------------------------------------


@transaction.atomic
def add_participant(actor, relay, *, service, user=None, task: str = "") -> Participant:
    require_relay(actor, "participants", relay)
    relay = _lock(relay)
    if service.pk not in covered_service_ids(relay):
        raise ValidationError(
            _("The consent does not cover %(service)s. Extend the consent first.") % {"service": service.name}
        )
    if user is not None and not Membership.objects.filter(service=service, user=user, active=True).exists():
        raise ValidationError(_("%(name)s does not work in %(service)s.") % {"name": user.get_full_name(), "service": service.name})
    if relay.participants.filter(service=service, user=user, left_at__isnull=True).exists():
        raise ValidationError(_("Already taking part."))
    participant = Participant.objects.create(
        municipality_id=relay.municipality_id, relay=relay, service=service, user=user,
        task=task, joined_at=timezone.now(),
    )
    who = f"{user.get_full_name()}, {service.name}" if user else service.name
    _entry(actor, relay, Entry.Kind.PARTICIPANT, event="participant_joined", params={"who": who})
    _touch(relay)
    _audit(actor, "add_participant", relay, participant)
    return participant


@transaction.atomic
def remove_participant(actor, participant) -> None:
    relay = participant.relay
    require_relay(actor, "participants", relay)
    relay = _lock(relay)
    if participant.user_id == relay.holder_id and participant.service_id == relay.holder_service_id:
        raise ValidationError(_("The holder cannot leave the relay; hand it over first."))
    Participant.objects.filter(pk=participant.pk, left_at__isnull=True).update(left_at=timezone.now())
    _entry(actor, relay, Entry.Kind.PARTICIPANT, event="participant_left")
    _touch(relay)
    _audit(actor, "remove_participant", relay, participant)


@transaction.atomic
def request_handover(actor, relay, *, to_user, to_service, note: str) -> Handover:
    """Ask someone to take over the baton. The old holder keeps it until the
    new one accepts; the new one joins as a participant so they can read it."""
    require_relay(actor, "handover", relay)
    relay = _lock(relay)
    if to_user.pk == relay.holder_id:
        raise ValidationError(_("Choose someone other than the current holder."))
    if not note.strip():
        raise ValidationError(_("Write what is handed over."))
    if relay.handovers.filter(status=Handover.Status.PENDING).exists():
        raise ValidationError(_("A handover is already waiting for acceptance."))
    if not relay.participants.filter(service=to_service, user=to_user, left_at__isnull=True).exists():
        add_participant(actor, relay, service=to_service, user=to_user, task=_("New holder"))
        relay.refresh_from_db()
    handover = Handover.objects.create(
        municipality_id=relay.municipality_id, relay=relay, from_user=actor.user,
        from_service=relay.holder_service, to_user=to_user, to_service=to_service, note=note,
        requested_at=timezone.now(),
    )
    _entry(actor, relay, Entry.Kind.HANDOVER, event="handover_requested",
           params={"name": to_user.get_full_name()})
    _touch(relay)
    _audit(actor, "request_handover", relay, handover)
    return handover


@transaction.atomic
def respond_to_handover(actor, handover, *, accept: bool) -> Handover:
    """The new holder accepts (the baton passes at once) or declines."""
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    relay = _lock(handover.relay)
    if handover.status != Handover.Status.PENDING or handover.to_user_id != actor.user.pk:
        raise Forbidden("handover")
    if "view" not in relay_actions(actor, relay):
        raise Forbidden("handover")
    handover.status = Handover.Status.ACCEPTED if accept else Handover.Status.DECLINED
    handover.responded_at = timezone.now()
    handover.save(update_fields=["status", "responded_at"])
    if accept:
        relay.holder_id, relay.holder_service_id = handover.to_user_id, handover.to_service_id
        _entry(actor, relay, Entry.Kind.HANDOVER, handover.note, event="handover_accepted",
               params={"name": actor.user.get_full_name()})
        _touch(relay, "holder", "holder_service")
    else:
        _entry(actor, relay, Entry.Kind.HANDOVER, event="handover_declined")
        _touch(relay)
    _audit(actor, "accept_handover" if accept else "decline_handover", relay, handover)
    return handover


@transaction.atomic
def cancel_handover(actor, handover) -> None:
    relay = handover.relay
    require_relay(actor, "handover", relay)
    Handover.objects.filter(pk=handover.pk, status=Handover.Status.PENDING).update(
        status=Handover.Status.CANCELLED, responded_at=timezone.now()
    )
    _touch(_lock(relay))
    _audit(actor, "cancel_handover", relay, handover)


# --- the content of the log ------------------------------------------------------


@transaction.atomic
def add_goal(actor, relay, *, title: str, indicator: str) -> Goal:
    require_relay(actor, "content", relay)
    relay = _lock(relay)
    goal = Goal.objects.create(
        municipality_id=relay.municipality_id, relay=relay, title=title, indicator=indicator,
        created_by=actor.user, created_at=timezone.now(),
    )
    _entry(actor, relay, Entry.Kind.GOAL, title, goal=goal)
    _touch(relay)
    _audit(actor, "create", relay, goal)
    return goal


@transaction.atomic
def update_goal(actor, goal, *, version: int, title: str, indicator: str, achieved: bool) -> Goal:
    relay = goal.relay
    require_relay(actor, "content", relay)
    goal = _locked_version(Goal, goal, version)
    goal.title, goal.indicator, goal.achieved = title, indicator, achieved
    goal.version += 1
    goal.save(update_fields=["title", "indicator", "achieved", "version"])
    relay = _lock(relay)
    _entry(actor, relay, Entry.Kind.GOAL, title, event="goal_changed", goal=goal)
    _touch(relay)
    _audit(actor, "update", relay, goal)
    return goal


def _check_measure_dates(starts_on, deadline, evaluate_on):
    errors = []
    if deadline < starts_on:
        errors.append(_("The deadline cannot be before the start."))
    if evaluate_on < starts_on:
        errors.append(_("The evaluation date cannot be before the start."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_measure(actor, relay, *, what: str, responsible_service, responsible_user=None, goal=None,
                starts_on, deadline, evaluate_on) -> Measure:
    require_relay(actor, "content", relay)
    _check_measure_dates(starts_on, deadline, evaluate_on)
    relay = _lock(relay)
    if responsible_service.pk not in covered_service_ids(relay):
        raise ValidationError(_("The consent does not cover %(service)s. Extend the consent first.")
                              % {"service": responsible_service.name})
    if goal is not None and goal.relay_id != relay.pk:
        raise Forbidden("goal")
    if responsible_user is not None and not Membership.objects.filter(
        service=responsible_service, user=responsible_user, active=True
    ).exists():
        raise ValidationError(_("%(name)s does not work in %(service)s.")
                              % {"name": responsible_user.get_full_name(), "service": responsible_service.name})
    measure = Measure.objects.create(
        municipality_id=relay.municipality_id, relay=relay, goal=goal, what=what,
        responsible_service=responsible_service, responsible_user=responsible_user,
        starts_on=starts_on, deadline=deadline, evaluate_on=evaluate_on,
        created_by=actor.user, created_at=timezone.now(),
    )
    _entry(actor, relay, Entry.Kind.MEASURE, what, measure=measure, goal=goal)
    _touch(relay)
    _audit(actor, "create", relay, measure)
    return measure


@transaction.atomic
def update_measure(actor, measure, *, version: int, what: str, starts_on, deadline, evaluate_on) -> Measure:
    relay = measure.relay
    require_relay(actor, "content", relay)
    _check_measure_dates(starts_on, deadline, evaluate_on)
    measure = _locked_version(Measure, measure, version)
    measure.what, measure.starts_on, measure.deadline, measure.evaluate_on = what, starts_on, deadline, evaluate_on
    measure.version += 1
    measure.save(update_fields=["what", "starts_on", "deadline", "evaluate_on", "version"])
    relay = _lock(relay)
    _entry(actor, relay, Entry.Kind.MEASURE, what, event="measure_changed", measure=measure)
    _touch(relay)
    _audit(actor, "update", relay, measure)
    return measure


@transaction.atomic
def record_evaluation(actor, relay, *, what_happened, conclusion, child_view="", parents_view="",
                      professionals_view="", goal=None, measure=None, meeting=None) -> Evaluation:
    require_relay(actor, "content", relay)
    relay = _lock(relay)
    for obj in (goal, measure, meeting):
        if obj is not None and obj.relay_id != relay.pk:
            raise Forbidden("evaluation")
    evaluation = Evaluation.objects.create(
        municipality_id=relay.municipality_id, relay=relay, goal=goal, measure=measure,
        meeting=meeting, what_happened=what_happened, child_view=child_view,
        parents_view=parents_view, professionals_view=professionals_view, conclusion=conclusion,
        created_by=actor.user, created_at=timezone.now(),
    )
    _entry(actor, relay, Entry.Kind.EVALUATION, conclusion, evaluation=evaluation, goal=goal, measure=measure)
    _touch(relay)
    _audit(actor, "create", relay, evaluation)
    return evaluation


@transaction.atomic
def plan_meeting(actor, relay, *, kind, starts_at, place, agenda="", invited=()) -> Meeting:
    require_relay(actor, "meeting", relay)
    relay = _lock(relay)
    meeting = Meeting.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=kind, starts_at=starts_at,
        place=place, agenda=agenda, created_by=actor.user, created_at=timezone.now(),
    )
    meeting.invited.set([p for p in invited if p.relay_id == relay.pk])
    _entry(actor, relay, Entry.Kind.MEETING, event="meeting_planned",
           params={"kind": kind, "time": starts_at.isoformat()}, meeting=meeting)
    _touch(relay)
    _audit(actor, "create", relay, meeting)
    return meeting


@transaction.atomic
def record_minutes(actor, meeting, *, version: int, minutes: str, decisions: str, present=(),
                   guardians_present=(), child_present=False) -> Meeting:
    """The minutes become the log's entry for the meeting."""
    relay = meeting.relay
    require_relay(actor, "meeting", relay)
    meeting = _locked_version(Meeting, meeting, version)
    meeting.minutes, meeting.decisions, meeting.child_present = minutes, decisions, child_present
    meeting.minutes_recorded_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["minutes", "decisions", "child_present", "minutes_recorded_at", "version"])
    meeting.present.set([p for p in present if p.relay_id == relay.pk])
    meeting.guardians_present.set([g for g in guardians_present if g.child_id == relay.child_id])
    relay = _lock(relay)
    _entry(actor, relay, Entry.Kind.MEETING, minutes + (f"\n\n{decisions}" if decisions else ""), meeting=meeting)
    _touch(relay)
    _audit(actor, "minutes", relay, meeting)
    return meeting


@transaction.atomic
def change_level(actor, relay, *, meeting, to_level: int, reason: str, release_services=()) -> LevelChange:
    """Move up or down a level: a decision at an evaluation meeting, with its
    reason. Moving down may release services (they leave the relay)."""
    require_relay(actor, "level", relay)
    relay = _lock(relay)
    if meeting.relay_id != relay.pk or meeting.kind != Meeting.Kind.EVALUATION_DECISION:
        raise ValidationError(_("A level is changed at an evaluation meeting where the decision is made."))
    if to_level not in (1, 2, 3) or to_level == relay.level:
        raise ValidationError(_("Choose another level: 1, 2 or 3."))
    if not reason.strip():
        raise ValidationError(_("Write the reason for the change."))
    change = LevelChange.objects.create(
        municipality_id=relay.municipality_id, relay=relay, meeting=meeting,
        from_level=relay.level, to_level=to_level, reason=reason, decided_by=actor.user,
        decided_at=timezone.now(),
    )
    if to_level < relay.level:
        relay.participants.filter(
            service_id__in=[s.pk for s in release_services], left_at__isnull=True
        ).exclude(service_id=relay.holder_service_id).update(left_at=timezone.now())
    _entry(actor, relay, Entry.Kind.LEVEL, reason, event="level_changed",
           params={"from": relay.level, "to": to_level}, meeting=meeting)
    relay.level = to_level
    _touch(relay, "level")
    _audit(actor, "change_level", relay, change)
    return change


@transaction.atomic
def add_entry(actor, relay, *, kind: str, text: str) -> Entry:
    """A note or a bright spot (lysglimt)."""
    require_relay(actor, "content", relay)
    if kind not in (Entry.Kind.NOTE, Entry.Kind.BRIGHT_SPOT):
        raise ValidationError(_("Choose a note or a bright spot."))
    if not text.strip():
        raise ValidationError(_("Write the text of the entry."))
    relay = _lock(relay)
    entry = _entry(actor, relay, kind, text)
    _touch(relay)
    _audit(actor, "create", relay, entry)
    return entry


@transaction.atomic
def correct_entry(actor, entry, *, text: str) -> Entry:
    """Corrections, not deletions: the new wording points to the old, which
    stays visible to participants. Only the author corrects their entry."""
    relay = entry.relay
    require_relay(actor, "content", relay)
    if entry.author_id != actor.user.pk:
        raise Forbidden("correct")
    if Entry.objects.filter(corrects=entry).exists():
        raise ValidationError(_("This entry has already been corrected; correct the newest version."))
    if not entry.correctable:
        raise ValidationError(_("This entry cannot be corrected; record a new decision instead."))
    if not text.strip():
        raise ValidationError(_("Write the corrected text."))
    relay = _lock(relay)
    correction = _entry(actor, relay, entry.kind, text, event=entry.event, params=entry.params,
                        corrects=entry, goal=entry.goal, measure=entry.measure,
                        meeting=entry.meeting, evaluation=entry.evaluation)
    # What was kept from a guardian stays kept when it is reworded.
    Withholding.objects.bulk_create([
        Withholding(municipality_id=relay.municipality_id, entry=correction, guardian_id=w.guardian_id,
                    reason=w.reason, decided_by_id=w.decided_by_id, decided_at=w.decided_at)
        for w in entry.withholdings.all()
    ])
    _touch(relay)
    _audit(actor, "correct", relay, correction)
    return correction


@transaction.atomic
def withhold_entry(actor, entry, *, guardian, reason: str) -> Withholding:
    """Keep one entry from one guardian's copy, with a recorded reason."""
    relay = entry.relay
    require_relay(actor, "withhold", relay)
    if guardian.child_id != relay.child_id:
        raise Forbidden("guardian")
    if not reason.strip():
        raise ValidationError(_("Write why the entry is withheld from this guardian."))
    if Withholding.objects.filter(entry=entry, guardian=guardian).exists():
        raise ValidationError(_("This entry is already withheld from %(name)s.") % {"name": guardian.name})
    # The whole chain of wordings is withheld: the entry and its corrections.
    chain, current = [], entry
    while current is not None:
        chain.append(current)
        current = Entry.objects.filter(corrects=current).first()
    now = timezone.now()
    withholdings = Withholding.objects.bulk_create([
        Withholding(municipality_id=relay.municipality_id, entry=item, guardian=guardian,
                    reason=reason, decided_by=actor.user, decided_at=now)
        for item in chain
        if not Withholding.objects.filter(entry=item, guardian=guardian).exists()
    ])
    withholding = withholdings[0]
    _touch(_lock(relay))
    _audit(actor, "withhold", relay, withholding)
    return withholding


@transaction.atomic
def close_relay(actor, relay, *, version: int, reason: str, summary: str, child_last_word="",
                parents_last_word="") -> Relay:
    require_relay(actor, "close", relay)
    relay = _lock(relay, version)
    if reason not in Relay.ClosingReason.values:
        raise ValidationError(_("Choose why the relay is closed."))
    if not summary.strip():
        raise ValidationError(_("Write a closing summary."))
    relay.handovers.filter(status=Handover.Status.PENDING).update(
        status=Handover.Status.CANCELLED, responded_at=timezone.now()
    )
    relay.status = Relay.Status.CLOSED
    relay.closing_reason, relay.closing_summary = reason, summary
    relay.child_last_word, relay.parents_last_word = child_last_word, parents_last_word
    relay.closed_at, relay.closed_by = timezone.now(), actor.user
    _entry(actor, relay, Entry.Kind.CLOSING, summary)
    _touch(relay, "status", "closing_reason", "closing_summary", "child_last_word",
           "parents_last_word", "closed_at", "closed_by")
    _audit(actor, "close", relay)
    return relay
