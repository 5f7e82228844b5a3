"""Every write to a report of concern goes through one of these functions:
atomic, the row locked and re-read, the policy asked, the change written and
audited on the duty to report (barnevernsloven § 13-2: no consent needed).

Approval (or the acute path's send without it) freezes the report in the
same transaction: the message id, the KS Fiks JSON checked against the
schema, the PDF/A of the same content, the audit event and the outbox record
that the worker delivers. From then on no action changes the text.
"""

from __future__ import annotations

import logging
import uuid

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.policy import load_concern
from stafett.lib.errors import Conflict
from stafett.notify.outbox import post_record, tell
from stafett.relay.models import Participant
from stafett.relay.policy import load_relay
from stafett.tenancy.models import Membership, Service
from stafett.transport import Receipt

from . import document as doc
from .models import ChildWelfareReport
from .policy import (
    concern_reporting_service,
    load_report,
    relay_reporting_service,
    settings_for,
)

log = logging.getLogger(__name__)

Status = ChildWelfareReport.Status
BASIS = LegalBasis.DUTY_TO_REPORT
CHANNEL = "report"


def _audit(actor, action, report):
    record(actor, action, report, legal_basis=BASIS, child_id=report.child_id,
           service_id=report.service_id)


def _lock(actor, report, action: str, version: int | None = None) -> ChildWelfareReport:
    fresh = load_report(actor, report.pk, action, lock=True)
    if version is not None and fresh.version != version:
        raise Conflict
    return fresh


def _save(report, *fields):
    report.version += 1
    report.save(update_fields=[*fields, "version"])


# --- reading -------------------------------------------------------------------------


def read_report(actor, pk, action: str = "view") -> ChildWelfareReport:
    """Load a report for display with one read event; a refusal raises first."""
    with transaction.atomic():
        report = load_report(actor, pk, action)
        _audit(actor, "read" if action == "view" else f"read_{action}", report)
    return report


def list_reports(actor, queryset, page_number, *, page_size: int = 25):
    with transaction.atomic():
        page = Paginator(queryset, page_size).get_page(page_number)
        page.object_list = list(page.object_list)
        record_many(actor, "list", [(r, r.child_id, None, r.service_id)
                                    for r in page.object_list], legal_basis=BASIS)
    return page


# --- pre-filling from the case ----------------------------------------------------------


def _empty_guardian() -> dict:
    return {"name": "", "phone": "", "told": None, "why_not": ""}


def _base_content(actor, service, child, child_name, child_id_given) -> dict:
    user = actor.user
    return {
        "child": {
            "name": child_name,
            # The number only when this case's own author typed it: the shared
            # child row may carry one another service registered.
            "national_id": child.national_id if child_id_given else "",
            "unborn": child.unborn,
            "address": "", "postcode": "", "town": "", "phone": "",
            "told": None, "why_not": "",
        },
        "guardians": [],
        "reporter": {"name": user.display_name, "role": "", "phone": "", "email": user.email},
        "service": {
            "name": service.name,
            "organisation_number": service.reporting_organisation_number,
            "address": "", "postcode": "", "town": "",
        },
        "observed": "",
        "history": "",
        "other_views": "",
        "other_services": "",
        "interpreter": "",
    }


def prefill_from_concern(actor, concern, service) -> dict:
    content = _base_content(actor, service, concern.child, concern.child_name,
                            concern.child_id_given)
    content["observed"] = concern.observations
    if concern.questions:
        content["other_views"] = concern.questions
    said = _("The child said")
    content["history"] = "\n\n".join(
        f"{c.held_on:%d.%m.%Y} ({c.participants}): {c.summary}"
        + (f"\n{said}: {c.child_view}" if c.child_view else "")
        for c in concern.conversations.all()
    )
    content["guardians"] = [_empty_guardian()]
    return content


def prefill_from_relay(actor, relay, service) -> dict:
    content = _base_content(actor, service, relay.child, relay.child_name, relay.child_id_given)
    content["observed"] = relay.area_of_concern
    lines = [_("Level %(level)s, relay started %(date)s.") % {
        "level": relay.level, "date": f"{relay.created_at:%d.%m.%Y}"}]
    for goal in relay.goals.order_by("created_at", "pk"):
        lines.append(_("Goal: %(title)s") % {"title": goal.title})
    for measure in relay.measures.order_by("starts_on", "pk"):
        lines.append(_("Measure: %(what)s (%(start)s–%(end)s)") % {
            "what": measure.what, "start": f"{measure.starts_on:%d.%m.%Y}",
            "end": f"{measure.deadline:%d.%m.%Y}"})
    content["history"] = "\n".join(lines)
    content["guardians"] = [
        {"name": g.name, "phone": g.phone, "told": None, "why_not": ""}
        for g in relay.child.guardians.filter(parental_responsibility=True).order_by("pk")[:2]
    ] or [_empty_guardian()]
    services = (Participant.objects.filter(relay=relay, left_at__isnull=True)
                .exclude(service_id=service.pk).select_related("service")
                .order_by("service__name").values_list("service__name", flat=True))
    content["other_services"] = ", ".join(dict.fromkeys(services))
    return content


# --- writing -------------------------------------------------------------------------


@transaction.atomic
def create_from_concern(actor, concern_pk, *, acute: bool = False) -> ChildWelfareReport:
    concern = load_concern(actor, concern_pk, "acute", lock=True)
    service_id = concern_reporting_service(actor, concern)
    if service_id is None:
        raise Forbidden("report")
    service = Service.objects.select_related("municipality").get(pk=service_id)
    return _create(actor, service, prefill_from_concern(actor, concern, service),
                   child=concern.child, concern=concern, acute=acute)


@transaction.atomic
def create_from_relay(actor, relay_pk, *, acute: bool = False) -> ChildWelfareReport:
    relay = load_relay(actor, relay_pk, "acute", lock=True)
    service_id = relay_reporting_service(actor, relay)
    if service_id is None:
        raise Forbidden("report")
    service = Service.objects.select_related("municipality").get(pk=service_id)
    return _create(actor, service, prefill_from_relay(actor, relay, service),
                   child=relay.child, relay=relay, acute=acute)


def _create(actor, service, content, *, child, concern=None, relay=None, acute):
    report = ChildWelfareReport.objects.create(
        municipality=actor.municipality, child=child, concern=concern, relay=relay,
        acute=acute, service=service, reporter=actor.user, content=content,
        created_at=timezone.now(),
    )
    _audit(actor, "create", report)
    return report


@transaction.atomic
def edit_report(actor, report, *, version: int, content: dict) -> ChildWelfareReport:
    report = _lock(actor, report, "edit", version)
    report.content = content
    _save(report, "content")
    _audit(actor, "update", report)
    return report


@transaction.atomic
def submit_report(actor, report, *, version: int) -> ChildWelfareReport:
    """To the leader for approval. The content is checked against the format
    now, so the leader is not handed a report she cannot approve."""
    report = _lock(actor, report, "submit", version)
    doc.checked_document(report, _with_service(report), settings_for(report.municipality),
                         timezone.now())
    report.status = Status.AWAITING_APPROVAL
    report.submitted_at = timezone.now()
    report.returned_comment = ""
    _save(report, "status", "submitted_at", "returned_comment")
    _audit(actor, "submit", report)
    _tell_leaders(actor, report, "report_awaiting_approval")
    return report


@transaction.atomic
def approve_report(actor, report, *, version: int) -> ChildWelfareReport:
    report = _lock(actor, report, "approve", version)
    _freeze(report, approved_by=actor.user)
    _audit(actor, "approve", report)
    return report


@transaction.atomic
def send_acute(actor, report, *, version: int) -> ChildWelfareReport:
    """The acute path where the municipality allows it: sent without waiting
    for the leader, who sees it on her page at once."""
    report = _lock(actor, report, "send_acute", version)
    report.submitted_at = timezone.now()
    report.approval_skipped = True
    _freeze(report, approved_by=None)
    _audit(actor, "send_acute", report)
    _tell_leaders(actor, report, "report_sent_acute")
    return report


def _with_service(report) -> dict:
    """The content with the service's organisation number as registered now
    (the reporter does not type it)."""
    content = dict(report.content)
    content["service"] = {**content.get("service", {}),
                          "organisation_number": report.service.reporting_organisation_number}
    return content


def _freeze(report, *, approved_by):
    now = timezone.now()
    content = _with_service(report)
    document = doc.checked_document(report, content, settings_for(report.municipality), now)
    report.content = content
    report.document = document
    report.approved_at = now
    report.approved_by = approved_by
    report.pdf = doc.render_report_pdf(report, content, document)
    report.message_id = uuid.uuid4()
    report.status = Status.QUEUED
    _save(report, "content", "document", "pdf", "message_id", "status", "approved_at",
          "approved_by", "submitted_at", "approval_skipped")
    post_record(CHANNEL, key=f"report:{report.pk}", municipality=report.municipality,
                params={"report": report.pk})


@transaction.atomic
def send_back(actor, report, *, version: int, comment: str) -> ChildWelfareReport:
    """The leader returns it to the reporter as a draft, with her comment."""
    report = _lock(actor, report, "send_back", version)
    report.status = Status.DRAFT
    report.submitted_at = None
    report.returned_comment = comment
    report.returned_at = timezone.now()
    _save(report, "status", "submitted_at", "returned_comment", "returned_at")
    _audit(actor, "send_back", report)
    if report.reporter.is_active and not actor.is_user(report.reporter_id):
        tell(report.reporter, "report_sent_back", municipality=report.municipality, about=report)
    return report


def _tell_leaders(actor, report, kind: str) -> None:
    """The active leaders of the report's service, in this transaction
    (never the actor herself)."""
    for membership in Membership.objects.filter(
        service_id=report.service_id, role=Membership.Role.LEADER, active=True,
        user__is_active=True,
    ).exclude(user_id=actor.user.pk).select_related("user"):
        tell(membership.user, kind, municipality=report.municipality, about=report)


@transaction.atomic
def withdraw_report(actor, report, *, version: int) -> ChildWelfareReport:
    report = _lock(actor, report, "withdraw", version)
    report.status = Status.WITHDRAWN
    _save(report, "status")
    _audit(actor, "withdraw", report)
    return report


@transaction.atomic
def update_settings(actor, form) -> None:
    """The coordinator's settings (configuration, no child's data)."""
    if not actor.is_coordinator:
        raise Forbidden("settings")
    conf = form.save(commit=False)
    conf.updated_at, conf.updated_by = timezone.now(), actor.user
    conf.save()


# --- delivery and receipts (the worker's side; no person acts) ---------------------------


def mark_sent(report_pk: int) -> None:
    """The transport has it: queued → sent (a receipt that came first wins)."""
    with scopes_disabled(), transaction.atomic():
        ChildWelfareReport.objects.filter(pk=report_pk, status=Status.QUEUED).update(
            status=Status.SENT, sent_at=timezone.now())


def record_receipt(receipt: Receipt) -> None:
    """The receiver's answer: received, or failed with its message."""
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        report = (ChildWelfareReport.objects.select_for_update()
                  .filter(message_id=receipt.in_reply_to).first())
        if report is None:
            log.warning("a report receipt for an unknown message %s", receipt.in_reply_to)
            return
        outcome = receipt.outcome.lower()
        if outcome in ("received", "mottatt") or receipt.message_type.endswith(".mottatt.v1"):
            if report.status != Status.RECEIVED:
                report.status, report.received_at, report.error = Status.RECEIVED, now, ""
                report.sent_at = report.sent_at or now
                report.save(update_fields=["status", "received_at", "error", "sent_at"])
        elif outcome in ("failed", "feilet") or receipt.message_type.endswith(".feilet.v1"):
            if report.status != Status.RECEIVED:
                report.status, report.failed_at = Status.FAILED, now
                report.error = (receipt.error or _("The receiver gave no reason."))[:500]
                report.sent_at = report.sent_at or now
                report.save(update_fields=["status", "failed_at", "error", "sent_at"])
        else:
            log.warning("a report receipt with an unknown outcome %r", receipt.outcome)
