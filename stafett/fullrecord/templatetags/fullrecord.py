"""Showing the frozen record (plain JSON) in its PDF: ISO dates as dates,
codes as words."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from stafett.concerns.models import AcuteContact, Concern
from stafett.relay.models import Consent, Entry, Handover, InclusionRequest, Meeting, Relay
from stafett.reports.models import ChildWelfareReport

from ..models import AccessRequest

register = template.Library()

LABELS = {
    "channel": dict(AccessRequest.Channel.choices),
    "role": dict(AccessRequest.Role.choices),
    "concern_status": dict(Concern.Status.choices),
    "outcome": dict(Concern.Outcome.choices),
    "contacted": dict(AcuteContact.Contacted.choices),
    "relay_status": dict(Relay.Status.choices),
    "closing_reason": dict(Relay.ClosingReason.choices),
    "consent_method": dict(Consent.Method.choices),
    "meeting_kind": dict(Meeting.Kind.choices),
    "entry_kind": dict(Entry.Kind.choices),
    "handover_kind": dict(Handover.Kind.choices),
    "handover_status": dict(Handover.Status.choices),
    "inclusion_status": dict(InclusionRequest.Status.choices),
    "report_status": dict(ChildWelfareReport.Status.choices),
    "case": {"relay": _("log"), "worry": _("worry"), "report": _("report of concern"),
             "access_request": _("request for access"), None: ""},
}


@register.filter
def label(code, kind: str):
    """The words for a code of `kind`; an unknown code as it is."""
    return LABELS.get(kind, {}).get(code, code or "")


@register.filter
def isodate(value, fmt: str = "SHORT_DATE_FORMAT"):
    """An ISO date or date-time from the record, in the language's format."""
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if isinstance(parsed, dt.datetime):
        parsed = timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed
        return formats.date_format(parsed, "SHORT_DATETIME_FORMAT" if fmt == "SHORT_DATE_FORMAT" else fmt)
    return formats.date_format(parsed, fmt)
