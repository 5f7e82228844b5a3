"""Who may write, approve and see a report of concern (bekymringsmelding), on
the kernel in stafett.access.

Who writes one:
- from a worry: the employee working on it (its author, while an active
  member of its service), at any step, open or closed, and from the acute
  path;
- from a relay: its holder, and participants the consent in force covers
  (the relay's own "acute" right, which a closed relay keeps too).
The reporter reports for the service she works in on the case.

Who approves: a leader of the reporter's service.

Who sees a report — ONLY these three, because it is the most sensitive thing
Stafett holds about a family:
- the reporter, while an active member of the report's service;
- a leader of that service, once the report was submitted (a draft is the
  reporter's own);
- the holder of the relay it was written from, once submitted.
Not a colleague, not another service's leader, not the coordinator: their
access to the worry or relay gives them none to the report. Missing and
forbidden both answer 404.

The report's states and what each allows are `REPORT` below, written once.
"""

from __future__ import annotations

from django.db import router
from django.db.models import Q, QuerySet

from stafett.access.actor import Actor, stand_in_actor
from stafett.access.rules import Forbidden, get_visible
from stafett.access.states import StateTable
from stafett.concerns.policy import concern_actions
from stafett.lib.prepared import Columns, Prepared
from stafett.relay.policy import covering_services, is_holder, relay_actions

from .models import ChildWelfareReport, ReportSettings

Status = ChildWelfareReport.Status

# The state table. "send_acute" is the reporter's own send on the acute path,
# allowed only where the municipality lets her skip the approval.
REPORT = StateTable("report", {
    Status.DRAFT: frozenset({"view", "edit", "submit", "send_acute", "withdraw"}),
    Status.AWAITING_APPROVAL: frozenset({"view", "approve", "send_back", "withdraw"}),
    # Frozen from here on: read and download, nothing else.
    Status.QUEUED: frozenset({"view", "pdf"}),
    Status.SENT: frozenset({"view", "pdf"}),
    Status.RECEIVED: frozenset({"view", "pdf"}),
    Status.FAILED: frozenset({"view", "pdf"}),
    Status.WITHDRAWN: frozenset({"view"}),
})

REPORTER_ACTIONS = frozenset({"view", "edit", "submit", "send_acute", "withdraw", "pdf"})
LEADER_ACTIONS = frozenset({"view", "approve", "send_back", "pdf"})
HOLDER_ACTIONS = frozenset({"view", "pdf"})


def settings_for(municipality) -> ReportSettings:
    conf, _ = ReportSettings.objects.get_or_create(municipality=municipality)
    return conf


# --- writing ---------------------------------------------------------------------


def concern_reporting_service(actor: Actor, concern) -> int | None:
    """The service `actor` reports for from this worry, or None when she may
    not write a report from it: only its author, while she works there."""
    if not actor.is_user(concern.author_id):
        return None
    if "acute" not in concern_actions(actor, concern):
        return None
    return concern.service_id


def relay_reporting_service(actor: Actor, relay, allowed=None) -> int | None:
    """The service `actor` reports for from this relay: the holder's, or the
    service of her covered participation; None when she may not. `allowed`:
    her relay actions, where the page has asked them already (for a
    participant each asking is a query)."""
    if "acute" not in (relay_actions(actor, relay) if allowed is None else allowed):
        return None
    if is_holder(actor, relay):
        return relay.holder_service_id
    return next(iter(covering_services(actor, relay)), None)


# --- seeing ------------------------------------------------------------------------


def visible_reports(actor: Actor) -> QuerySet:
    if not actor.is_staff_member:
        return ChildWelfareReport.objects.none()
    submitted = Q(submitted_at__isnull=False)
    return ChildWelfareReport.objects.filter(
        Q(reporter=actor.user, service_id__in=actor.service_ids)
        | (Q(service_id__in=actor.led_service_ids) & submitted)
        | (Q(relay__holder=actor.user, relay__holder_service_id__in=actor.service_ids)
           & submitted)
    )


def led_reports(actor: Actor) -> QuerySet:
    """The leader's page: the submitted reports of the services she leads."""
    return visible_reports(actor).filter(service_id__in=actor.led_service_ids,
                                         submitted_at__isnull=False)


def report_actions(actor: Actor, report, conf: ReportSettings | None = None) -> frozenset[str]:
    if not actor.is_staff_member or report.municipality_id != actor.municipality.pk:
        return frozenset()
    allowed: set[str] = set()
    if actor.is_user(report.reporter_id) and actor.works_in(report.service_id):
        allowed |= REPORTER_ACTIONS
        if not report.acute:
            allowed.discard("send_acute")
        elif "send_acute" in allowed:
            conf = conf or settings_for(report.municipality)
            if not conf.acute_without_approval:
                allowed.discard("send_acute")
    submitted = report.submitted_at is not None
    if actor.leads(report.service_id) and submitted:
        allowed |= LEADER_ACTIONS
    if (report.relay_id and submitted and actor.is_user(report.relay.holder_id)
            and actor.works_in(report.relay.holder_service_id)):
        allowed |= HOLDER_ACTIONS
    return frozenset(allowed) & REPORT.actions(report.status)


def load_report(actor: Actor, pk, action: str = "view", *, lock: bool = False):
    """The report if `actor` may `action` it, else refused (404 in a view).
    With `lock` the row is locked and re-read first."""
    queryset = visible_reports(actor).select_related(
        "child", "service", "service__municipality", "reporter", "approved_by", "concern",
        "relay", "municipality")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    report = get_visible(queryset, pk)
    if action not in report_actions(actor, report):
        raise Forbidden(action)
    return report


SHOWN_ON_A_CASE = 20


def reports_on_case(actor: Actor, *, concern=None, relay=None) -> list:
    """The newest reports `actor` may see that were written from this worry
    or relay, with their reporters, for its page: `reports_on(...)`, the
    same statement, compiled once per process and shape (how many services
    the actor works in and leads) instead of on every page."""
    if not actor.is_staff_member:
        return []
    field, case = ("concern", concern) if concern is not None else ("relay", relay)
    led = actor.led_service_ids
    rows = _ON_CASE[field].rows(case_id=case.pk, user=actor.user.pk,
                                employee_ids=actor.service_ids - led, led_ids=led)
    db = router.db_for_read(ChildWelfareReport)
    return [_REPORT_COLUMNS.instance(row, db) for row in rows]


_REPORT_COLUMNS = Columns(ChildWelfareReport, ("reporter",))


def _on_case(field: str) -> Prepared:
    def build(case_id, user, employee_ids, led_ids):
        # The stand-in actor: visible_reports reads only its ids.
        return (reports_on(stand_in_actor(user, employee_ids, led_ids), **{field: case_id})
                .order_by("-created_at", "-pk")
                .values_list(*_REPORT_COLUMNS.names)[:SHOWN_ON_A_CASE])
    return Prepared(ChildWelfareReport, build, plan_each_time=False)  # one case's


_ON_CASE = {"concern": _on_case("concern"), "relay": _on_case("relay")}


def reports_on(actor: Actor, *, concern=None, relay=None) -> QuerySet:
    """The reports `actor` may see that were written from this worry or relay
    (for its page: nothing for anyone else, however well they see the case)."""
    queryset = visible_reports(actor)
    if concern is not None:
        return queryset.filter(concern=concern)
    return queryset.filter(relay=relay)
