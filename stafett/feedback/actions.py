"""Sending feedback and answering it: one atomic function per use case.

Feedback is about how BTI works, not about a child, so it is not audited as
a child's data is; its history (StatusChange) is the record of what the
coordinator did. An anonymous item is written so that nothing in the
database names its sender: no sender, no service, only the day it came, and
the SHA-256 of a tracking code the person is shown once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden
from stafett.lib.forms import OUT_OF_DATE
from stafett.notify.outbox import post, reachable_by_email, tell

from . import policy
from .models import Feedback, StatusChange
from .notify_kinds import FEEDBACK_ANSWERED, FEEDBACK_ANSWERED_FAMILY
from .parts import guide_parts, published_versions

TEXT_LIMIT = 4000
PART_TOPICS = {Feedback.Topic.STEP: "steps", Feedback.Topic.TOOL: "tools"}


@dataclass(frozen=True)
class Sent:
    feedback: Feedback
    code: str | None  # the tracking code of an anonymous item, shown once


def _check_content(municipality, topic: str, subject: str, text: str) -> str:
    """The subject to store; ValidationError with the person's message."""
    if topic not in Feedback.Topic.values:
        raise ValidationError(_("Choose what your feedback is about."))
    if not text.strip():
        raise ValidationError(_("Write your feedback."))
    if len(text) > TEXT_LIMIT:
        raise ValidationError(_("The feedback is too long: at most %(limit)s characters.") % {"limit": TEXT_LIMIT})
    if topic not in PART_TOPICS:
        return ""
    choices = dict(getattr(guide_parts(municipality), PART_TOPICS[topic]))
    if subject not in choices:
        raise ValidationError(
            _("Choose the step in the list.") if topic == Feedback.Topic.STEP
            else _("Choose the tool in the list."))
    return subject


def _midnight(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def send(actor: Actor, *, municipality, topic: str, subject: str, text: str, anonymous: bool) -> Sent:
    """Feedback from staff (in their municipality) or a family member (to a
    municipality of their children's records)."""
    if actor.is_citizen:
        if municipality is None or municipality.pk not in policy.family_municipality_ids(actor):
            raise Forbidden("feedback_municipality")
        origin = Feedback.Origin.FAMILY
    else:
        if not policy.may_send(actor) or municipality != actor.municipality:
            raise Forbidden("send_feedback")
        origin = Feedback.Origin.STAFF
    subject = _check_content(municipality, topic, subject, text)
    now = timezone.now()
    code = None
    fields = {"sender": actor.user}
    if not actor.is_citizen and actor.service_ids:
        # The sender's service at the time: the first by id, for a steady answer.
        fields["service_id"] = min(actor.service_ids)
    if anonymous:
        code = policy.new_tracking_code()
        # Only the day: an exact time could be matched against who was logged in then.
        now = _midnight(now)
        fields = {"sender": None, "service": None, "tracking_hash": policy.code_hash(code)}
    feedback = Feedback.objects.create(
        municipality=municipality, origin=origin, topic=topic, subject=subject, text=text.strip(),
        created_at=now, updated_at=now, **fields)
    StatusChange.objects.create(municipality=municipality, feedback=feedback,
                                status=Feedback.Status.RECEIVED, at=now)
    return Sent(feedback, code)


@transaction.atomic
def change_status(actor: Actor, pk, *, version: int, status: str, answer: str, guide_id=None) -> Feedback:
    """The coordinator sets a new status (or a new answer) and tells a named
    sender; the change is a row of the item's history."""
    feedback = policy.load_handled(actor, pk, lock=True)
    if feedback.version != version:
        raise ValidationError(str(OUT_OF_DATE), code="conflict")
    if status not in policy.next_statuses(feedback):
        raise ValidationError(_("Choose one of the statuses in the list."))
    answer = (answer or "").strip()
    if len(answer) > TEXT_LIMIT:
        raise ValidationError(_("The answer is too long: at most %(limit)s characters.") % {"limit": TEXT_LIMIT})
    if status in policy.ANSWER_REQUIRED and not answer:
        raise ValidationError(_("Write an answer to the sender: what was decided, and why."))
    guide = None
    if guide_id not in (None, ""):
        if status != Feedback.Status.CHANGED:
            raise ValidationError(_("A guide version can only be linked when the status is “changed”."))
        guide = published_versions(actor.municipality).filter(pk=guide_id).first()
        if guide is None:
            raise ValidationError(_("Choose a published version of the guide from the list."))
    if (status, answer, guide) == (feedback.status, feedback.answer, feedback.guide):
        raise ValidationError(_("Nothing was changed: choose another status or write a new answer."))
    now = timezone.now()
    feedback.status, feedback.answer, feedback.guide = status, answer, guide
    feedback.answered_by = actor.user
    feedback.updated_at = now
    feedback.version += 1
    feedback.save(update_fields=["status", "answer", "guide", "answered_by", "updated_at", "version"])
    StatusChange.objects.create(municipality=feedback.municipality, feedback=feedback, status=status,
                                answer=answer, guide=guide, by=actor.user, at=now)
    _tell_sender(feedback)
    return feedback


def _tell_sender(feedback: Feedback) -> None:
    """A named sender is told that there is news, never what they wrote; an
    anonymous one has nobody to tell (they follow it by code)."""
    sender = feedback.sender
    if sender is None or policy.is_anonymous(feedback):
        return
    if feedback.origin == Feedback.Origin.STAFF:
        tell(sender, FEEDBACK_ANSWERED.code, municipality=feedback.municipality, about=feedback)
    elif reachable_by_email(sender):
        post(sender, FEEDBACK_ANSWERED_FAMILY.code, key=f"feedback:{feedback.pk}:v{feedback.version}",
             municipality=feedback.municipality, params={"feedback": feedback.pk})


def status_counts(actor: Actor) -> dict[str, int]:
    """How many items are in each status: one query."""
    counts = dict.fromkeys(Feedback.Status.values, 0)
    rows = policy.handled_feedback(actor).order_by().values_list("status").annotate(n=Count("pk"))
    for status, n in rows:
        counts[status] = n
    return counts


def waiting_count(actor: Actor) -> int:
    """Received and not yet taken up, for the coordinator's start page."""
    if not policy.may_handle(actor):
        return 0
    return policy.handled_feedback(actor).filter(status=Feedback.Status.RECEIVED).count()

