"""The family's reads and writes: one function per use case, each audited in
its own transaction like staff's, on the family's right of access."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.children import child_for
from stafett.concerns.models import Concern
from stafett.guides.loader import current_guide
from stafett.lib.forms import NUL_CHARACTER, TEXT_LIMIT, TOO_LONG, is_id
from stafett.notify.outbox import tell
from stafett.relay.models import (
    ChildView,
    Entry,
    Evaluation,
    Goal,
    Measure,
    Meeting,
    MeetingReply,
    Relay,
)
from stafett.relay.policy import covered_service_ids, current_consent
from stafett.tenancy.models import Membership, Service

from .policy import family_actions, family_relays, family_scope, family_timeline, load_family_relay

FAMILY = LegalBasis.FAMILY_ACCESS


def audit(actor, action: str, relay, item=None) -> None:
    """One audit row for a family member's read or write of their own log."""
    with family_scope(relay):
        record(actor, action, relay, legal_basis=FAMILY, child_id=relay.child_id, item=item)


def my_relays(actor) -> list:
    """The relays of the actor's children, newest first, each audited as a
    list read (one call per municipality: each has its own chain)."""
    with transaction.atomic(), scopes_disabled():
        relays = list(
            family_relays(actor).select_related("municipality", "holder", "holder_service")
            .order_by("-created_at", "-pk")
        )
        for _municipality, rows in groupby(sorted(relays, key=lambda r: r.municipality_id),
                                           key=lambda r: r.municipality_id):
            record_many(actor, "list", [(r, r.child_id, None) for r in rows], legal_basis=FAMILY)
    return relays


def read_relay(actor, pk, action: str = "view", *, event: str = "read", part=None):
    """Load one of the family's relays and record one read; `part(relay)`
    finds a part of it (None refuses before anything is recorded)."""
    with transaction.atomic():
        relay = load_family_relay(actor, pk, action)
        item = None
        if part is not None:
            with family_scope(relay):
                item = part(relay)
            if item is None:
                raise Forbidden("part")
        audit(actor, event, relay, item)
    return (relay, item) if part is not None else relay


# --- what the family writes ---------------------------------------------------------
#
# Each write: lock the relay and ask the citizen policy (a closed relay takes
# no writes), write, audit on the family's right of access, and tell the
# holder and the named participants through the outbox — one transaction.

ENTRY_KINDS = (Entry.Kind.NOTE, Entry.Kind.BRIGHT_SPOT)


def _clean_text(text: str, limit: int, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    if "\x00" in text:
        raise ValidationError(str(NUL_CHARACTER))
    if len(text) > limit:
        raise ValidationError(str(TOO_LONG) % {"length": len(text), "limit": limit})
    return text


def _tell_staff(actor, relay, kind: str, **params) -> None:
    """The holder and the named participants the consent covers now."""
    covered = covered_service_ids(relay) | {relay.holder_service_id}
    users = {relay.holder_id: relay.holder}
    for participant in relay.participants.filter(
        left_at__isnull=True, user__isnull=False, user__is_active=True, service_id__in=covered,
    ).select_related("user"):
        users.setdefault(participant.user_id, participant.user)
    for user in users.values():
        if user.is_active and user.pk != actor.user.pk:
            tell(user, kind, municipality=relay.municipality, about=relay, params=params)


def _lock_for(actor, pk, action: str):
    """Lock the relay and ask the citizen policy; a family member who may read
    it but not `action` it is told why (only a closed log refuses them)."""
    relay = load_family_relay(actor, pk, "view", lock=True)
    if action not in family_actions(actor, relay):
        raise ValidationError(_("This log is closed: nothing more can be written in it."))
    return relay


def write_entry(actor, pk, *, kind: str, text: str) -> Entry:
    """A note or a bright spot from the family, marked as the family's."""
    if kind not in ENTRY_KINDS:
        raise ValidationError(_("Choose a note or a bright spot."))
    text = _clean_text(text, TEXT_LIMIT, _("Write something before you send it."))
    with transaction.atomic():
        relay = _lock_for(actor, pk, "write")
        with family_scope(relay):
            entry = Entry.objects.create(
                municipality_id=relay.municipality_id, relay=relay, kind=kind, text=text,
                author=actor.user, author_service=None, by_family=True, created_at=timezone.now(),
            )
            _tell_staff(actor, relay, "family_wrote")
            audit(actor, "create", relay, entry)
    return entry


def upcoming_meetings(relay):
    """The relay's meetings still ahead: what the family may answer or write
    their view before."""
    return Meeting.objects.filter(relay=relay, starts_at__gt=timezone.now()).order_by("starts_at", "pk")


def _upcoming_meeting(relay, meeting_id) -> Meeting:
    meeting = None
    if is_id(meeting_id):
        meeting = upcoming_meetings(relay).filter(pk=meeting_id).first()
    if meeting is None:
        raise ValidationError(_("Choose one of the meetings that are still ahead."))
    return meeting


def write_child_view(actor, pk, *, meeting_id, text: str) -> ChildView:
    """"What I want you to know" before a meeting: by the young person, or by
    a guardian on the child's behalf."""
    text = _clean_text(text, TEXT_LIMIT, _("Write what the child wants the others to know."))
    with transaction.atomic():
        relay = _lock_for(actor, pk, "write")
        with family_scope(relay):
            meeting = _upcoming_meeting(relay, meeting_id)
            by = (ChildView.WrittenBy.CHILD if actor.family.is_the_child(relay.child_id)
                  else ChildView.WrittenBy.GUARDIAN)
            view = ChildView.objects.create(
                municipality_id=relay.municipality_id, meeting=meeting, written_by=by,
                author=actor.user, text=text, created_at=timezone.now(),
            )
            _tell_staff(actor, relay, "family_child_view", meeting=meeting.pk)
            audit(actor, "create", relay, view)
    return view


REPLY_COMMENT_LIMIT = 500


def reply_to_meeting(actor, pk, *, meeting_id, answer: str, comment: str = "") -> MeetingReply:
    if answer not in MeetingReply.Answer.values:
        raise ValidationError(_("Choose whether you will come."))
    comment = (comment or "").strip()
    if comment:
        comment = _clean_text(comment, REPLY_COMMENT_LIMIT, "")
    if answer == MeetingReply.Answer.OTHER_TIME and not comment:
        raise ValidationError(_("Write which times suit you."))
    with transaction.atomic():
        relay = _lock_for(actor, pk, "reply")
        with family_scope(relay):
            meeting = _upcoming_meeting(relay, meeting_id)
            reply = MeetingReply.objects.create(
                municipality_id=relay.municipality_id, meeting=meeting, author=actor.user,
                guardian_id=actor.family.guardian_for(relay.child_id), answer=answer,
                comment=comment, created_at=timezone.now(),
            )
            _tell_staff(actor, relay, "family_meeting_reply", meeting=meeting.pk)
            audit(actor, "create", relay, reply)
    return reply


# --- reading the log ------------------------------------------------------------------

TIMELINE_PAGE_SIZE = 20


def relay_page(actor, pk, page_number=None) -> dict:
    """Everything the family's view of one relay shows, read in a fixed
    number of queries whatever its size, and audited as one family read."""
    relay = read_relay(actor, pk)
    with family_scope(relay):
        meetings = list(
            Meeting.objects.filter(relay=relay).order_by("-starts_at", "-pk")
            .prefetch_related(
                Prefetch("child_views", queryset=ChildView.objects.order_by("created_at", "pk")),
                Prefetch("replies", queryset=MeetingReply.objects.filter(author=actor.user)
                         .order_by("created_at", "pk")),
            )
        )
        consent = current_consent(relay)
        page = Paginator(family_timeline(actor, relay).select_related("author", "author_service"),
                         TIMELINE_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        return {
            "relay": relay,
            "goals": list(Goal.objects.filter(relay=relay).order_by("created_at", "pk")),
            "measures": list(Measure.objects.filter(relay=relay)
                             .select_related("responsible_service", "responsible_user", "goal")),
            "meetings": meetings,
            "evaluations": list(Evaluation.objects.filter(relay=relay).order_by("-created_at", "-pk")),
            "participants": list(relay.participants.filter(left_at__isnull=True)
                                 .select_related("service", "user")),
            "consent": consent,
            "consent_services": list(consent.services.order_by("name")) if consent else [],
            "page": page,
            "allowed": family_actions(actor, relay),
            "now": timezone.now(),
        }


# --- the family's own worry (foreldreinitiativ) -----------------------------------------


def worry_services(municipality_id=None):
    """The services a family may ask to start BTI work: kindergartens,
    schools, health stations (basis and help services), by municipality."""
    with scopes_disabled():
        queryset = Service.objects.filter(kind__in=WORRY_SERVICE_KINDS).select_related("municipality")
        if municipality_id is not None:
            queryset = queryset.filter(municipality_id=municipality_id)
        return queryset.order_by("municipality__name", "name")


WORRY_SERVICE_KINDS = ("basis", "hjelpe")


def raise_worry(actor, *, service, child: dict, worry: str, contact_how: str,
                contact_detail: str = "") -> Concern:
    """The family asks `service` to start the BTI work for their child: a
    level-0 worry without an author, in the service's leader inbox, marked as
    raised by the family; its leaders are told."""
    if not actor.is_citizen or not actor.family.national_id:
        raise Forbidden("worry")
    if service.kind not in WORRY_SERVICE_KINDS:
        raise ValidationError(_("Choose a kindergarten, a school or a health station."))
    worry = _clean_text(worry, TEXT_LIMIT, _("Write what you are worried about."))
    if contact_how not in Concern.Contact.values:
        raise ValidationError(_("Choose how you want to be contacted."))
    now = timezone.now()
    with transaction.atomic(), scope(municipality=service.municipality_id):
        # The service's own municipality's guide: the page runs across
        # municipalities, and the scope here is what narrows it.
        guide = current_guide()
        if guide is None:
            raise ValidationError(_("This service cannot receive requests yet. Contact it directly."))
        municipality = service.municipality
        child_obj = child_for(municipality, **child)
        concern = Concern.objects.create(
            municipality=municipality, service=service, author=None, raised_by_family=True,
            raised_by=actor.user, child=child_obj, child_name=child["name"],
            child_id_given=bool(child.get("national_id")), guide=guide, observations=worry,
            questions="", contact_how=contact_how, contact_detail=contact_detail,
            # In the leader's inbox from the start: the family asked the service.
            shared_at=now, created_at=now, last_activity_at=now,
        )
        for membership in Membership.objects.filter(
            service=service, role=Membership.Role.LEADER, active=True, user__is_active=True,
        ).select_related("user"):
            tell(membership.user, "family_worry_raised", municipality=municipality, about=concern)
        record(actor, "create", concern, legal_basis=FAMILY, child_id=concern.child_id)
    return concern


def worry_status(concern) -> str:
    """What the family sees of their request: received, someone is working
    on it, closed, or a relay was started — nothing staff wrote in it."""
    if concern.has_relay:
        return "relay"
    if concern.status == Concern.Status.CLOSED:
        return "closed"
    if concern.author_id is not None or concern.decided_at is not None:
        return "working"
    return "received"


def my_worries(actor) -> list:
    """The worries this family member raised, newest first, with their status
    only; audited as a list read (per municipality: each has its own chain)."""
    if not actor.is_citizen:
        return []
    with transaction.atomic(), scopes_disabled():
        worries = list(
            Concern.objects.filter(raised_by=actor.user, raised_by_family=True)
            .select_related("service", "municipality")
            .annotate(has_relay=Exists(Relay.objects.filter(concern=OuterRef("pk"))))
            .only("pk", "municipality", "service", "child_id", "child_name", "status", "author_id",
                  "decided_at", "created_at", "service__name", "municipality__name")
            .order_by("-created_at", "-pk")[:50]
        )
        for concern in worries:
            concern.family_status = worry_status(concern)
        for _municipality, rows in groupby(sorted(worries, key=lambda c: c.municipality_id),
                                           key=lambda c: c.municipality_id):
            record_many(actor, "list", [(c, c.child_id, None) for c in rows], legal_basis=FAMILY)
    return worries


# --- where the family is told -----------------------------------------------------------


def set_email(actor, email: str) -> None:
    """The address the family member wants e-mails at ("" removes it). Their
    own account data, not the child's: nothing to audit."""
    if not actor.is_citizen:
        raise Forbidden("email")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=actor.user.pk)
        user.email = email
        user.save(update_fields=["email"])
