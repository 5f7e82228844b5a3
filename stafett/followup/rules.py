"""The follow-up rules. Each takes municipalities (ids) that share the same
settings, `now` and those settings, and returns a `Check`: a queryset of the objects
broken now (one SQL query, never loaded whole), the columns a new break needs
and how to make its `Hit` (service and recipients) from one row. The engine
compares that queryset with the open breaks inside the database, so only
what changed comes back (docs/followup.md). The clock is passed in, never
read here, so tests control time.

Simplification (transition rule): the receiving service of a school
transition is not modelled (Service has no "kindergarten"/"school" field and
names are not reliable), so *any* basis service other than the holder's
taking part in the relay counts as the receiving service being on board.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from stafett.concerns.models import Concern
from stafett.followup.models import Rule
from stafett.relay.models import Consent, Entry, Evaluation, Handover, Measure, Participant, Relay
from stafett.relay.policy import open_consent_q
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Membership, MunicipalityRole


@dataclass(frozen=True)
class Hit:
    service_id: int
    recipients: tuple[int, ...]
    concern_id: int | None = None
    relay_id: int | None = None


@dataclass
class Directory:
    """Who works where in one municipality, loaded in two queries."""

    active: set[tuple[int, int]] = field(default_factory=set)  # (service id, user id)
    leaders: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    coordinators: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, municipality) -> Directory:

        directory = cls()
        for service_id, user_id, role in (
            Membership.objects.filter(municipality=municipality, active=True, user__is_active=True)
            .order_by("pk").values_list("service_id", "user_id", "role")
        ):
            directory.active.add((service_id, user_id))
            if role == "leader":
                directory.leaders[service_id].append(user_id)
        directory.coordinators = list(
            MunicipalityRole.objects.filter(
                municipality=municipality, role="coordinator", user__is_active=True
            ).order_by("pk").values_list("user_id", flat=True)
        )
        return directory

    def recipients(self, service_id: int, *candidates: int | None) -> tuple[int, ...]:
        """The candidates still working in the service; else its leaders;
        else the municipality's BTI coordinators."""
        able = [u for u in dict.fromkeys(candidates) if u and (service_id, u) in self.active]
        if able:
            return tuple(able)
        if self.leaders.get(service_id):
            return tuple(self.leaders[service_id])
        return tuple(self.coordinators)


@dataclass(frozen=True)
class Check:
    """What one rule finds: `broken` is the queryset of the objects broken
    now; `fields` the columns of a row for `hit(row, directory)`."""

    object_type: str
    broken: QuerySet
    fields: tuple[str, ...]
    hit: Callable[[tuple, Directory], Hit]


def _open_relays(municipalities):

    return Relay.objects.filter(municipality__in=municipalities, status=Relay.Status.OPEN)


def _holder_active():
    """The relay's holder has an active place in the holder's service and an
    active account: `Directory.active`, as a subquery."""
    return Exists(Membership.objects.filter(
        municipality=OuterRef("municipality_id"), service=OuterRef("holder_service_id"), user=OuterRef("holder_id"),
        active=True, user__is_active=True,
    ))


RELAY_FIELDS = ("pk", "holder_service_id", "holder_id")


def _to_holder(row, directory):
    pk, service_id, holder = row
    return Hit(service_id, directory.recipients(service_id, holder), relay_id=pk)


def _relay_check(queryset):
    return Check("relay", queryset, RELAY_FIELDS, _to_holder)


def _concern_hit(row, directory):
    pk, service_id, author = row
    return Hit(service_id, directory.recipients(service_id, author), concern_id=pk)


def concern_idle(municipalities, now, conf):

    cutoff = now - dt.timedelta(days=conf.concern_idle_days)
    broken = Concern.objects.filter(
        municipality__in=municipalities, status=Concern.Status.OPEN, last_activity_at__lt=cutoff
    )
    return Check("concern", broken, ("pk", "service_id", "author_id"), _concern_hit)


def holder_inactive(municipalities, now, conf):
    """The holder still works in the service but has written nothing in the
    relay for the threshold (a holder who left is `holder_gone`)."""

    cutoff = now - dt.timedelta(days=conf.holder_inactive_days)
    recent = Entry.objects.filter(relay=OuterRef("pk"), author=OuterRef("holder_id"), created_at__gte=cutoff)
    broken = (
        _open_relays(municipalities).filter(created_at__lt=cutoff)
        .exclude(Exists(recent)).filter(_holder_active())
    )
    return _relay_check(broken)


def _holder_gone_hit(row, directory):
    pk, service_id, _holder = row
    return Hit(service_id, directory.recipients(service_id), relay_id=pk)


def holder_gone(municipalities, now, conf):
    """The holder no longer has an active place in the holder's service, or
    the account is deactivated: the leader (else the coordinator) must act."""
    broken = _open_relays(municipalities).exclude(_holder_active())
    return Check("relay", broken, RELAY_FIELDS, _holder_gone_hit)


def _handover_hit(row, directory):
    pk, relay_id, to_user, to_service, holder, holder_service = row
    recipients = tuple(
        dict.fromkeys(directory.recipients(to_service, to_user) + directory.recipients(holder_service, holder))
    )
    return Hit(holder_service, recipients, relay_id=relay_id)


def handover_pending(municipalities, now, conf):

    cutoff = now - dt.timedelta(days=conf.handover_days)
    broken = Handover.objects.filter(
        municipality__in=municipalities, status=Handover.Status.PENDING, requested_at__lt=cutoff,
        relay__status="open",
    )
    return Check("handover", broken, ("pk", "relay_id", "to_user_id", "to_service_id", "relay__holder_id",
                                      "relay__holder_service_id"), _handover_hit)


MEASURE_FIELDS = ("pk", "relay_id", "relay__holder_service_id", "relay__holder_id")


def _measure_hit(row, directory):
    pk, relay_id, service_id, holder = row
    return Hit(service_id, directory.recipients(service_id, holder), relay_id=relay_id)


def evaluation_overdue(municipalities, now, conf):

    today = timezone.localdate(now)
    broken = Measure.objects.filter(
        municipality__in=municipalities, relay__status="open", evaluate_on__lt=today
    ).exclude(Exists(Evaluation.objects.filter(measure=OuterRef("pk"))))
    return Check("measure", broken, MEASURE_FIELDS, _measure_hit)


def measure_overdue(municipalities, now, conf):
    """Past its deadline with no evaluation of the measure on or after the deadline."""

    today = timezone.localdate(now)
    after = Evaluation.objects.filter(measure=OuterRef("pk"), created_at__date__gte=OuterRef("deadline"))
    broken = Measure.objects.filter(
        municipality__in=municipalities, relay__status="open", deadline__lt=today
    ).exclude(Exists(after))
    return Check("measure", broken, MEASURE_FIELDS, _measure_hit)


def consent_expiring(municipalities, now, conf):
    """The relay's consent — the newest one, neither withdrawn nor superseded
    (the state table in access/states.py; at most one per relay, by
    constraint) — ends within the warning period, or already ended. A new
    consent mends it; a narrower or shorter one that replaced a longer one
    counts with its own date. A relay that never had a consent, or whose
    consent was withdrawn, is not this rule's break."""

    today = timezone.localdate(now)
    limit = today + dt.timedelta(days=conf.consent_warning_days)
    ending = Consent.objects.filter(open_consent_q(), relay=OuterRef("pk"), valid_until__lt=limit)
    return _relay_check(_open_relays(municipalities).filter(Exists(ending)))


def relay_idle(municipalities, now, conf):
    cutoff = now - dt.timedelta(days=conf.relay_idle_days)
    return _relay_check(_open_relays(municipalities).filter(last_activity_at__lt=cutoff))


# Age in the calendar year of the transition: school starts on 1 August of the
# year the child turns 6; lower secondary on 1 August of the year it turns 13.
TRANSITION_AGES = (6, 13)


def transition_years(today: dt.date, days: int) -> set[int]:
    """Birth years of children with a transition within `days` from `today`."""
    years = set()
    for year in (today.year, today.year + 1):
        starts = dt.date(year, 8, 1)
        if starts - dt.timedelta(days=days) <= today < starts:
            years |= {year - age for age in TRANSITION_AGES}
    return years


def transition(municipalities, now, conf):

    years = transition_years(timezone.localdate(now), conf.transition_days)
    if not years:
        return _relay_check(Relay.objects.none())
    receiving = Participant.objects.filter(
        relay=OuterRef("pk"), left_at__isnull=True, service__kind="basis"
    ).exclude(service_id=OuterRef("holder_service_id"))
    broken = (
        _open_relays(municipalities).filter(child__birth_date__year__in=years)
        .exclude(Exists(receiving))
    )
    return _relay_check(broken)


# A report of concern must reach the child welfare service the same day it is
# approved (on the acute path, the same day the harm was suspected): a day
# without the receiver's "received" is a break, whether it waits in the
# outbox, was sent unanswered, or was refused.
REPORT_DELIVERY = dt.timedelta(days=1)


def _report_hit(row, directory):
    pk, service_id, reporter, concern_id, relay_id = row
    return Hit(service_id, directory.recipients(service_id, reporter), concern_id=concern_id, relay_id=relay_id)


def report_undelivered(municipalities, now, conf):
    """Approved over a day ago and not confirmed received. The reporter is
    told (else her service's leaders), never anyone who may not see it."""
    Status = ChildWelfareReport.Status
    broken = ChildWelfareReport.objects.filter(
        municipality__in=municipalities, approved_at__lt=now - REPORT_DELIVERY,
        status__in=[Status.QUEUED, Status.SENT, Status.FAILED],
    )
    return Check("report", broken, ("pk", "service_id", "reporter_id", "concern_id", "relay_id"), _report_hit)


RULES = {
    Rule.CONCERN_IDLE: concern_idle,
    Rule.HOLDER_INACTIVE: holder_inactive,
    Rule.HOLDER_GONE: holder_gone,
    Rule.HANDOVER_PENDING: handover_pending,
    Rule.EVALUATION_OVERDUE: evaluation_overdue,
    Rule.MEASURE_OVERDUE: measure_overdue,
    Rule.CONSENT_EXPIRING: consent_expiring,
    Rule.RELAY_IDLE: relay_idle,
    Rule.TRANSITION: transition,
    Rule.REPORT_UNDELIVERED: report_undelivered,
}
