"""Registering, producing and delivering a child's full record: one function
per use case, each in one transaction (lock, re-read, ask the policy, write,
audit on the right of access, outbox).

Audit rows carry ids and codes only (ARCHITECTURE.md rule 7): the request is
the object, the child its child id, and producing the record adds one row per
case it read (relay, worry, report), so the trail shows which records went
into which answer without any of their content.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from stafett.access.rules import Forbidden
from stafett.audit.log import record, record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.models import Child, Concern
from stafett.guides.pdf import ARCHIVE_VARIANT, render_pdf
from stafett.lib.dates import add_years
from stafett.notify.outbox import post_many
from stafett.relay.actions import family_recipients
from stafett.relay.models import Guardian, Relay
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Service

from . import policy
from .models import AccessRequest
from .record import assemble

BASIS = LegalBasis.RIGHT_OF_ACCESS
# GDPR art. 12(3): without undue delay and at the latest within one month of
# receipt (forvaltningsloven § 18 sets no time, only "without undue delay").
ANSWER_WITHIN_MONTHS = 1
PDF_TEMPLATE = "fullrecord/record_pdf.html"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the last day of the month where it has
    no such day (31 January + 1 month = 28 or 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def deadline_for(received_on: dt.date) -> dt.date:
    return add_months(received_on, ANSWER_WITHIN_MONTHS)


def _audit(actor, action: str, request, *, items=()) -> None:
    rows = [(request, request.child_id, None), *[(case, request.child_id, None) for case in items]]
    record_many(actor, action, rows, legal_basis=BASIS, service_id=request.service_id)


# --- reads -------------------------------------------------------------------------------


def list_requests(actor, *, open_only: bool = False) -> list[AccessRequest]:
    """The requests the actor answers for, the nearest deadline first; the
    list is audited like any list of a child's data."""
    queryset = policy.visible_requests(actor).select_related("service")
    if open_only:
        queryset = queryset.exclude(status=AccessRequest.Status.DELIVERED)
    rows = list(queryset.order_by("deadline", "pk")[:500])
    if rows:
        with transaction.atomic():
            record_many(actor, "list", [(r, r.child_id, None) for r in rows], legal_basis=BASIS)
    return rows


def read_request(actor, pk, action: str = "view") -> AccessRequest:
    with transaction.atomic():
        request = policy.load_request(actor, pk, action)
        _audit(actor, "read", request)
    return request


def allowed(actor, request) -> frozenset[str]:
    """What the page may offer (the actions check again when posted)."""
    return policy.request_actions(actor, request)


def case_choices(actor) -> list[tuple[str, str]]:
    """The cases the actor may register a request through, for the form:
    ("relay:12", "Mia Fjeld – stafettlogg, Helsestasjonen"). The child as the
    case names it, never the shared child row."""
    services = {}
    choices = []
    for kind, case, service_id in policy.cases(actor):
        services.setdefault(service_id, None)
        label = _("log (level %(level)s)") % {"level": case.level} if kind == "relay" else _("worry")
        choices.append((f"{kind}:{case.pk}:{service_id}", case.child_name, label, service_id))
    names = dict(Service.objects.filter(pk__in=list(services)).values_list("pk", "name"))
    return [(value, f"{child} – {label}, {names[service_id]}")
            for value, child, label, service_id in choices]


# --- register ---------------------------------------------------------------------------


def _case(actor, value: str) -> tuple[int, int]:
    """(child id, service id) of a case the actor answers through."""
    for kind, case, service_id in policy.cases(actor):
        if value == f"{kind}:{case.pk}:{service_id}":
            return case.child_id, service_id
    raise ValidationError(_("Choose one of the cases in the list."))


def _check_requester(child: Child, role: str, national_id, on: dt.date) -> None:
    """The requester may ask: a guardian not recorded WITHOUT parental
    responsibility, or the child themself from the municipality's consent age."""
    if role == AccessRequest.Role.GUARDIAN:
        rows = list(Guardian.objects.filter(child=child, national_id=national_id.value)
                    .values_list("parental_responsibility", flat=True))
        if rows and not any(rows):
            raise ValidationError(_(
                "The municipality's records say this person does not have parental "
                "responsibility for the child. Only a guardian with parental responsibility "
                "can ask for the child's record. Check it, and correct the records if they are wrong."))
        if child.national_id and child.national_id == national_id.value:
            raise ValidationError(_("This is the child's own identity number: choose "
                                    "\"The young person themself\"."))
        return
    if child.national_id and child.national_id != national_id.value:
        raise ValidationError(_("This is not the child's identity number."))
    age = child.municipality.child_consent_age
    if child.birth_date is None or national_id.birth_date != child.birth_date:
        raise ValidationError(_("This is not the child's identity number."))
    if add_years(child.birth_date, age) > on:
        raise ValidationError(_(
            "The child is under %(age)s, the municipality's consent age: a guardian with "
            "parental responsibility asks on the child's behalf.") % {"age": age})


def register_request(actor, *, case: str, role: str, requester_name: str, national_id,
                     received_on: dt.date, channel: str) -> AccessRequest:
    """Register a guardian's or the young person's request for the child's record."""
    if role not in AccessRequest.Role.values or channel not in AccessRequest.Channel.values:
        raise ValidationError(_("Choose one of the options in the list."))
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError(_("The request cannot have come in after today."))
    with transaction.atomic():
        child_id, service_id = _case(actor, case)
        child = Child.objects.select_related("municipality").get(pk=child_id)
        _check_requester(child, role, national_id, today)
        now = timezone.now()
        request = AccessRequest.objects.create(
            municipality=actor.municipality, child=child, role=role,
            requester_name=requester_name.strip(), requester_national_id=national_id.value,
            received_on=received_on, channel=channel, deadline=deadline_for(received_on),
            service_id=service_id, registered_by=actor.user, registered_at=now,
        )
        _audit(actor, "register_access_request", request)
    return request


# --- produce -----------------------------------------------------------------------------


def _cases_read(document: dict):
    """The cases the record read, as objects for the audit rows (ids only)."""
    municipality_id = document["_municipality_id"]
    return chain(
        (Concern(pk=row["id"], municipality_id=municipality_id) for row in document["worries"]),
        (Relay(pk=row["id"], municipality_id=municipality_id) for row in document["relays"]),
        (ChildWelfareReport(pk=row["id"], municipality_id=municipality_id)
         for row in document["reports"]),
    )


def produce(actor, pk, *, version: int) -> AccessRequest:
    """Assemble the requester's copy, render its PDF/A and freeze both on the
    request. The producer is not shown the copy (docs/full-record.md)."""
    with transaction.atomic():
        request = policy.load_request(actor, pk, "produce", lock=True)
        if request.version != version:
            raise ValidationError(_("The page is out of date. Reload it, and make your change again."))
        document = assemble(request)
        pdf = render_pdf(PDF_TEMPLATE, {"record": document}, variant=ARCHIVE_VARIANT)
        request.document = document
        request.pdf = pdf
        request.status = AccessRequest.Status.PRODUCED
        request.produced_at = timezone.now()
        request.produced_by = actor.user
        request.version += 1
        request.save()
        _audit(actor, "produce_full_record", request,
               items=_cases_read({**document, "_municipality_id": request.municipality_id}))
    return request


def deliver(actor, pk, *, version: int) -> AccessRequest:
    """Make the produced record available to the requester in the family pages
    (ID-porten), and tell them by e-mail if they gave an address there."""
    with transaction.atomic():
        request = policy.load_request(actor, pk, "deliver", lock=True)
        if request.version != version:
            raise ValidationError(_("The page is out of date. Reload it, and make your change again."))
        request.status = AccessRequest.Status.DELIVERED
        request.delivered_at = timezone.now()
        request.delivered_by = actor.user
        request.version += 1
        request.save()
        _audit(actor, "deliver_full_record", request)
        rows = [(user.pk, f"family_record_ready:{request.pk}:{user.pk}", {"request": request.pk})
                for user in family_recipients({request.requester_national_id})]
        post_many(rows, "family_record_ready", municipality=request.municipality)
    return request


def read_part(actor, pk) -> tuple[AccessRequest, dict, bytes]:
    """The producer's part: the record narrowed to what the producer may see
    now, with the sealed notice, as JSON and PDF/A. Audited as a read."""
    with transaction.atomic():
        request = policy.load_request(actor, pk, "read_part")
        document = assemble(request, policy.Sight(actor))
        _audit(actor, "read_full_record_part", request,
               items=_cases_read({**document, "_municipality_id": request.municipality_id}))
    pdf = render_pdf(PDF_TEMPLATE, {"record": document}, variant=ARCHIVE_VARIANT)
    return request, document, pdf


# --- the family ----------------------------------------------------------------------------


def family_requests(actor) -> list[AccessRequest]:
    """The delivered records a citizen asked for, in any municipality."""
    if not actor.is_citizen or not actor.family.national_id:
        return []
    with scopes_disabled():
        rows = list(AccessRequest.objects.filter(
            requester_national_id=actor.family.national_id,
            status=AccessRequest.Status.DELIVERED,
        ).select_related("municipality").only(
            "pk", "municipality__name", "municipality_id", "child_id", "received_on",
            "delivered_at", "collected_at", "document",
        ).order_by("-delivered_at", "-pk"))
        with transaction.atomic():
            for row in rows:
                with scope(municipality=row.municipality_id):
                    record(actor, "list", row, legal_basis=BASIS, child_id=row.child_id)
    return rows


def collect(actor, pk) -> AccessRequest:
    """The requester downloads their record: the first time marks it collected."""
    if not actor.is_citizen or not actor.family.national_id or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Forbidden("request")
    with transaction.atomic(), scopes_disabled():
        request = AccessRequest.objects.select_for_update(of=("self",)).filter(
            pk=pk, requester_national_id=actor.family.national_id,
            status=AccessRequest.Status.DELIVERED,
        ).first()
        if request is None:
            raise Forbidden("request")
        with scope(municipality=request.municipality_id):
            if request.collected_at is None:
                request.collected_at = timezone.now()
                request.save(update_fields=["collected_at"])
            record(actor, "collect_full_record", request, legal_basis=BASIS,
                   child_id=request.child_id)
    return request
