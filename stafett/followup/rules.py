"""The follow-up rules. Each takes the municipality's settings, `now` and the
municipality's staff directory and returns the objects that are broken now:
{(object_type, object_id): Hit}. The clock is passed in, never read here, so
tests control time. Every rule is one or two queries whatever the data size.

Simplification (transition rule): the receiving service of a school
transition is not modelled (Service has no "kindergarten"/"school" field and
names are not reliable), so *any* basis service other than the holder's
taking part in the relay counts as the receiving service being on board.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from stafett.concerns.models import Concern
from stafett.followup.models import Rule
from stafett.relay.models import Entry, Evaluation, Handover, Measure, Participant, Relay
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


def _open_relays(municipality):

    return Relay.objects.filter(municipality=municipality, status=Relay.Status.OPEN)


def concern_idle(municipality, now, conf, directory):

    cutoff = now - dt.timedelta(days=conf.concern_idle_days)
    rows = Concern.objects.filter(
        municipality=municipality, status=Concern.Status.OPEN, last_activity_at__lt=cutoff
    ).values_list("pk", "service_id", "author_id")
    return {
        ("concern", pk): Hit(service_id, directory.recipients(service_id, author), concern_id=pk)
        for pk, service_id, author in rows
    }


def holder_inactive(municipality, now, conf, directory):
    """The holder still works in the service but has written nothing in the
    relay for the threshold (a holder who left is `holder_gone`)."""

    cutoff = now - dt.timedelta(days=conf.holder_inactive_days)
    recent = Entry.objects.filter(relay=OuterRef("pk"), author=OuterRef("holder_id"), created_at__gte=cutoff)
    rows = (
        _open_relays(municipality).filter(created_at__lt=cutoff)
        .exclude(Exists(recent)).values_list("pk", "holder_service_id", "holder_id")
    )
    return {
        ("relay", pk): Hit(service_id, directory.recipients(service_id, holder), relay_id=pk)
        for pk, service_id, holder in rows
        if (service_id, holder) in directory.active
    }


def holder_gone(municipality, now, conf, directory):
    """The holder no longer has an active place in the holder's service, or
    the account is deactivated: the leader (else the coordinator) must act."""
    rows = _open_relays(municipality).values_list("pk", "holder_service_id", "holder_id")
    return {
        ("relay", pk): Hit(service_id, directory.recipients(service_id), relay_id=pk)
        for pk, service_id, holder in rows
        if (service_id, holder) not in directory.active
    }


def handover_pending(municipality, now, conf, directory):

    cutoff = now - dt.timedelta(days=conf.handover_days)
    rows = Handover.objects.filter(
        municipality=municipality, status=Handover.Status.PENDING, requested_at__lt=cutoff,
        relay__status="open",
    ).values_list("pk", "relay_id", "to_user_id", "to_service_id", "relay__holder_id",
                  "relay__holder_service_id")
    hits = {}
    for pk, relay_id, to_user, to_service, holder, holder_service in rows:
        recipients = tuple(
            dict.fromkeys(
                directory.recipients(to_service, to_user) + directory.recipients(holder_service, holder)
            )
        )
        hits[("handover", pk)] = Hit(holder_service, recipients, relay_id=relay_id)
    return hits


def _measure_hits(rows, directory):
    return {
        ("measure", pk): Hit(service_id, directory.recipients(service_id, holder), relay_id=relay_id)
        for pk, relay_id, service_id, holder in rows
    }


MEASURE_FIELDS = ("pk", "relay_id", "relay__holder_service_id", "relay__holder_id")


def evaluation_overdue(municipality, now, conf, directory):

    today = timezone.localdate(now)
    rows = Measure.objects.filter(
        municipality=municipality, relay__status="open", evaluate_on__lt=today
    ).exclude(Exists(Evaluation.objects.filter(measure=OuterRef("pk")))).values_list(*MEASURE_FIELDS)
    return _measure_hits(rows, directory)


def measure_overdue(municipality, now, conf, directory):
    """Past its deadline with no evaluation of the measure on or after the deadline."""

    today = timezone.localdate(now)
    after = Evaluation.objects.filter(measure=OuterRef("pk"), created_at__date__gte=OuterRef("deadline"))
    rows = Measure.objects.filter(
        municipality=municipality, relay__status="open", deadline__lt=today
    ).exclude(Exists(after)).values_list(*MEASURE_FIELDS)
    return _measure_hits(rows, directory)


def consent_expiring(municipality, now, conf, directory):
    """The relay's consent — the newest one, neither withdrawn nor superseded
    (the state table in access/states.py) — ends within the warning period, or
    already ended. A new consent mends it; a narrower or shorter one that
    replaced a longer one counts with its own date. A relay that never had a
    consent, or whose consent was withdrawn, is not this rule's break."""

    today = timezone.localdate(now)
    limit = today + dt.timedelta(days=conf.consent_warning_days)
    rows = (
        _open_relays(municipality)
        .annotate(until=Max("consents__valid_until", filter=open_consent_q("consents__")))
        .filter(until__lt=limit).values_list("pk", "holder_service_id", "holder_id")
    )
    return {
        ("relay", pk): Hit(service_id, directory.recipients(service_id, holder), relay_id=pk)
        for pk, service_id, holder in rows
    }


def relay_idle(municipality, now, conf, directory):
    cutoff = now - dt.timedelta(days=conf.relay_idle_days)
    rows = _open_relays(municipality).filter(last_activity_at__lt=cutoff).values_list(
        "pk", "holder_service_id", "holder_id"
    )
    return {
        ("relay", pk): Hit(service_id, directory.recipients(service_id, holder), relay_id=pk)
        for pk, service_id, holder in rows
    }


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


def transition(municipality, now, conf, directory):

    years = transition_years(timezone.localdate(now), conf.transition_days)
    if not years:
        return {}
    receiving = Participant.objects.filter(
        relay=OuterRef("pk"), left_at__isnull=True, service__kind="basis"
    ).exclude(service_id=OuterRef("holder_service_id"))
    rows = (
        _open_relays(municipality).filter(child__birth_date__year__in=years)
        .exclude(Exists(receiving)).values_list("pk", "holder_service_id", "holder_id")
    )
    return {
        ("relay", pk): Hit(service_id, directory.recipients(service_id, holder), relay_id=pk)
        for pk, service_id, holder in rows
    }


# A report of concern must reach the child welfare service the same day it is
# approved (on the acute path, the same day the harm was suspected): a day
# without the receiver's "received" is a break, whether it waits in the
# outbox, was sent unanswered, or was refused.
REPORT_DELIVERY = dt.timedelta(days=1)


def report_undelivered(municipality, now, conf, directory):
    """Approved over a day ago and not confirmed received. The reporter is
    told (else her service's leaders), never anyone who may not see it."""
    Status = ChildWelfareReport.Status
    rows = ChildWelfareReport.objects.filter(
        municipality=municipality, approved_at__lt=now - REPORT_DELIVERY,
        status__in=[Status.QUEUED, Status.SENT, Status.FAILED],
    ).values_list("pk", "service_id", "reporter_id", "concern_id", "relay_id")
    return {
        ("report", pk): Hit(service_id, directory.recipients(service_id, reporter),
                            concern_id=concern_id, relay_id=relay_id)
        for pk, service_id, reporter, concern_id, relay_id in rows
    }


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
