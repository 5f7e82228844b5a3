"""The retention actions: the coordinator's schedule, and setting and
lifting a legal hold. Each is one transaction: lock, re-read, ask the
policy, write, audit (ids and codes only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.audit.log import record
from stafett.audit.models import LegalBasis
from stafett.concerns.models import Child
from stafett.lib.errors import Conflict

from .engine import schedule_for
from .models import LegalHold, RetentionSchedule
from .policy import load_case, require_schedule_editor


def schedule_of(actor) -> RetentionSchedule:
    require_schedule_editor(actor)
    return schedule_for(actor.municipality)


@transaction.atomic
def update_schedule(actor, *, version: int, **months) -> RetentionSchedule:
    """New periods apply from the worker's next run. Audited as a change to
    the schedule (no child is involved)."""
    require_schedule_editor(actor)
    schedule = schedule_for(actor.municipality)
    schedule = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.version != version:
        raise Conflict
    for name, value in months.items():
        if name not in RetentionSchedule.FIELDS:
            raise ValueError(name)
        setattr(schedule, name, value)
    schedule.updated_at, schedule.updated_by = timezone.now(), actor.user
    schedule.version += 1
    schedule.save()
    record(actor, "update_retention_schedule", schedule, legal_basis=LegalBasis.RETENTION)
    return schedule


def active_hold(child_id: int) -> LegalHold | None:
    return LegalHold.objects.filter(child_id=child_id, lifted_at__isnull=True).first()


def _audit(actor, action, case, hold, basis):
    record(actor, action, case, legal_basis=basis, child_id=case.child_id, item=hold,
           service_id=_service_of(actor, case))


def _service_of(actor, case) -> int | None:
    own = getattr(case, "holder_service_id", None) or getattr(case, "service_id", None)
    if actor.works_in(own):
        return own
    mine = actor.service_ids
    return next(iter(mine)) if len(mine) == 1 else None


def read_hold(actor, kind: str, pk):
    """The case and the child's hold in force (if any), for the hold page;
    the read is audited on the case."""
    with transaction.atomic():
        case, basis = load_case(actor, kind, pk)
        hold = active_hold(case.child_id)
        _audit(actor, "read_legal_hold", case, hold, basis)
    return case, hold


def _lock_child(case) -> None:
    # The retention worker locks the same row before it deletes anything of
    # the child, so a hold and a deletion never pass each other.
    Child.objects.select_for_update().filter(pk=case.child_id).first()


@transaction.atomic
def set_hold(actor, kind: str, pk, *, reason: str) -> LegalHold:
    case, basis = load_case(actor, kind, pk, lock=True)
    if reason not in LegalHold.Reason.values:
        raise ValidationError(_("Choose why the child's data must be kept."))
    _lock_child(case)
    if active_hold(case.child_id) is not None:
        raise ValidationError(_("The child's data is already kept by a legal hold."))
    hold = LegalHold.objects.create(
        municipality_id=case.municipality_id, child_id=case.child_id, reason=reason,
        set_at=timezone.now(), set_by=actor.user,
    )
    _audit(actor, "legal_hold_set", case, hold, basis)
    return hold


@transaction.atomic
def lift_hold(actor, kind: str, pk, *, lift_reason: str) -> LegalHold:
    case, basis = load_case(actor, kind, pk, lock=True)
    if lift_reason not in LegalHold.LiftReason.values:
        raise ValidationError(_("Choose why the legal hold is lifted."))
    _lock_child(case)
    hold = active_hold(case.child_id)
    if hold is None:
        raise ValidationError(_("The child's data is not kept by a legal hold."))
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), actor.user, lift_reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _audit(actor, "legal_hold_lifted", case, hold, basis)
    return hold
