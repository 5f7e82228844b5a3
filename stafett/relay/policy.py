"""Who may do what to a relay (stafettlogg), on the kernel in stafett.access.

Who sees a relay:
- its holder, while an active member of the holder's service (the service
  owns the record and its duty to document; a withdrawal stops *sharing*, not
  the holder's own record);
- a named participant, or the leader of a participating service, while an
  active member of that service, the service takes part (not left), AND the
  consent in force covers it.

The consent in force is the newest one: recording a consent (an extension,
a renewal or a narrower one) supersedes every earlier one at once, so a
service the new consent leaves out loses access in the same request; so does
a withdrawal or an expiry, without any job having to run. The states and what
they allow are the tables in stafett.access.states.

When the holder has left (or the account is closed) nobody holds the baton:
the leader of the holder's service — or, where that service has no leader,
the BTI coordinator, seeing only the child's name and the services — appoints
a new holder, who accepts as in a handover.

Missing and forbidden both answer 404, as for worries.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import router
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from stafett.access.actor import Actor, stand_in_actor
from stafett.access.rules import Forbidden, get_visible
from stafett.access.states import CONSENT, HANDOVER, RELAY, ConsentState
from stafett.audit.models import LegalBasis
from stafett.lib.prepared import Columns, Prepared
from stafett.tenancy.models import Membership

from .models import Consent, Entry, Handover, Participant, Relay, Withholding

HOLDER_ACTIONS = frozenset({
    "view", "history", "acute", "consent", "participants", "handover", "content", "meeting",
    "level", "close", "withhold", "guardians", "include",
})
PARTICIPANT_ACTIONS = frozenset({"view", "history", "acute", "content", "meeting"})


# --- consent -----------------------------------------------------------------------


def consent_state(consent, today: dt.date | None = None) -> ConsentState:
    """The state of one consent (the precedence is the table's: a withdrawal or
    a newer consent ends it whatever its end date)."""
    today = today or timezone.localdate()
    if consent.withdrawn_at is not None:
        return ConsentState.WITHDRAWN
    if consent.superseded_at is not None:
        return ConsentState.SUPERSEDED
    if consent.valid_until < today:
        return ConsentState.EXPIRED
    return ConsentState.IN_FORCE


def open_consent_q(prefix: str = "") -> Q:
    """Neither withdrawn nor superseded: the relay's newest word (at most one
    per relay, by constraint), in force or expired. `prefix` reaches it
    through a relation, e.g. "consents__"."""
    return Q(**{f"{prefix}withdrawn_at__isnull": True, f"{prefix}superseded_at__isnull": True})


def _sharing_q(today: dt.date) -> Q:
    """`consent_state(...)` is a state that shares, as a query."""
    assert CONSENT.states_allowing("share") == [ConsentState.IN_FORCE]
    return open_consent_q() & Q(valid_until__gte=today)


def consents_in_force(today: dt.date | None = None) -> QuerySet:
    return Consent.objects.filter(_sharing_q(today or timezone.localdate()))


def current_consent(relay, today: dt.date | None = None):
    """The relay's consent in force, if any (there is at most one)."""
    return consents_in_force(today).filter(relay=relay).order_by("-recorded_at", "-pk").first()


def covered_service_ids(relay, today: dt.date | None = None) -> set[int]:
    """Services the consent in force covers for this relay."""
    return set(
        consents_in_force(today).filter(relay=relay).values_list("services", flat=True)
    ) - {None}


# --- the holder ----------------------------------------------------------------------


def _holder_active() -> Exists:
    return Exists(Membership.objects.filter(
        service_id=OuterRef("holder_service_id"), user_id=OuterRef("holder_id"), active=True,
        user__is_active=True,
    ))


def holder_is_active(relay) -> bool:
    """The holder is still an active member of the holder's service."""
    return Membership.objects.filter(
        service_id=relay.holder_service_id, user_id=relay.holder_id, active=True,
        user__is_active=True,
    ).exists()


def is_holder(actor: Actor, relay) -> bool:
    return actor.is_user(relay.holder_id) and actor.works_in(relay.holder_service_id)


def service_has_leader(service_id: int) -> bool:
    return Membership.objects.filter(
        service_id=service_id, role=Membership.Role.LEADER, active=True, user__is_active=True,
    ).exists()


def appointment_basis(actor: Actor, relay) -> str | None:
    """Whether `actor` may appoint a new holder, and on which legal basis: the
    holder is gone, and the actor leads the holder's service — or that service
    has no leader and the actor is the municipality's BTI coordinator."""
    if not actor.is_staff_member or relay.municipality_id != actor.municipality.pk:
        return None
    if not RELAY.allows(relay.status, "appoint") or holder_is_active(relay):
        return None
    if actor.leads(relay.holder_service_id):
        return LegalBasis.SERVICE_DUTY
    if actor.is_coordinator and not service_has_leader(relay.holder_service_id):
        return LegalBasis.COORDINATION_DUTY
    return None


def appointable_relays(actor: Actor) -> QuerySet:
    """Open relays whose holder is gone and for which `actor` appoints the next."""
    if not actor.is_staff_member:
        return Relay.objects.none()
    leaderless = ~Exists(Membership.objects.filter(
        service_id=OuterRef("holder_service_id"), role=Membership.Role.LEADER, active=True,
        user__is_active=True,
    ))
    who = Q(holder_service_id__in=actor.led_service_ids)
    if actor.is_coordinator:
        who |= leaderless
    return Relay.objects.filter(status__in=RELAY.states_allowing("appoint")).filter(
        ~_holder_active()
    ).filter(who)


# --- seeing and working on the relay ----------------------------------------------------


def covered_participations(actor: Actor, relay_ref, today: dt.date | None = None) -> QuerySet:
    """The actor's participations in a relay that give access now: as a named
    person or as the service's leader, in a service the actor is an active
    member of, not left, and covered by the consent in force."""
    queryset = _covered(actor, today).filter(
        Q(user=actor.user) | Q(service_id__in=actor.led_service_ids), relay=relay_ref
    )
    return queryset


def _covered(actor: Actor, today: dt.date | None) -> QuerySet:
    """Participations in a service the actor is an active member of, not
    left, and covered by the consent in force — of anyone: the callers say
    whose (the actor's own, or those of the services they lead).

    Covered by the consent in force: the relay's open consent covers the
    service (Participant.covered_until, kept by the database whenever a
    consent, its services or a participation is written) and has not
    expired — the state table's only sharing state, asked on every read."""
    assert CONSENT.states_allowing("share") == [ConsentState.IN_FORCE]
    return Participant.objects.filter(
        covered_until__gte=today or timezone.localdate(), left_at__isnull=True,
        service_id__in=actor.service_ids,
    )


def _visible_union(actor: Actor, today: dt.date | None, *, pk=None, status: str | None = None,
                   columns: tuple[str, ...] = ("pk",)) -> QuerySet:
    """The branches of `visible_relays` as one UNION: the relays held, and
    those a covered participation opens, each branch giving the relay's
    `columns` (the ids; or the ids with what orders a list, so the list
    needs no second look at each relay to sort them)."""
    # Each branch is built with one filter() call: every call clones the query,
    # and this runs on every list and detail page.
    held = {"holder": actor.user, "holder_service_id__in": actor.service_ids}
    named = {"user": actor.user}
    led = {"service_id__in": actor.led_service_ids}
    if pk is not None:
        held["pk"] = named["relay_id"] = led["relay_id"] = pk
    if status is not None:
        # Inside each branch, so closed relays (most of them, after a few
        # years) are never gathered only to be thrown away.
        held["status"] = named["relay__status"] = led["relay__status"] = status
    # covered_participations, split in two branches (as a named person; as the
    # leader of the service), each served by its own index and estimated on its own.
    covered = _covered(actor, today)
    through_relay = [f"relay__{name}" if name != "pk" else "relay_id" for name in columns]
    # A holder takes part in her own relays too: the first branch has those
    # already, so the second leaves them out (300 needless rows for a holder
    # of 300 relays). Exactly the first branch's condition, so the union is
    # the same.
    held_here = ~Q(relay__holder=actor.user, relay__holder_service_id__in=actor.service_ids)
    # No ordering in the branches: a compound query may not order inside a subquery.
    branches = [covered.filter(held_here, **named).order_by().values_list(*through_relay)]
    if actor.led_service_ids:  # else the branch matches nothing: not built at all
        branches.append(covered.filter(**led).order_by().values_list(*through_relay))
    return Relay.objects.filter(**held).order_by().values_list(*columns).union(*branches)


def visible_relays(actor: Actor, today: dt.date | None = None, *, pk=None,
                   status: str | None = None) -> QuerySet:
    """The relays `actor` sees: those they hold, and those a covered
    participation opens (`covered_participations`). Lists and the detail page
    both load through here (`pk` narrows it to one relay for load_relay,
    `status` to open or closed ones for a list).

    Written as `pk IN (held UNION shared)` rather than `holder = me OR
    EXISTS(...)`: each branch starts from an index on the person (relays by
    holder, participations by user or by the services they lead), so the
    database reads only the person's own few rows instead of testing every
    open relay of the municipality; a list's page and its count cost about the same
    at 10 or 10 000 open relays (docs/performance-notes.md)."""
    if not actor.is_staff_member:
        return Relay.objects.none()
    ids = _visible_union(actor, today, pk=pk, status=status)
    # Compiled once here, not again for each query built on the result (a
    # list's page and its count): the same SQL, without compiling the three
    # branches twice per request.
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # every branch is empty (no service to see through)
        return Relay.objects.none()
    return Relay.objects.filter(pk__in=RawSQL(sql, params))


def relay_actions(actor: Actor, relay, today: dt.date | None = None) -> frozenset[str]:
    if not actor.is_staff_member or relay.municipality_id != actor.municipality.pk:
        return frozenset()
    allowed: set[str] = set()
    if is_holder(actor, relay):
        allowed |= HOLDER_ACTIONS
    elif covering_services(actor, relay, today):
        allowed |= PARTICIPANT_ACTIONS
    return frozenset(allowed) & RELAY.actions(relay.status)


_COVERING = Prepared(Participant, lambda relay_id, user, employee_ids, led_ids, today: (
    covered_participations(stand_in_actor(user, employee_ids, led_ids), relay_id, today)
    .order_by("pk").values_list("service_id")), plan_each_time=False)  # one relay's


def covering_services(actor: Actor, relay, today: dt.date | None = None) -> list[int]:
    """The services of `actor`'s covered participations in `relay`
    (`covered_participations`, the same statement, compiled once per process
    and shape), oldest participation first; empty when none opens it."""
    if not actor.is_staff_member:
        return []
    led = actor.led_service_ids
    return [service_id for (service_id,) in _COVERING.rows(
        relay_id=relay.pk, user=actor.user.pk, employee_ids=actor.service_ids - led, led_ids=led,
        today=today or timezone.localdate())]


# The ids of visible_relays in the list's order (newest activity first), the
# activity coming from the branches themselves: each read the relay already.
_VISIBLE_IDS = Prepared(Relay, lambda user, employee_ids, led_ids, today, status: (
    _visible_union(stand_in_actor(user, employee_ids, led_ids), today, status=status,
                   columns=("pk", "last_activity_at")).order_by("-last_activity_at", "-pk")),
    # Prepared on the server: with the holder's own participations left out
    # of the second branch, the generic plan is as good as each person's own
    # (holder, then participant, in one process: 2.6 and 8.5 ms against 5.6
    # and 9.7 planned on every run). Ids and timestamps only: read in
    # binary, faster than as text for a list of hundreds.
    plan_each_time=False, binary=True)


def visible_relay_ids(actor: Actor, status: str, today: dt.date | None = None) -> list[int]:
    """The ids of `visible_relays(actor, status=status)` in the order of the
    list "My relays" (newest activity first): the same statement, compiled
    once per process and shape."""
    if not actor.is_staff_member:
        return []
    led = actor.led_service_ids
    return [pk for pk, _activity in _VISIBLE_IDS.rows(
        user=actor.user.pk, employee_ids=actor.service_ids - led, led_ids=led,
        today=today or timezone.localdate(), status=status)]


_LISTED = Columns(Relay)
_VISIBLE_AMONG = Prepared(Relay, lambda user, employee_ids, led_ids, today, ids: (
    visible_relays(stand_in_actor(user, employee_ids, led_ids), today).filter(pk__in=ids)
    .values_list(*_LISTED.names)))


def visible_relays_among(actor: Actor, ids, today: dt.date | None = None) -> list:
    """The relays among `ids` that `actor` sees (`visible_relays`), as one
    prepared statement: for a page that names relays found elsewhere."""
    if not actor.is_staff_member or not ids:
        return []
    led = actor.led_service_ids
    return _LISTED.instances(_VISIBLE_AMONG.rows(
        user=actor.user.pk, employee_ids=actor.service_ids - led, led_ids=led,
        today=today or timezone.localdate(), ids=sorted(ids)))


def load_relay(actor: Actor, pk, action: str = "view", *, lock: bool = False):
    """The relay if `actor` may `action` it, else refused (404 in a view).
    With `lock` the row is locked and re-read first, so the policy decides on
    what the action is about to change."""
    if not lock and isinstance(pk, int) and actor.is_staff_member:
        relay = _visible_relay(actor, pk)
    else:
        try:
            queryset = visible_relays(actor, pk=pk)
        except (ValueError, TypeError):
            raise Forbidden("missing") from None  # a malformed id, as get_visible answers
        queryset = queryset.select_related(*LOADED_WITH)
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        relay = get_visible(queryset, pk)
    if action not in relay_actions(actor, relay):
        raise Forbidden(action)
    return relay


# What every page of a relay shows with it.
LOADED_WITH = ("child", "holder", "holder_service", "guide")
_RELAY_COLUMNS = Columns(Relay, LOADED_WITH)


def _one_visible(pk, user, employee_ids, led_ids, today):
    return (visible_relays(stand_in_actor(user, employee_ids, led_ids), today, pk=pk).filter(pk=pk)
            .values_list(*_RELAY_COLUMNS.names))


_ONE_VISIBLE = Prepared(Relay, _one_visible, plan_each_time=False)  # one relay, by pk


def _visible_relay(actor: Actor, pk: int):
    """`get_visible(visible_relays(actor, pk=pk).select_related(...), pk)`,
    the same statement, compiled once per process and shape (how many
    services the actor works in and leads) rather than on every request."""
    led = actor.led_service_ids
    rows = _ONE_VISIBLE.rows(pk=pk, user=actor.user.pk, employee_ids=actor.service_ids - led, led_ids=led,
                             today=timezone.localdate())
    if not rows:
        raise Forbidden("missing")
    return _RELAY_COLUMNS.instance(rows[0], router.db_for_read(Relay))


def require_relay(actor: Actor, action: str, relay) -> None:
    if action not in relay_actions(actor, relay):
        raise Forbidden(action)


def legal_basis(actor: Actor, relay) -> str:
    """The holder's service works under its own duty; everyone else reads and
    writes because the family consented."""
    return LegalBasis.SERVICE_DUTY if is_holder(actor, relay) else LegalBasis.CONSENT


# --- handovers and appointments ---------------------------------------------------------


def _answerable_q() -> Q:
    """A handover the person asked may still answer: an appointment (within
    the holder's own service), or a handover to a service the consent in force
    covers — a withdrawn, narrowed or expired consent closes it."""
    covering = consents_in_force().filter(
        relay_id=OuterRef("relay_id"), services=OuterRef("to_service_id"))
    return (Q(kind=Handover.Kind.APPOINTMENT) | Q(to_service_id=F("relay__holder_service_id"))
            | Q(Exists(covering.values("pk"))))


def handover_actions(actor: Actor, handover, relay) -> frozenset[str]:
    """What `actor` may do to a handover: the person asked accepts or declines
    while an active member of the service they would hold it for, and while
    the consent covers that service (an appointment stays within the holder's
    service); whoever asked (the holder, or the appointing leader or
    coordinator) cancels."""
    if not RELAY.allows(relay.status, "handover"):
        return frozenset()
    allowed: set[str] = set()
    if (actor.is_user(handover.to_user_id) and actor.works_in(handover.to_service_id)
            and Handover.objects.filter(_answerable_q(), pk=handover.pk).exists()):
        allowed |= {"accept", "decline"}
    if handover.kind == Handover.Kind.HANDOVER and is_holder(actor, relay):
        allowed.add("cancel")
    if handover.kind == Handover.Kind.APPOINTMENT and appointment_basis(actor, relay):
        allowed.add("cancel")
    return frozenset(allowed) & HANDOVER.actions(handover.status)


def _pending(user, service_ids) -> QuerySet:
    return Handover.objects.filter(
        _answerable_q(),
        to_user_id=user, to_service_id__in=service_ids,
        status__in=HANDOVER.states_allowing("accept"),
        relay__status__in=RELAY.states_allowing("handover"),
    )


def pending_for(actor: Actor) -> QuerySet:
    """Handovers and appointments waiting for `actor` to answer."""
    if not actor.is_staff_member:
        return Handover.objects.none()
    return _pending(actor.user.pk, actor.service_ids)


# What the list "My relays" shows of a handover waiting.
_WAITING = Columns(Handover, ("relay", "requested_by", "from_service"))
_PENDING_ROWS = Prepared(Handover, lambda user, service_ids: (
    _pending(user, service_ids).order_by("requested_at", "pk").values_list(*_WAITING.names)),
    plan_each_time=False)  # the person's own few, by the user's index


def waiting_for(actor: Actor) -> list:
    """`pending_for(actor)` with their relays, who asked and from which
    service, oldest first: the same statement, compiled once per process."""
    if not actor.is_staff_member:
        return []
    return _WAITING.instances(_PENDING_ROWS.rows(user=actor.user.pk, service_ids=sorted(actor.service_ids)))


def load_handover(actor: Actor, relay_pk, pk, action: str, *, lock: bool = False):
    """A handover of relay `relay_pk` that `actor` may `action`, with its relay."""
    queryset = Handover.objects.filter(relay_id=relay_pk).select_related(
        "relay", "relay__child", "relay__holder_service", "from_user", "from_service",
        "to_user", "to_service", "requested_by",
    )
    if lock:
        queryset = queryset.select_for_update(of=("self", "relay"))
    handover = get_visible(queryset, pk)
    if action not in handover_actions(actor, handover, handover.relay):
        raise Forbidden(action)
    return handover


# --- the timeline ---------------------------------------------------------------------


def timeline_queryset(relay, kind: str = "", guardian=None):
    """The relay's entries, newest first, each with its author and the entry
    it corrects joined, and whether it was corrected later: one query per page.
    For a guardian's copy, entries withheld from that guardian are left out."""
    queryset = Entry.objects.filter(relay=relay)
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = queryset.select_related("author", "author_service", "corrects").annotate(
        is_corrected=Exists(Entry.objects.filter(corrects=OuterRef("pk")))
    )
    if guardian is not None:
        withheld = Withholding.objects.filter(guardian=guardian)
        queryset = queryset.exclude(Exists(withheld.filter(entry=OuterRef("pk")))).annotate(
            corrects_withheld=Exists(withheld.filter(entry=OuterRef("corrects_id")))
        )
    return queryset.order_by("-created_at", "-pk")
