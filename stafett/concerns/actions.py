"""Every write to a level-0 concern goes through one of these functions.

Each is atomic, checks access through the policy layer, writes its audit
event in the same transaction, and bumps `version` so that a form posted
from a stale page is refused (Conflict) instead of overwriting someone's work.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis
from stafett.guides.loader import current_guide
from stafett.lib.errors import Conflict
from stafett.lib.paging import page_by_ids
from stafett.notify.outbox import post_record
from stafett.tenancy.models import Membership

from .children import child_for
from .models import AcuteContact, Comment, Concern, Conversation
from .policy import load_concern


def _audit(actor, action, concern, item=None, basis=LegalBasis.SERVICE_DUTY):
    record(actor, action, concern, legal_basis=basis, child_id=concern.child_id, item=item,
           service_id=_acting_service_id(actor, concern))


def _acting_service_id(actor, concern) -> int | None:
    """The worry's service when the actor works there, else the actor's only
    service, for the audit trail (who read it, for which service)."""
    if actor.works_in(concern.service_id):
        return concern.service_id
    mine = actor.service_ids
    return next(iter(mine)) if len(mine) == 1 else None


def _lock(actor, concern: Concern, action: str, version: int | None = None) -> Concern:
    """Lock and re-read the row, then ask the policy about what is really
    there now (ARCHITECTURE.md rule 8), and refuse a stale `version`."""
    fresh = load_concern(actor, concern.pk, action, lock=True)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def _touch(concern: Concern, *fields: str) -> None:
    concern.last_activity_at = timezone.now()
    concern.version += 1
    concern.save(update_fields=[*fields, "last_activity_at", "version"])


def read_concern(actor, pk, action: str = "view", *, part=None):
    """Load a concern for display and record exactly one read event, in one
    transaction; a refusal raises before anything is recorded. `part(concern)`
    looks up something the page shows with it (a tool of its guide); when it
    finds nothing, the read is refused too, and (concern, part) is returned."""
    with transaction.atomic():
        concern = load_concern(actor, pk, action)
        item = part(concern) if part is not None else None
        if part is not None and item is None:
            raise Forbidden("part")
        _audit(actor, "read" if action == "view" else f"read_{action}", concern)
    return (concern, item) if part is not None else concern


def list_concerns(actor, queryset, page_number, *, load, page_size: int = 25):
    """One page of `queryset` (already narrowed by the policy and ordered),
    its rows read by `load(ids)`, with each row audited as a list read in the
    same transaction. Returns the page. The policy's query runs once, not
    once for the count and again for the page (stafett.lib.paging)."""
    with transaction.atomic():
        page = page_by_ids(queryset, page_number, page_size, load)
        record_many(actor, "list", [(c, c.child_id, None, _acting_service_id(actor, c))
                                    for c in page.object_list],
                    legal_basis=LegalBasis.SERVICE_DUTY)
    return page


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
    concern = _lock(actor, concern, "define", version)
    concern.observations, concern.questions = observations, questions
    _touch(concern, "observations", "questions")
    _audit(actor, "update", concern)
    return concern


@transaction.atomic
def share_concern(actor, concern, *, version, message: str = "") -> Concern:
    concern = _lock(actor, concern, "share", version)
    if concern.shared_at is None:
        concern.shared_at, concern.shared_by = timezone.now(), actor.user
    if message:
        _comment(actor, concern, message)
    _touch(concern, "shared_at", "shared_by")
    _audit(actor, "share", concern)
    return concern


@transaction.atomic
def record_conversation(actor, concern, *, held_on, participants, summary, child_view):
    concern = _lock(actor, concern, "talk")
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
    concern = _lock(actor, concern, "comment")
    comment = _comment(actor, concern, text)
    _touch(concern)
    return comment


@transaction.atomic
def decide(actor, concern, *, version, outcome: str, reason: str) -> Concern:
    concern = _lock(actor, concern, "decide", version)
    concern.outcome, concern.outcome_reason = outcome, reason
    concern.decided_at, concern.decided_by = timezone.now(), actor.user
    _touch(concern, "outcome", "outcome_reason", "decided_at", "decided_by")
    _audit(actor, "decide", concern)
    return concern


@transaction.atomic
def close_concern(actor, concern, *, version, reason: str) -> Concern:
    concern = _lock(actor, concern, "close", version)
    concern.status = Concern.Status.CLOSED
    concern.closed_reason = reason
    concern.closed_at, concern.closed_by = timezone.now(), actor.user
    _touch(concern, "status", "closed_reason", "closed_at", "closed_by")
    _audit(actor, "close", concern)
    # A worry closed with a decision is archived as its own case; one that
    # went on into a relay is archived in the relay's folder when that closes.
    if concern.decided_at and not concern.relays.exists():
        post_record("archive", key=f"archive:concern:{concern.pk}",
                    municipality=concern.municipality,
                    params={"source": "concern", "id": concern.pk})
    return concern


@transaction.atomic
def record_acute_contact(actor, concern, *, contacted, contacted_at, legal_basis,
                         leader_informed, leader_name, note) -> AcuteContact:
    """The acute path: no consent needed, its legal basis is recorded instead."""
    concern = _lock(actor, concern, "acute")
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


@transaction.atomic
def reassign_concern(actor, concern, *, to_user) -> Concern:
    """A worry whose author has left stays with the service: its leader gives
    it to someone who works there now."""
    concern = _lock(actor, concern, "reassign")
    if not Membership.objects.filter(
        service_id=concern.service_id, user=to_user, active=True, user__is_active=True
    ).exists():
        raise ValidationError(_("Choose someone who works in %(service)s now.")
                              % {"service": concern.service.name})
    concern.author = to_user
    _touch(concern, "author")
    _audit(actor, "reassign", concern)
    return concern
