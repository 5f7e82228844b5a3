"""Every write to a level-0 concern goes through one of these functions.

Each is atomic, checks access through the policy layer, writes its audit
event in the same transaction, and bumps `version` so that a form posted
from a stale page is refused (Conflict) instead of overwriting someone's work.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stafett.access.policy import Forbidden, load_concern, require
from stafett.audit.log import record
from stafett.audit.models import LegalBasis
from stafett.guides.loader import current_guide
from stafett.lib.errors import Conflict

from .children import child_for
from .models import AcuteContact, Comment, Concern, Conversation


def _audit(actor, action, concern, item=None, basis=LegalBasis.SERVICE_DUTY):
    record(actor, action, concern, legal_basis=basis, child_id=concern.child_id, item=item)


def _lock(concern: Concern, version: int | None) -> Concern:
    """Re-read the row under lock and refuse if it moved on since `version`."""
    fresh = Concern.objects.select_for_update().get(pk=concern.pk)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def _touch(concern: Concern, *fields: str) -> None:
    concern.last_activity_at = timezone.now()
    concern.version += 1
    concern.save(update_fields=[*fields, "last_activity_at", "version"])


def read_concern(actor, pk, action: str = "view") -> Concern:
    """Load a concern for display and record exactly one read event."""
    with transaction.atomic():
        concern = load_concern(actor, pk, action)
        _audit(actor, "read" if action == "view" else f"read_{action}", concern)
    return concern


@transaction.atomic
def create_concern(actor, *, service, child: dict, observations: str, questions: str) -> Concern:
    if not actor.is_staff_member or not actor.works_in(service.pk):
        raise Forbidden("create")
    guide = current_guide()
    if guide is None:
        raise Forbidden("no guide")
    now = timezone.now()
    # Every service may wonder about the same child: the worries share the one
    # Child row, and each stays visible to its own author and service only.
    child_obj = child_for(actor.municipality, **child)
    concern = Concern.objects.create(
        municipality=actor.municipality,
        service=service,
        author=actor.user,
        child=child_obj,
        child_name=child["name"],
        child_id_given=bool(child.get("national_id")),
        guide=guide,
        observations=observations,
        questions=questions,
        created_at=now,
        last_activity_at=now,
    )
    _audit(actor, "create", concern)
    return concern


@transaction.atomic
def define_concern(actor, concern, *, version, observations: str, questions: str) -> Concern:
    require(actor, "define", concern)
    concern = _lock(concern, version)
    concern.observations, concern.questions = observations, questions
    _touch(concern, "observations", "questions")
    _audit(actor, "update", concern)
    return concern


@transaction.atomic
def share_concern(actor, concern, *, version, message: str = "") -> Concern:
    require(actor, "share", concern)
    concern = _lock(concern, version)
    if concern.shared_at is None:
        concern.shared_at, concern.shared_by = timezone.now(), actor.user
    if message:
        _comment(actor, concern, message)
    _touch(concern, "shared_at", "shared_by")
    _audit(actor, "share", concern)
    return concern


@transaction.atomic
def record_conversation(actor, concern, *, held_on, participants, summary, child_view):
    require(actor, "talk", concern)
    concern = _lock(concern, None)
    conversation = Conversation.objects.create(
        municipality_id=concern.municipality_id,
        concern=concern,
        held_on=held_on,
        participants=participants,
        summary=summary,
        child_view=child_view,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    _touch(concern)
    _audit(actor, "create", concern, conversation)
    return conversation


def _comment(actor, concern, text):
    comment = Comment.objects.create(
        municipality_id=concern.municipality_id,
        concern=concern,
        author=actor.user,
        text=text,
        created_at=timezone.now(),
    )
    _audit(actor, "create", concern, comment)
    return comment


@transaction.atomic
def add_comment(actor, concern, *, text: str):
    require(actor, "comment", concern)
    concern = _lock(concern, None)
    comment = _comment(actor, concern, text)
    _touch(concern)
    return comment


@transaction.atomic
def decide(actor, concern, *, version, outcome: str, reason: str) -> Concern:
    require(actor, "decide", concern)
    concern = _lock(concern, version)
    concern.outcome, concern.outcome_reason = outcome, reason
    concern.decided_at, concern.decided_by = timezone.now(), actor.user
    _touch(concern, "outcome", "outcome_reason", "decided_at", "decided_by")
    _audit(actor, "decide", concern)
    return concern


@transaction.atomic
def close_concern(actor, concern, *, version, reason: str) -> Concern:
    require(actor, "close", concern)
    concern = _lock(concern, version)
    concern.status = Concern.Status.CLOSED
    concern.closed_reason = reason
    concern.closed_at, concern.closed_by = timezone.now(), actor.user
    _touch(concern, "status", "closed_reason", "closed_at", "closed_by")
    _audit(actor, "close", concern)
    return concern


@transaction.atomic
def record_acute_contact(actor, concern, *, contacted, contacted_at, legal_basis,
                         leader_informed, leader_name, note) -> AcuteContact:
    """The acute path: no consent needed, its legal basis is recorded instead."""
    require(actor, "acute", concern)
    concern = _lock(concern, None)
    contact = AcuteContact.objects.create(
        municipality_id=concern.municipality_id,
        concern=concern,
        contacted=contacted,
        contacted_at=contacted_at,
        legal_basis=legal_basis,
        leader_informed=leader_informed,
        leader_name=leader_name,
        note=note,
        recorded_by=actor.user,
        recorded_at=timezone.now(),
    )
    _touch(concern)
    _audit(actor, "acute_contact", concern, contact, basis=legal_basis)
    return contact
