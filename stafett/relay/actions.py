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
import functools

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.children import child_for
from stafett.concerns.models import Child
from stafett.concerns.policy import load_concern
from stafett.guides.loader import current_guide
from stafett.lib.dates import add_years
from stafett.lib.errors import Conflict
from stafett.lib.paging import page_by_ids
from stafett.lib.prepared import Columns, Prepared
from stafett.notify.models import OutboxMessage
from stafett.notify.outbox import post_many, post_record, tell
from stafett.tenancy.models import Membership, Service

from .models import (
    Consent,
    ConsentParty,
    ConsentProposal,
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
from .policy import (
    appointment_basis,
    covered_service_ids,
    current_consent,
    holder_is_active,
    is_holder,
    legal_basis,
    load_handover,
    load_relay,
    open_consent_q,
    relay_actions,
)

MAX_CONSENT_YEARS = 3
# Services that may start a relay without a level-0 worry first.
DIRECT_START_KINDS = {"hjelpe", "voksen", "spesialist"}


def _audit(actor, action, relay, item=None, *, basis: str | None = None):
    record(actor, action, relay, legal_basis=basis or legal_basis(actor, relay),
           child_id=relay.child_id, item=item, service_id=acting_service_id(actor, relay))


def acting_service_id(actor, relay, *, query: bool = True) -> int | None:
    """The service the actor acts for in this relay, as the audit trail
    records it for the family's access log; None for a citizen, or where
    staff act for no one service (a coordinator appointing a holder).
    Without `query`, an actor in several services who does not hold the
    relay gets None rather than a query per row of a list."""
    if not actor.is_staff_member:
        return None
    if is_holder(actor, relay):
        return relay.holder_service_id
    mine = actor.service_ids
    if len(mine) == 1:
        return next(iter(mine))
    if not query:
        return None
    covered = covered_service_ids(relay)
    return next((s for s in sorted(mine) if s in covered), None)


def _actor_service(actor, relay) -> int:
    """The service the actor acts for in this relay."""
    if is_holder(actor, relay):
        return relay.holder_service_id
    covered = covered_service_ids(relay)
    for service_id in sorted(actor.service_ids):
        if service_id in covered:
            return service_id
    raise Forbidden("service")


def _entry(actor, relay, kind, text="", *, event="", params=None, service_id=None,
           **links) -> Entry:
    """A timeline entry. What the app says is stored as an event and its data
    (rendered in each reader's language); `text` is only what a person wrote.
    `service_id` names the service the entry is written for when the writer
    does not take part (an appointment, a declined handover)."""
    return Entry.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=kind, text=text,
        event=event, params=params or {},
        author=actor.user, author_service_id=service_id or _actor_service(actor, relay),
        created_at=timezone.now(), **links,
    )


def _tell(actor, relay, kind: str, users=(), *, leaders_of=(), **params) -> None:
    """Tell people of what happened to a relay, in the app and by e-mail
    without personal data (the outbox, in this transaction): `users`, and the
    active leaders of the services `leaders_of`; never the actor themself."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if leaders_of:
        for membership in Membership.objects.filter(
            service_id__in=set(leaders_of), role=Membership.Role.LEADER, active=True,
            user__is_active=True,
        ).select_related("user"):
            recipients.setdefault(membership.user_id, membership.user)
    recipients.pop(actor.user.pk, None)
    for user in recipients.values():
        tell(user, kind, municipality=relay.municipality, about=relay, params=params)


# --- telling the family ---------------------------------------------------------
#
# The family gets an e-mail (only if they gave an address on the family
# pages) with a link to the family pages and nothing else: no name, no
# content. Kinds in relay/notify_kinds.py.

# A new entry's e-mail waits this long, so an entry withheld from a guardian
# right after it was written never tells that guardian (the renderer checks
# again when it is sent).
FAMILY_ENTRY_DELAY = dt.timedelta(minutes=10)
# What staff write that the family is told of (not the app's own events).
FAMILY_ENTRY_KINDS = frozenset({"note", "bright_spot", "goal", "measure", "evaluation", "meeting"})


def family_numbers(relays, *, exclude_guardians=()) -> dict[int, set[str]]:
    """relay id -> the national identity numbers of its family who may read
    it: guardians with parental responsibility, and the child from the
    municipality's consent age (as stafett.citizen.actors sees them)."""
    relays = list(relays)
    today = timezone.localdate()
    numbers: dict[int, set[str]] = {r.pk: set() for r in relays}
    by_child: dict[int, list[int]] = {}
    for relay in relays:
        by_child.setdefault(relay.child_id, []).append(relay.pk)
    for child_id, number in Guardian.objects.filter(
        child_id__in=by_child, parental_responsibility=True,
    ).exclude(national_id="").exclude(pk__in=list(exclude_guardians)).values_list("child_id", "national_id"):
        for relay_id in by_child[child_id]:
            numbers[relay_id].add(number)
    for child_id, number, born, age in Child.objects.filter(pk__in=by_child).exclude(
        national_id="").filter(birth_date__isnull=False).values_list(
            "pk", "national_id", "birth_date", "municipality__child_consent_age"):
        if add_years(born, age) <= today:
            for relay_id in by_child[child_id]:
                numbers[relay_id].add(number)
    return numbers


def family_recipients(numbers: set[str]) -> list:
    """The family's citizen accounts that gave an e-mail address."""
    if not numbers:
        return []
    return list(get_user_model().objects.filter(
        kind="citizen", is_active=True, national_id__in=numbers).exclude(email="").order_by("pk"))


def tell_family(relay, kind: str, key: str, *, exclude_guardians=(), delay=None, **params) -> int:
    """An e-mail to each family member of `relay` with an address, once per
    `key` and person. `exclude_guardians`: guardians it must not reach (an
    entry withheld from them)."""
    numbers = family_numbers([relay], exclude_guardians=exclude_guardians)[relay.pk]
    rows = [(user.pk, f"{kind}:{key}:{user.pk}", {"relay": relay.pk, **params})
            for user in family_recipients(numbers)]
    return post_many(rows, kind, municipality=relay.municipality, delay=delay)


def _tell_family_of_entry(relay, entry: Entry) -> None:
    if entry.kind not in FAMILY_ENTRY_KINDS or entry.by_family:
        return
    withheld = Withholding.objects.filter(entry=entry).values_list("guardian_id", flat=True)
    tell_family(relay, "family_log_entry", str(entry.pk), exclude_guardians=withheld,
                delay=FAMILY_ENTRY_DELAY, entry=entry.pk)


def entry_withheld_from(entry_id: int, national_id: str) -> bool:
    """Whether the entry is kept from a guardian with this number (the e-mail
    renderer asks before sending)."""
    return Withholding.objects.filter(entry_id=entry_id, guardian__national_id=national_id).exists()


def tell_families_of_expiring_consents(relay_ids) -> int:
    """Once per consent: the family of each relay whose consent runs out
    within the follow-up rule's warning period (followup calls this with the
    rule's hits)."""
    consents = list(Consent.objects.filter(open_consent_q(), relay_id__in=list(relay_ids),
                                           valid_until__gte=timezone.localdate())
                    .select_related("relay", "relay__municipality"))
    numbers = family_numbers([c.relay for c in consents])
    users = family_recipients(set().union(*numbers.values()) if numbers else set())
    sent = 0
    for consent in consents:
        rows = [(u.pk, f"family_consent_expiring:{consent.pk}:{u.pk}", {"relay": consent.relay_id})
                for u in users if u.national_id in numbers[consent.relay_id]]
        sent += post_many(rows, "family_consent_expiring", municipality=consent.relay.municipality)
    return sent


def _lock(actor, relay: Relay, action: str, version: int | None = None) -> Relay:
    """Lock and re-read the relay, then ask the policy about what is really
    there now (ARCHITECTURE.md rule 8: load, lock, check, write, audit), and
    refuse a stale `version`."""
    fresh = load_relay(actor, relay.pk, action, lock=True)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def _touch(relay: Relay, *fields: str) -> None:
    relay.last_activity_at = timezone.now()
    relay.version += 1
    relay.save(update_fields=[*fields, "last_activity_at", "version"])


def _locked_part(model, obj, relay, version: int | None = None):
    """A part of `relay` (goal, measure, meeting, entry), locked and re-read
    after the relay itself; refused if it belongs to another relay."""
    fresh = model.objects.select_for_update().filter(pk=obj.pk, relay=relay).first()
    if fresh is None:
        raise Forbidden(model._meta.model_name)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def read_relay(actor, pk, action: str = "view", *, event: str | None = None, part=None,
               item=None):
    """Load a relay for display and record exactly one read event (`event`
    names it when the page is a particular read of the relay, e.g. "read_pdf").

    `part(relay)` looks up a part of the relay — a goal, a meeting, an entry,
    a guardian — within it; it is returned with the relay, and when it finds
    nothing the request is refused before anything is recorded (no audit row
    for a request that ends in 404)."""
    with transaction.atomic():
        relay = load_relay(actor, pk, action)
        if part is not None:
            item = part(relay)
            if item is None:
                raise Forbidden("part")
        _audit(actor, event or ("read" if action == "view" else f"read_{action}"), relay, item)
    return (relay, item) if part is not None else relay


@functools.cache
def _page_rows(related: tuple[str, ...]):
    """The relays of a page by id, with `related`: prepared, per `related`."""
    columns = Columns(Relay, related)
    prepared = Prepared(Relay, lambda ids: Relay.objects.filter(pk__in=ids).values_list(*columns.names))

    def load(ids):
        return columns.instances(prepared.rows(ids=ids))

    return load


def list_relays(actor, ordered, page_number, *, page_size: int = 25, extra=(),
                related=("child", "holder", "holder_service")):
    """One page of relays (`ordered`: already narrowed by the policy and
    ordered, a queryset or its ids), each row audited as a list read in the
    same transaction, on the legal basis of each row; `extra` = further
    (relay, item) pairs shown on the page (e.g. handovers waiting);
    `related` = what each row is shown with. Returns the page. Inside a
    caller's transaction it takes part in it without a savepoint (the list
    page reads and audits in one).

    The policy's query runs once, not once for the count and again for the
    page (stafett.lib.paging)."""
    with transaction.atomic(savepoint=False):
        page = page_by_ids(ordered, page_number, page_size, _page_rows(tuple(related)))
        audit_list(actor, [(r, None, None) for r in page.object_list] + list(extra))
    return page


MY_REQUESTS_SHOWN = 10
_MY_REQUEST_COLUMNS = Columns(InclusionRequest, ("service",))
_MY_REQUESTS = Prepared(InclusionRequest, lambda user: (
    InclusionRequest.objects.filter(requested_by_id=user).order_by("-created_at", "-pk")
    .values_list(*_MY_REQUEST_COLUMNS.names, "relay__child_id")[:MY_REQUESTS_SHOWN]))


def my_inclusion_requests(actor) -> list:
    """The person's own latest requests to be included, with the child as they
    typed it and only the family's answer: nothing of the relay they concern.
    Audited as a list read (in the caller's transaction, if any)."""
    with transaction.atomic(savepoint=False):
        rows = _MY_REQUESTS.rows(user=actor.user.pk)
        asked = _MY_REQUEST_COLUMNS.instances(row[:-1] for row in rows)
        for request, row in zip(asked, rows, strict=True):
            request.relay_child_id = row[-1]
        record_many(actor, "list", [(r, r.relay_child_id, None) for r in asked],
                    legal_basis=LegalBasis.SERVICE_DUTY)
    return asked


def audit_list(actor, shown) -> None:
    """Audit (relay, item or None, legal basis or None) shown in a list: one
    call per legal basis (by default the holder's own records, and those
    shared by consent)."""
    rows = [(relay, item, basis or legal_basis(actor, relay)) for relay, item, basis in shown]
    for basis in sorted({row[2] for row in rows}):
        record_many(actor, "list", [
            (relay, relay.child_id, item, acting_service_id(actor, relay, query=False))
            for relay, item, row_basis in rows if row_basis == basis
        ], legal_basis=basis)


def waiting_basis(handover) -> str:
    """Why the person asked to take over may read what is handed over: the
    holder's service's own duty for an appointment, the consent otherwise."""
    return (LegalBasis.SERVICE_DUTY if handover.kind == Handover.Kind.APPOINTMENT
            else LegalBasis.CONSENT)


def read_handover(actor, relay_pk, pk) -> Handover:
    """The handover or appointment waiting for `actor` to answer, with its
    relay's child, audited as a read of what is handed over."""
    with transaction.atomic():
        handover = load_handover(actor, relay_pk, pk, "accept")
        _audit(actor, "read_handover", handover.relay, handover, basis=waiting_basis(handover))
    return handover


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
        concern = load_concern(actor, concern.pk, "decide", lock=True)
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
        # The holder is asked; while nobody holds it who can act, the holder
        # service's leaders are (the appointment comes first).
        if holder_is_active(relay):
            _tell(actor, relay, "inclusion_requested", [relay.holder])
        else:
            _tell(actor, relay, "inclusion_requested", leaders_of=[relay.holder_service_id])
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


def _answer_inclusion(actor, relay, inclusion: InclusionRequest, status: str, *,
                      basis: str | None = None) -> None:
    inclusion.status = status
    inclusion.responded_at, inclusion.responded_by = timezone.now(), actor.user
    inclusion.save(update_fields=["status", "responded_at", "responded_by"])
    # The requester learns the family's answer and nothing more: a consent
    # adds them as a participant (and tells them so); a refusal is a notice
    # with no link to the relay.
    if status == InclusionRequest.Status.DECLINED and inclusion.requested_by.is_active:
        tell(inclusion.requested_by, "inclusion_declined", municipality=relay.municipality)
    record(actor, "accept_inclusion" if status == InclusionRequest.Status.ACCEPTED
           else "decline_inclusion", inclusion, legal_basis=basis or legal_basis(actor, relay),
           child_id=relay.child_id, service_id=acting_service_id(actor, relay))


@transaction.atomic
def decline_inclusion(actor, inclusion: InclusionRequest) -> InclusionRequest:
    """The holder records that the family said no. The requester is told that
    and nothing more, and still has no access."""
    relay = _lock(actor, inclusion.relay, "include")
    inclusion = _lock_inclusion(inclusion, relay)
    _answer_inclusion(actor, relay, inclusion, InclusionRequest.Status.DECLINED)
    _touch(relay)
    return inclusion


def _include_requesters(actor, relay, service_ids: set[int], *, service_id: int | None = None,
                        basis: str | None = None) -> None:
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
            _join(actor, relay, service=inclusion.service, user=user,
                  task=_("Asked to take part"), service_id=service_id, basis=basis)
        _answer_inclusion(actor, relay, inclusion, InclusionRequest.Status.ACCEPTED, basis=basis)


# --- guardians and consent ----------------------------------------------------


@transaction.atomic
def add_guardian(actor, relay, *, name, relation, parental_responsibility=True, phone="",
                 national_id=None) -> Guardian:
    """`national_id` (parsed, or None) lets the guardian log in to the family pages."""
    relay = _lock(actor, relay, "guardians")
    number = getattr(national_id, "value", national_id) or ""
    if number and relay.child.guardians.filter(national_id=number).exists():
        raise ValidationError(_("This guardian is already registered."))
    guardian = Guardian.objects.create(
        municipality_id=relay.municipality_id, child=relay.child, name=name, relation=relation,
        parental_responsibility=parental_responsibility, phone=phone, national_id=number,
    )
    _touch(relay)
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
    """Staff record the family's consent (a conversation, or the scanned
    paper form). Every guardian with parental responsibility must be a party,
    and the child from the municipality's age.

    `supersedes` is accepted for the extension page's sake; whatever consent
    is open is superseded either way (see `record_consent`)."""
    relay = _lock(actor, relay, "consent")
    if method == Consent.Method.IDPORTEN:
        # Only the family signs digitally, each for themself (ask_family_to_consent).
        raise ValidationError(_("Choose how the family gave the consent."))
    parties = [ConsentParty(guardian=g) for g in guardians]
    if child_consents:
        parties.append(ConsentParty(is_child=True))
    return record_consent(actor, relay, parties=parties, services=services, purpose=purpose,
                          given_on=given_on, valid_until=valid_until, method=method, scan=scan)


def consent_errors(relay, *, service_ids: set[int], purpose: str, given_on: dt.date,
                   valid_until: dt.date) -> list[str]:
    """What is wrong with a consent's terms, whoever records or proposes it."""
    errors = []
    today = timezone.localdate()
    if given_on > today:
        errors.append(_("The date of the conversation cannot be in the future."))
    if valid_until <= given_on:
        errors.append(_("The consent must be valid after the day it was given."))
    elif valid_until > add_years(given_on, MAX_CONSENT_YEARS):
        errors.append(_("A consent can be valid for at most three years."))
    if relay.holder_service_id not in service_ids:
        errors.append(_("The consent must cover the holder's own service."))
    if Service.objects.filter(pk__in=service_ids).exclude(
            municipality_id=relay.municipality_id).exists():
        errors.append(_("A consent can only name services of the child's municipality."))
    if not purpose.strip():
        errors.append(_("Write what the information may be used for."))
    return errors


def record_consent(actor, relay, *, parties, services, purpose: str, given_on: dt.date,
                   valid_until: dt.date, method: str, scan=None, proposal=None,
                   first_entry: tuple[str, dict] | None = None, service_id: int | None = None,
                   basis: str | None = None) -> Consent:
    """The write part of recording a consent, for staff (`give_consent`) and
    the family (stafett.citizen.consent) alike: call it inside the action's
    transaction with the relay locked and the policy asked.

    `parties` are unsaved ConsentParty rows (guardian or is_child, and for a
    digital consent signed_at and assurance_level). The newest consent is the
    one that counts: recording one (a first one, an extension, a renewal or a
    narrower one) supersedes the consent it replaces at once, so a service it
    leaves out loses access in this transaction; a proposal still waiting for
    signatures is superseded too (`proposal`, the one being recorded, is
    marked recorded). `service_id`/`basis`: what a family member acts for and
    on (the holder's service, the family's right of access)."""
    errors = []
    required = set(relay.child.guardians.filter(parental_responsibility=True).values_list("pk", flat=True))
    given = {p.guardian_id for p in parties if p.guardian_id}
    if not required:
        errors.append(_("Register the child's guardians before recording consent."))
    elif not required <= given:
        errors.append(_("Every guardian with parental responsibility must consent."))
    if given - set(relay.child.guardians.values_list("pk", flat=True)):
        errors.append(_("Only the child's own guardians can consent."))
    if child_must_consent(relay, given_on) and not any(p.is_child for p in parties):
        errors.append(_("The child is old enough to consent and must do so too."))
    service_ids = {s.pk for s in services}
    errors += consent_errors(relay, service_ids=service_ids, purpose=purpose, given_on=given_on,
                             valid_until=valid_until)
    if method == Consent.Method.SCAN and not scan:
        errors.append(_("Upload the scanned form."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    replaced = list(_open_consents(relay).prefetch_related("services"))
    before = covered_service_ids(relay)
    Consent.objects.filter(pk__in=[c.pk for c in replaced]).update(superseded_at=now)
    consent = Consent.objects.create(
        municipality_id=relay.municipality_id, relay=relay, purpose=purpose, given_on=given_on,
        valid_until=valid_until, method=method, scan=scan or "",
        supersedes=replaced[-1] if replaced else None,
        recorded_by=actor.user, recorded_at=now,
    )
    consent.services.set(service_ids)
    for party in parties:
        party.pk, party.municipality_id, party.consent = None, relay.municipality_id, consent
    ConsentParty.objects.bulk_create(parties)
    waiting = relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING)
    if proposal is not None:
        waiting.filter(pk=proposal.pk).update(status=ConsentProposal.Status.RECORDED,
                                              closed_at=now, consent=consent)
    waiting.update(status=ConsentProposal.Status.SUPERSEDED, closed_at=now)
    names = ", ".join(sorted(Service.objects.filter(pk__in=service_ids).values_list("name", flat=True)))
    event, params = first_entry or (
        "consent_recorded", {"services": names, "date": valid_until.isoformat()})
    _entry(actor, relay, Entry.Kind.CONSENT, event=event, params=params, service_id=service_id)
    dropped = before - service_ids
    _cancel_uncovered_handovers(relay, now)
    if dropped:
        left_out = ", ".join(sorted(Service.objects.filter(pk__in=dropped).values_list("name", flat=True)))
        _entry(actor, relay, Entry.Kind.CONSENT, event="consent_narrowed",
               params={"services": left_out}, service_id=service_id)
        left = relay.participants.filter(service_id__in=dropped, left_at__isnull=True)
        _tell(actor, relay, "consent_narrowed", [p.user for p in left.select_related("user")],
              leaders_of=dropped)
    _touch(relay)
    _audit(actor, "consent", relay, consent, basis=basis)
    _include_requesters(actor, relay, service_ids, service_id=service_id, basis=basis)
    return consent


def _cancel_uncovered_handovers(relay, now) -> None:
    """A handover to a service the consent no longer covers cannot be answered
    (relay/policy.py); cancel it, so the holder may ask someone else."""
    covered = covered_service_ids(relay)
    relay.handovers.filter(status=Handover.Status.PENDING, kind=Handover.Kind.HANDOVER).exclude(
        to_service_id__in=covered | {relay.holder_service_id}
    ).update(status=Handover.Status.CANCELLED, responded_at=now)


def _open_consents(relay):
    """Consents neither withdrawn nor superseded (at most one, by constraint;
    it may have expired)."""
    return relay.consents.filter(open_consent_q()).order_by("recorded_at", "pk")


@transaction.atomic
def withdraw_consent(actor, relay, *, reason: str) -> int:
    """Staff record that the family withdrew (see `end_consent`)."""
    if not reason.strip():
        raise ValidationError(_("Write why the consent was withdrawn."))
    relay = _lock(actor, relay, "consent")
    return end_consent(actor, relay, reason=reason)


def end_consent(actor, relay, *, reason: str = "", entry: tuple[str, dict] | None = None,
                kind: str = "consent_withdrawn", service_id: int | None = None,
                basis: str | None = None) -> int:
    """The write part of a withdrawal, for staff and the family alike (call
    it with the relay locked and the policy asked): every consent in force
    ends now, and with it every other service's access, in this same
    transaction; a proposal waiting for signatures is cancelled (the family
    said no). `entry` = (event, params) for the timeline instead of the
    staff's "withdrawn: reason"; `kind` is what those taking part are told."""
    now = timezone.now()
    shared_with = covered_service_ids(relay) - {relay.holder_service_id}
    count = _open_consents(relay).update(
        withdrawn_at=now, withdrawn_by=actor.user, withdrawn_reason=reason,
    )
    relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING).update(
        status=ConsentProposal.Status.CANCELLED, closed_at=now)
    _cancel_uncovered_handovers(relay, now)
    taking_part = relay.participants.filter(left_at__isnull=True).select_related("user")
    _tell(actor, relay, kind, [p.user for p in taking_part], leaders_of=shared_with)
    event, params = entry or ("consent_withdrawn", {})
    _entry(actor, relay, Entry.Kind.CONSENT, reason, event=event, params=params,
           service_id=service_id)
    _touch(relay)
    _audit(actor, "withdraw_consent", relay, basis=basis)
    return count


# --- asking the family to consent digitally --------------------------------------


@transaction.atomic
def ask_family_to_consent(actor, relay, *, services, purpose: str,
                          valid_until: dt.date) -> ConsentProposal:
    """The holder asks the family to consent in the family pages (ID-porten):
    a proposal each required party signs for themself (stafett.citizen.consent).
    The paper route stays for families without electronic ID."""
    relay = _lock(actor, relay, "consent")
    guardians, child_must = required_parties(relay, timezone.localdate())
    cannot = [g.name for g in guardians if not g.national_id]
    if child_must and not relay.child.national_id:
        cannot.append(relay.child_name)
    if not guardians:
        raise ValidationError(_("Register the child's guardians before recording consent."))
    if cannot:
        # Each party signs with ID-porten, found by the identity number on record.
        raise ValidationError(_(
            "%(names)s cannot sign digitally: no identity number is registered. Register it, "
            "or use the paper form.") % {"names": ", ".join(cannot)})
    proposal = propose_consent(actor, relay, services=services, purpose=purpose,
                               valid_until=valid_until)
    _audit(actor, "propose_consent", relay, proposal)
    return proposal


def propose_consent(actor, relay, *, services, purpose: str, valid_until: dt.date,
                    service_id: int | None = None) -> ConsentProposal:
    """The write part of a proposal, for the holder and the family alike
    (relay locked, policy asked): it replaces a proposal still waiting, and
    its kind says what it changes against the consent in force."""
    service_ids = {s.pk for s in services}
    today = timezone.localdate()
    errors = []
    if not service_ids:
        errors.append(_("Choose at least one service."))
    if valid_until <= today:
        errors.append(_("The end date must be after today."))
    errors += consent_errors(relay, service_ids=service_ids, purpose=purpose, given_on=today,
                             valid_until=valid_until)
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    current = current_consent(relay, today)
    if current is None:
        kind = ConsentProposal.Kind.GIVE
    else:
        covered = {s.pk for s in current.services.all()}
        kind = (ConsentProposal.Kind.EXTEND if service_ids - covered
                else ConsentProposal.Kind.NARROW if covered - service_ids
                else ConsentProposal.Kind.RENEW)
    now = timezone.now()
    relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING).update(
        status=ConsentProposal.Status.SUPERSEDED, closed_at=now)
    proposal = ConsentProposal.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=kind, purpose=purpose,
        valid_until=valid_until, proposed_by=actor.user, proposed_at=now,
    )
    proposal.services.set(service_ids)
    names = ", ".join(sorted(Service.objects.filter(pk__in=service_ids).values_list("name", flat=True)))
    _entry(actor, relay, Entry.Kind.CONSENT, event="consent_proposed",
           params={"name": actor.user.get_full_name(), "services": names}, service_id=service_id)
    _touch(relay)
    return proposal


def pending_proposal(relay) -> ConsentProposal | None:
    """The proposal waiting for signatures, with its signatures (at most one)."""
    return (relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING)
            .select_related("proposed_by")
            .prefetch_related("services", "signatures__guardian").first())


def required_parties(relay, on: dt.date) -> tuple[list[Guardian], bool]:
    """Who must sign a consent for this relay: each guardian with parental
    responsibility, and the child from the municipality's consent age."""
    return (list(relay.child.guardians.filter(parental_responsibility=True).order_by("name", "pk")),
            child_must_consent(relay, on))


# --- participants and the holder ------------------------------------------------


@transaction.atomic
def add_participant(actor, relay, *, service, user=None, task: str = "") -> Participant:
    relay = _lock(actor, relay, "participants")
    return _join(actor, relay, service=service, user=user, task=task)


def _join(actor, relay, *, service, user=None, task: str = "", service_id: int | None = None,
          basis: str | None = None) -> Participant:
    """The write part of adding a participant (relay locked, policy asked);
    also run when a family's consent lets a service that asked join."""
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
    _entry(actor, relay, Entry.Kind.PARTICIPANT, event="participant_joined", params={"who": who},
           service_id=service_id)
    if user is not None:
        _tell(actor, relay, "participant_added", [user])
    else:
        _tell(actor, relay, "participant_added", leaders_of=[service.pk])
    _touch(relay)
    _audit(actor, "add_participant", relay, participant, basis=basis)
    return participant


@transaction.atomic
def remove_participant(actor, participant) -> None:
    relay = _lock(actor, participant.relay, "participants")
    participant = _locked_part(Participant, participant, relay)
    if participant.left_at is not None:
        return
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
    relay = _lock(actor, relay, "handover")
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
        requested_at=timezone.now(), requested_by=actor.user,
    )
    _entry(actor, relay, Entry.Kind.HANDOVER, event="handover_requested",
           params={"name": to_user.get_full_name()})
    _tell(actor, relay, "handover_offered", [to_user], handover=handover.pk)
    _touch(relay)
    _audit(actor, "request_handover", relay, handover)
    return handover


@transaction.atomic
def respond_to_handover(actor, handover, *, accept: bool) -> Handover:
    """The person asked accepts (the baton passes at once) or declines. The
    same for a handover and for an appointment by a leader or coordinator."""
    handover = load_handover(actor, handover.relay_id, handover.pk,
                             "accept" if accept else "decline", lock=True)
    relay = handover.relay
    handover.status = Handover.Status.ACCEPTED if accept else Handover.Status.DECLINED
    handover.responded_at = timezone.now()
    handover.save(update_fields=["status", "responded_at"])
    if accept:
        relay.holder_id, relay.holder_service_id = handover.to_user_id, handover.to_service_id
        _entry(actor, relay, Entry.Kind.HANDOVER, handover.note, event="handover_accepted",
               params={"name": actor.user.get_full_name()})
        _touch(relay, "holder", "holder_service")
        tell_family(relay, "family_holder_changed", str(handover.pk))
    else:
        _entry(actor, relay, Entry.Kind.HANDOVER, event="handover_declined",
               service_id=handover.to_service_id)
        _touch(relay)
    _tell(actor, relay, "handover_accepted" if accept else "handover_declined",
          [handover.requested_by], handover=handover.pk)
    basis = LegalBasis.SERVICE_DUTY if accept else waiting_basis(handover)
    _audit(actor, "accept_handover" if accept else "decline_handover", relay, handover, basis=basis)
    return handover


@transaction.atomic
def cancel_handover(actor, handover) -> None:
    handover = load_handover(actor, handover.relay_id, handover.pk, "cancel", lock=True)
    relay = handover.relay
    handover.status, handover.responded_at = Handover.Status.CANCELLED, timezone.now()
    handover.save(update_fields=["status", "responded_at"])
    _touch(relay)
    basis = appointment_basis(actor, relay) if handover.kind == Handover.Kind.APPOINTMENT else None
    _audit(actor, "cancel_handover", relay, handover, basis=basis)


@transaction.atomic
def appoint_holder(actor, relay, *, to_user, note: str) -> Handover:
    """The holder has left the service or lost their account: the leader of
    the holder's service (or, where it has none, the BTI coordinator) asks an
    active member of that service to take over. The appointee accepts as in a
    handover; until then the relay stays with the service, held by nobody who
    can act, and the follow-up break stays open."""
    relay = Relay.objects.select_for_update().filter(pk=relay.pk).select_related(
        "holder_service").first()
    basis = appointment_basis(actor, relay) if relay is not None else None
    if basis is None:
        raise Forbidden("appoint")
    if not note.strip():
        raise ValidationError(_("Write what the new holder needs to know."))
    if not Membership.objects.filter(
        service_id=relay.holder_service_id, user=to_user, active=True, user__is_active=True
    ).exists():
        raise ValidationError(_("Choose someone who works in %(service)s now.")
                              % {"service": relay.holder_service.name})
    now = timezone.now()
    pending = relay.handovers.filter(status=Handover.Status.PENDING).first()
    if pending is not None and pending.kind == Handover.Kind.APPOINTMENT:
        raise ValidationError(_("An appointment is already waiting for an answer. Cancel it first."))
    if pending is not None:
        # The departed holder's own request can no longer be followed up by them.
        Handover.objects.filter(pk=pending.pk).update(status=Handover.Status.CANCELLED, responded_at=now)
    if not relay.participants.filter(service_id=relay.holder_service_id, user=to_user,
                                     left_at__isnull=True).exists():
        Participant.objects.create(
            municipality_id=relay.municipality_id, relay=relay, service_id=relay.holder_service_id,
            user=to_user, task=_("New holder"), joined_at=now,
        )
    handover = Handover.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=Handover.Kind.APPOINTMENT,
        from_user_id=relay.holder_id, from_service_id=relay.holder_service_id, to_user=to_user,
        to_service_id=relay.holder_service_id, note=note, requested_at=now, requested_by=actor.user,
    )
    _entry(actor, relay, Entry.Kind.HANDOVER, event="holder_appointed",
           params={"name": to_user.get_full_name()}, service_id=relay.holder_service_id)
    _tell(actor, relay, "holder_appointment", [to_user], handover=handover.pk)
    _touch(relay)
    _audit(actor, "appoint_holder", relay, handover, basis=basis)
    return handover


def read_for_appointment(actor, pk) -> Relay:
    """What the appointer sees — the child's name and the services, nothing of
    the log — audited with the legal basis of the appointment."""
    with transaction.atomic():
        relay = Relay.objects.select_related("child", "holder", "holder_service").filter(pk=pk).first()
        basis = appointment_basis(actor, relay) if relay is not None else None
        if basis is None:
            raise Forbidden("appoint")
        _audit(actor, "read_for_appointment", relay, basis=basis)
    return relay


# --- the content of the log ------------------------------------------------------


@transaction.atomic
def add_goal(actor, relay, *, title: str, indicator: str) -> Goal:
    relay = _lock(actor, relay, "content")
    goal = Goal.objects.create(
        municipality_id=relay.municipality_id, relay=relay, title=title, indicator=indicator,
        created_by=actor.user, created_at=timezone.now(),
    )
    _tell_family_of_entry(relay, _entry(actor, relay, Entry.Kind.GOAL, title, goal=goal))
    _touch(relay)
    _audit(actor, "create", relay, goal)
    return goal


@transaction.atomic
def update_goal(actor, goal, *, version: int, title: str, indicator: str, achieved: bool) -> Goal:
    relay = _lock(actor, goal.relay, "content")
    goal = _locked_part(Goal, goal, relay, version)
    goal.title, goal.indicator, goal.achieved = title, indicator, achieved
    goal.version += 1
    goal.save(update_fields=["title", "indicator", "achieved", "version"])
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
                starts_on, deadline, evaluate_on, catalog_measure=None) -> Measure:
    _check_measure_dates(starts_on, deadline, evaluate_on)
    relay = _lock(actor, relay, "content")
    if responsible_service.pk not in covered_service_ids(relay):
        raise ValidationError(_("The consent does not cover %(service)s. Extend the consent first.")
                              % {"service": responsible_service.name})
    if goal is not None and goal.relay_id != relay.pk:
        raise Forbidden("goal")
    if catalog_measure is not None and (catalog_measure.municipality_id != relay.municipality_id
                                        or not catalog_measure.active):
        raise Forbidden("catalog_measure")
    if responsible_user is not None and not Membership.objects.filter(
        service=responsible_service, user=responsible_user, active=True
    ).exists():
        raise ValidationError(_("%(name)s does not work in %(service)s.")
                              % {"name": responsible_user.get_full_name(), "service": responsible_service.name})
    measure = Measure.objects.create(
        municipality_id=relay.municipality_id, relay=relay, goal=goal, what=what,
        catalog_measure=catalog_measure, responsible_service=responsible_service, responsible_user=responsible_user,
        starts_on=starts_on, deadline=deadline, evaluate_on=evaluate_on,
        created_by=actor.user, created_at=timezone.now(),
    )
    _tell_family_of_entry(relay, _entry(actor, relay, Entry.Kind.MEASURE, what, measure=measure, goal=goal))
    _touch(relay)
    _audit(actor, "create", relay, measure)
    return measure


@transaction.atomic
def update_measure(actor, measure, *, version: int, what: str, starts_on, deadline, evaluate_on) -> Measure:
    _check_measure_dates(starts_on, deadline, evaluate_on)
    relay = _lock(actor, measure.relay, "content")
    measure = _locked_part(Measure, measure, relay, version)
    measure.what, measure.starts_on, measure.deadline, measure.evaluate_on = what, starts_on, deadline, evaluate_on
    measure.version += 1
    measure.save(update_fields=["what", "starts_on", "deadline", "evaluate_on", "version"])
    _entry(actor, relay, Entry.Kind.MEASURE, what, event="measure_changed", measure=measure)
    _touch(relay)
    _audit(actor, "update", relay, measure)
    return measure


@transaction.atomic
def record_evaluation(actor, relay, *, what_happened, conclusion, child_view="", parents_view="",
                      professionals_view="", goal=None, measure=None, meeting=None) -> Evaluation:
    relay = _lock(actor, relay, "content")
    for obj in (goal, measure, meeting):
        if obj is not None and obj.relay_id != relay.pk:
            raise Forbidden("evaluation")
    evaluation = Evaluation.objects.create(
        municipality_id=relay.municipality_id, relay=relay, goal=goal, measure=measure,
        meeting=meeting, what_happened=what_happened, child_view=child_view,
        parents_view=parents_view, professionals_view=professionals_view, conclusion=conclusion,
        created_by=actor.user, created_at=timezone.now(),
    )
    _tell_family_of_entry(relay, _entry(actor, relay, Entry.Kind.EVALUATION, conclusion,
                                        evaluation=evaluation, goal=goal, measure=measure))
    _touch(relay)
    _audit(actor, "create", relay, evaluation)
    return evaluation


@transaction.atomic
def plan_meeting(actor, relay, *, kind, starts_at, place, agenda="", invited=()) -> Meeting:
    relay = _lock(actor, relay, "meeting")
    meeting = Meeting.objects.create(
        municipality_id=relay.municipality_id, relay=relay, kind=kind, starts_at=starts_at,
        place=place, agenda=agenda, created_by=actor.user, created_at=timezone.now(),
    )
    invited = [p for p in invited if p.relay_id == relay.pk]
    meeting.invited.set(invited)
    _tell(actor, relay, "meeting_invited", [p.user for p in invited if p.user_id],
          leaders_of=[p.service_id for p in invited if not p.user_id], meeting=meeting.pk)
    _entry(actor, relay, Entry.Kind.MEETING, event="meeting_planned",
           params={"kind": kind, "time": starts_at.isoformat()}, meeting=meeting)
    tell_family(relay, "family_meeting_planned", str(meeting.pk), meeting=meeting.pk)
    _touch(relay)
    _audit(actor, "create", relay, meeting)
    return meeting


@transaction.atomic
def record_minutes(actor, meeting, *, version: int, minutes: str, decisions: str, present=(),
                   guardians_present=(), child_present=False) -> Meeting:
    """The minutes become the log's entry for the meeting."""
    relay = _lock(actor, meeting.relay, "meeting")
    meeting = _locked_part(Meeting, meeting, relay, version)
    meeting.minutes, meeting.decisions, meeting.child_present = minutes, decisions, child_present
    meeting.minutes_recorded_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["minutes", "decisions", "child_present", "minutes_recorded_at", "version"])
    meeting.present.set([p for p in present if p.relay_id == relay.pk])
    meeting.guardians_present.set([g for g in guardians_present if g.child_id == relay.child_id])
    _tell_family_of_entry(relay, _entry(actor, relay, Entry.Kind.MEETING,
                                        minutes + (f"\n\n{decisions}" if decisions else ""), meeting=meeting))
    _touch(relay)
    _audit(actor, "minutes", relay, meeting)
    return meeting


@transaction.atomic
def change_level(actor, relay, *, meeting, to_level: int, reason: str, release_services=()) -> LevelChange:
    """Move up or down a level: a decision at an evaluation meeting, with its
    reason. Moving down may release services (they leave the relay)."""
    relay = _lock(actor, relay, "level")
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
    if kind not in (Entry.Kind.NOTE, Entry.Kind.BRIGHT_SPOT):
        raise ValidationError(_("Choose a note or a bright spot."))
    if not text.strip():
        raise ValidationError(_("Write the text of the entry."))
    relay = _lock(actor, relay, "content")
    entry = _entry(actor, relay, kind, text)
    _tell_family_of_entry(relay, entry)
    _touch(relay)
    _audit(actor, "create", relay, entry)
    return entry


@transaction.atomic
def correct_entry(actor, entry, *, text: str) -> Entry:
    """Corrections, not deletions: the new wording points to the old, which
    stays visible to participants. Only the author corrects their entry."""
    relay = _lock(actor, entry.relay, "content")
    entry = _locked_part(Entry, entry, relay)
    if entry.author_id != actor.user.pk:
        raise Forbidden("correct")
    if Entry.objects.filter(corrects=entry).exists():
        raise ValidationError(_("This entry has already been corrected; correct the newest version."))
    if not entry.correctable:
        raise ValidationError(_("This entry cannot be corrected; record a new decision instead."))
    if not text.strip():
        raise ValidationError(_("Write the corrected text."))
    correction = _entry(actor, relay, entry.kind, text, event=entry.event, params=entry.params,
                        corrects=entry, goal=entry.goal, measure=entry.measure,
                        meeting=entry.meeting, evaluation=entry.evaluation)
    # What was kept from a guardian stays kept when it is reworded.
    Withholding.objects.bulk_create([
        Withholding(municipality_id=relay.municipality_id, entry=correction, guardian_id=w.guardian_id,
                    reason=w.reason, decided_by_id=w.decided_by_id, decided_at=w.decided_at)
        for w in entry.withholdings.all()
    ])
    # After the withholdings: a guardian the entry is kept from is not told.
    _tell_family_of_entry(relay, correction)
    _touch(relay)
    _audit(actor, "correct", relay, correction)
    return correction


@transaction.atomic
def withhold_entry(actor, entry, *, guardian, reason: str) -> Withholding:
    """Keep one entry from one guardian's copy, with a recorded reason."""
    relay = _lock(actor, entry.relay, "withhold")
    entry = _locked_part(Entry, entry, relay)
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
    # An e-mail about it still waiting is not sent to this guardian.
    OutboxMessage.objects.filter(
        kind="family_log_entry", state=OutboxMessage.State.PENDING,
        key__in=[f"family_log_entry:{item.pk}:{user.pk}" for item in chain
                 for user in family_recipients({guardian.national_id} - {""})],
    ).update(state=OutboxMessage.State.CANCELLED, last_error="withheld from the recipient")
    _touch(relay)
    _audit(actor, "withhold", relay, withholding)
    return withholding


@transaction.atomic
def close_relay(actor, relay, *, version: int, reason: str, summary: str, child_last_word="",
                parents_last_word="") -> Relay:
    relay = _lock(actor, relay, "close", version)
    if reason not in Relay.ClosingReason.values:
        raise ValidationError(_("Choose why the relay is closed."))
    if not summary.strip():
        raise ValidationError(_("Write a closing summary."))
    relay.handovers.filter(status=Handover.Status.PENDING).update(
        status=Handover.Status.CANCELLED, responded_at=timezone.now()
    )
    # Services still waiting to be asked are told that it will not happen.
    for inclusion in relay.inclusion_requests.filter(status=InclusionRequest.Status.PENDING):
        _answer_inclusion(actor, relay, inclusion, InclusionRequest.Status.DECLINED)
    relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING).update(
        status=ConsentProposal.Status.CANCELLED, closed_at=timezone.now())
    relay.status = Relay.Status.CLOSED
    relay.closing_reason, relay.closing_summary = reason, summary
    relay.child_last_word, relay.parents_last_word = child_last_word, parents_last_word
    relay.closed_at, relay.closed_by = timezone.now(), actor.user
    _entry(actor, relay, Entry.Kind.CLOSING, summary)
    _touch(relay, "status", "closing_reason", "closing_summary", "child_last_word",
           "parents_last_word", "closed_at", "closed_by")
    _audit(actor, "close", relay)
    # The closed case goes to the municipality's archive (the archive app's
    # channel builds and sends the arkivmelding after commit).
    post_record("archive", key=f"archive:relay:{relay.pk}", municipality=relay.municipality,
                params={"source": "relay", "id": relay.pk})
    return relay
