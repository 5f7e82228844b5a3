"""What the relay overview shows besides the relay itself, read cheaply.

The overview (views.detail) reads a dozen small things about one relay:
consents with their services and parties, handovers, participants,
guardians, inclusion requests, the guide's steps and what is done, and a page
of the timeline. Each is a query of a fixed shape, prepared once per process
(stafett.lib.prepared: the ORM writes the SQL, each request runs it with its
own values); none depends on another, so `read` sends them together (one
round trip on PostgreSQL), and the model instances the page shows are made
from their rows, with the related objects it names (no query behind any of
them). The relay is loaded, and access decided, by the policy before any of
this runs (actions.read_relay), on every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import router
from django.db.models import Count, Exists
from django.utils import timezone

from stafett.guides.models import TITLE_COLUMNS, Step
from stafett.lib.prepared import Columns, Prepared, made, together
from stafett.tenancy.models import Service

from .models import (
    Consent,
    ConsentParty,
    Entry,
    Evaluation,
    Goal,
    Guardian,
    Handover,
    InclusionRequest,
    Measure,
    Meeting,
    Participant,
)
from .policy import timeline_queryset

User = get_user_model()


def person(pk, username, first_name, last_name):
    """A user as the page names them (User.display_name), without a query."""
    if pk is None:
        return None
    return made(User, id=pk, username=username, first_name=first_name, last_name=last_name)


# --- consents ----------------------------------------------------------------------------

CONSENTS = Prepared(Consent, lambda relay_id: (
    Consent.objects.filter(relay_id=relay_id).order_by("-recorded_at", "-pk").values_list(
        "pk", "valid_until", "purpose", "scan", "withdrawn_at", "withdrawn_reason", "superseded_at")))
# The services of each: the through table, ordered as Service is (by name).
CONSENT_SERVICES = Prepared(Consent, lambda relay_id: (
    Consent.services.through.objects.filter(consent__relay_id=relay_id)
    .order_by("service__name", "service_id")
    .values_list("consent_id", "service_id", "service__name")))
CONSENT_PARTIES = Prepared(ConsentParty, lambda relay_id: (
    ConsentParty.objects.filter(consent__relay_id=relay_id).order_by("pk").values_list(
        "consent_id", "is_child", "guardian_id", "guardian__name", "signed_at", "assurance_level")))


def _prefetched(instance, name: str, model, rows: list) -> None:
    """Give `instance.<name>.all()` these rows, as prefetch_related would
    (Django keeps a prefetched relation as a queryset with its rows filled)."""
    queryset = model._base_manager.none()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance._prefetched_objects_cache[name] = queryset


def _consents(relay_id, consent_rows, service_rows, party_rows) -> list[Consent]:
    """Every consent of the relay, newest first, with its services and its
    parties (each with the guardian's name) as if prefetched; the state is
    the caller's (policy.consent_state)."""
    by_pk, services, parties = {}, {}, {}
    for pk, valid_until, purpose, scan, withdrawn_at, withdrawn_reason, superseded_at in consent_rows:
        by_pk[pk] = consent = made(
            Consent, id=pk, relay_id=relay_id, valid_until=valid_until, purpose=purpose, scan=scan,
            withdrawn_at=withdrawn_at, withdrawn_reason=withdrawn_reason, superseded_at=superseded_at)
        consent._prefetched_objects_cache = {}
        services[pk], parties[pk] = [], []
    for consent_id, service_id, name in service_rows:
        services[consent_id].append(made(Service, id=service_id, name=name))
    for consent_id, is_child, guardian_id, guardian_name, signed_at, level in party_rows:
        party = made(ConsentParty, consent_id=consent_id, is_child=is_child, guardian_id=guardian_id,
                     signed_at=signed_at, assurance_level=level)
        party._state.fields_cache["guardian"] = (
            made(Guardian, id=guardian_id, name=guardian_name) if guardian_id else None)
        parties[consent_id].append(party)
    for pk, consent in by_pk.items():
        _prefetched(consent, "services", Service, services[pk])
        _prefetched(consent, "parties", ConsentParty, parties[pk])
    return list(by_pk.values())


# --- people around the relay ----------------------------------------------------------------

HANDOVERS = Prepared(Handover, lambda relay_id: (
    Handover.objects.filter(relay_id=relay_id).order_by("requested_at", "pk").values_list(
        "pk", "status", "responded_at",
        "from_user_id", "from_user__username", "from_user__first_name", "from_user__last_name",
        "from_service_id", "from_service__name",
        "to_user_id", "to_user__username", "to_user__first_name", "to_user__last_name",
        "to_service_id", "to_service__name")))


def _handovers(relay_id, rows) -> list[Handover]:
    """Every handover of the relay, oldest first, with its people and services."""
    result = []
    for pk, status, responded_at, fu, fun, fuf, ful, fs, fsn, tu, tun, tuf, tul, ts, tsn in rows:
        handover = made(Handover, id=pk, relay_id=relay_id, status=status, responded_at=responded_at,
                        from_user_id=fu, from_service_id=fs, to_user_id=tu, to_service_id=ts)
        cache = handover._state.fields_cache
        cache["from_user"], cache["from_service"] = person(fu, fun, fuf, ful), made(Service, id=fs, name=fsn)
        cache["to_user"], cache["to_service"] = person(tu, tun, tuf, tul), made(Service, id=ts, name=tsn)
        result.append(handover)
    return result


PARTICIPANTS = Prepared(Participant, lambda relay_id: (
    Participant.objects.filter(relay_id=relay_id, left_at__isnull=True).values_list(
        "pk", "service_id", "service__name", "user_id", "user__username", "user__first_name",
        "user__last_name", "task")))


def _participants(relay_id, rows) -> list[Participant]:
    """Those taking part now (not left), in the order they joined."""
    result = []
    for pk, service_id, service_name, u, un, uf, ul, task in rows:
        participant = made(Participant, id=pk, relay_id=relay_id, service_id=service_id, user_id=u, task=task)
        cache = participant._state.fields_cache
        cache["service"], cache["user"] = made(Service, id=service_id, name=service_name), person(u, un, uf, ul)
        result.append(participant)
    return result


GUARDIANS = Prepared(Guardian, lambda child_id: (
    Guardian.objects.filter(child_id=child_id).values_list(
        "pk", "name", "relation", "parental_responsibility")))


def _guardians(child_id, rows) -> list[Guardian]:
    return [made(Guardian, id=pk, child_id=child_id, name=name, relation=relation,
                 parental_responsibility=responsible)
            for pk, name, relation, responsible in rows]


INCLUSIONS = Prepared(InclusionRequest, lambda relay_id: (
    InclusionRequest.objects.filter(relay_id=relay_id, status=InclusionRequest.Status.PENDING)
    .values_list("pk", "service_id", "service__name", "requested_by_id", "requested_by__username",
                 "requested_by__first_name", "requested_by__last_name", "created_at")))


def _inclusions(relay_id, rows) -> list[InclusionRequest]:
    result = []
    for pk, service_id, service_name, u, un, uf, ul, created_at in rows:
        request = made(InclusionRequest, id=pk, relay_id=relay_id, service_id=service_id,
                       requested_by_id=u, created_at=created_at, status=InclusionRequest.Status.PENDING)
        cache = request._state.fields_cache
        cache["service"], cache["requested_by"] = (made(Service, id=service_id, name=service_name),
                                                   person(u, un, uf, ul))
        result.append(request)
    return result


# --- the guide's steps -----------------------------------------------------------------

def _steps_with_progress(guide_id, level, relay_id, today):
    """The guide's steps of one level, as steps_for_variant reads them, each
    row carrying the relay's progress flags (subqueries on the relay alone:
    the database works them out once, not per step)."""
    held = Meeting.objects.filter(relay_id=relay_id, minutes_recorded_at__isnull=False)
    evaluation_kinds = [Meeting.Kind.EVALUATION_DISCUSSION, Meeting.Kind.EVALUATION_DECISION]
    return (
        Step.objects.filter(level__guide_id=guide_id, level__number=level)
        .annotate(
            p_start=Exists(held.exclude(kind__in=evaluation_kinds)),
            p_goal=Exists(Goal.objects.filter(relay_id=relay_id)),
            p_measure=Exists(Measure.objects.filter(relay_id=relay_id)),
            p_measures=Exists(Measure.objects.filter(relay_id=relay_id, starts_on__lte=today)),
            p_evaluate=Exists(Evaluation.objects.filter(relay_id=relay_id)),
            p_decide=Exists(held.filter(kind=Meeting.Kind.EVALUATION_DECISION)),
        )
        .values_list(*TITLE_COLUMNS,
                     "p_start", "p_goal", "p_measure", "p_measures", "p_evaluate", "p_decide")
    )


STEPS = Prepared(Step, _steps_with_progress)


# --- the timeline ---------------------------------------------------------------------------

# What the timeline shows of an entry, its author and service, and the entry
# it corrects (as `.only()` would load them).
ENTRY_COLUMNS = Columns(Entry, ("author", "author_service", "corrects"), only={
    None: ("kind", "event", "params", "text", "by_family", "created_at", "author", "author_service",
           "corrects"),
    "author": ("username", "first_name", "last_name"),
    "author_service": ("name",),
    "corrects": ("kind", "event", "params", "text"),
})
ENTRY_FIELDS = (*ENTRY_COLUMNS.names, "is_corrected")


# The page: timeline_queryset's own query (its joins, annotation and order),
# a page of it by LIMIT/OFFSET. Prepared once: its generic plan reads the
# page's 25 entries in order from the timeline's index (Entry.relay has no
# index of its own to tempt it into sorting the whole relay). The first page,
# the one nearly every visit reads, has no OFFSET: with an OFFSET parameter
# the generic plan's estimate starts after a guessed share of the rows, so
# PostgreSQL judged it dearer than planning each run afresh and never used it
# (pg_prepared_statements: 0 generic plans of 400), planning 1 ms on every
# page for 0.35 ms of work. Later pages are that statement, planned each run.
def _timeline_page(relay_id):
    return timeline_queryset(relay_id).values_list(*ENTRY_FIELDS)


TIMELINE = Prepared(Entry, _timeline_page, suffix=" LIMIT %s", plan_each_time=False)
TIMELINE_LATER = Prepared(Entry, _timeline_page, suffix=" LIMIT %s OFFSET %s", plan_each_time=True)
# Planned on every run: no index gives one kind's entries in the timeline's
# order, so the best plan depends on how many there are.
TIMELINE_OF_KIND = Prepared(Entry, lambda relay_id, kind: (
    timeline_queryset(relay_id, kind).values_list(*ENTRY_FIELDS)), suffix=" LIMIT %s OFFSET %s",
    plan_each_time=True)
# The count, grouped by the relay so that it is one plain statement (no
# rows: no relay_id group, a count of 0).
ENTRY_COUNT = Prepared(Entry, lambda relay_id: (
    Entry.objects.filter(relay_id=relay_id).order_by().values("relay_id")
    .annotate(n=Count("pk")).values_list("n")))
ENTRY_COUNT_OF_KIND = Prepared(Entry, lambda relay_id, kind: (
    Entry.objects.filter(relay_id=relay_id, kind=kind).order_by().values("relay_id")
    .annotate(n=Count("pk")).values_list("n")))


class Timeline:
    """The relay's entries (of one kind) as a Paginator reads them: a count
    and a slice, each one prepared query; the slice holds Entry instances with
    their author, service and corrected entry, as timeline_queryset gives them.
    `calls` are the two statements for one window, to run with others
    (`together`); `known` takes their rows, so the Paginator asks no more for
    that window."""

    def __init__(self, relay_id, kind: str = ""):
        self.relay_id, self.kind = relay_id, kind
        self._count, self._window = None, None

    def _values(self) -> dict:
        return {"relay_id": self.relay_id, **({"kind": self.kind} if self.kind else {})}

    def calls(self, start: int, stop: int) -> tuple:
        if self.kind:
            count, page, suffix_params = ENTRY_COUNT_OF_KIND, TIMELINE_OF_KIND, [stop - start, start]
        elif start:
            count, page, suffix_params = ENTRY_COUNT, TIMELINE_LATER, [stop - start, start]
        else:
            count, page, suffix_params = ENTRY_COUNT, TIMELINE, [stop]
        return count.call(**self._values()), page.call(suffix_params=suffix_params, **self._values())

    def known(self, count_rows, start: int, stop: int, rows) -> None:
        self._count = count_rows[0][0] if count_rows else 0
        self._window = (start, stop, rows)

    def count(self) -> int:
        if self._count is None:
            (query, values, _suffix), _page = self.calls(0, 0)
            rows = query.rows(**values)
            self._count = rows[0][0] if rows else 0
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        start, stop = window.start or 0, window.stop
        known = self._window
        if known and known[0] == start and stop <= known[1]:
            rows = known[2][:stop - start]
        else:
            _count, (query, values, suffix_params) = self.calls(start, stop)
            rows = query.rows(suffix_params=suffix_params, **values)
        db = router.db_for_read(Entry)
        shared: dict = {}
        return [_entry(row, db, shared) for row in rows]


def _entry(row, db, shared) -> Entry:
    entry = ENTRY_COLUMNS.instance(row, db, shared)
    entry.is_corrected = row[-1]
    return entry


def _page_number(number) -> int:
    """The page `Paginator.get_page(number)` most likely shows: a number
    given, else the first (its own answer wins where they differ). A number
    past any relay's end is not guessed at: its offset could overflow the
    statement's, and the paginator answers it with the last page."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 10_000 else 1


@dataclass
class Overview:
    consents: list
    handovers: list
    participants: list
    guardians: list
    inclusion_requests: list
    steps: list  # the rows of STEPS (views.guide_progress makes them the page's steps)
    page: object  # the timeline's page (django.core.paginator.Page)


def read(relay, *, kind: str, number, page_size: int, inclusions: bool) -> Overview:
    """What the overview shows of `relay` besides the relay itself, all its
    statements run together: consents, handovers, participants, guardians,
    the guide's steps with their progress, the inclusion requests when asked
    for, and the timeline's page `number` of `kind` (all kinds when empty)."""
    relay_id = relay.pk
    timeline = Timeline(relay_id, kind)
    start = page_size * (_page_number(number) - 1)
    calls = [CONSENTS.call(relay_id=relay_id), CONSENT_SERVICES.call(relay_id=relay_id),
             CONSENT_PARTIES.call(relay_id=relay_id), HANDOVERS.call(relay_id=relay_id),
             PARTICIPANTS.call(relay_id=relay_id), GUARDIANS.call(child_id=relay.child_id),
             STEPS.call(guide_id=relay.guide_id, level=relay.level, relay_id=relay_id,
                        today=timezone.localdate()),
             *timeline.calls(start, start + page_size)]
    if inclusions:
        calls.append(INCLUSIONS.call(relay_id=relay_id))
    (consent_rows, service_rows, party_rows, handover_rows, participant_rows, guardian_rows,
     step_rows, count_rows, page_rows, *inclusion_rows) = together(*calls)
    timeline.known(count_rows, start, start + page_size, page_rows)
    return Overview(
        consents=_consents(relay_id, consent_rows, service_rows, party_rows),
        handovers=_handovers(relay_id, handover_rows),
        participants=_participants(relay_id, participant_rows),
        guardians=_guardians(relay.child_id, guardian_rows),
        inclusion_requests=_inclusions(relay_id, inclusion_rows[0]) if inclusions else [],
        steps=step_rows,
        page=Paginator(timeline, page_size).get_page(number),
    )
