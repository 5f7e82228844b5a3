"""Innsyn: who among staff has read or written the child's stafettlogg, for
the family, from the audit trail (stafett.audit).

What is shown, per event: who (name and the service they acted for), when,
what kind of information in plain words (from the action and the part that
was touched, never the content of what anyone wrote), and the legal basis.

What is left out, and why (docs/family.md):
- the family's own reads and writes (legal basis "the family's right of
  access"): the family knows them, and they would drown the staff's;
- events outside the stafettlogg (level-0 worries, the acute path, a
  service's request to be included): the service's own records, where
  telling the family first may not be in the child's interest; the family
  has innsyn in those through the service;
- nothing here tells a guardian that an entry is withheld from them: the
  work on a withholding reads as a plain change to the log, so the page is
  the same for every member of the family (the log is about the child).

Paged by keyset (newest first, "older" continues below the last event shown)
on the index audit_child_at, so the page costs the same whether the child has
ten events or a million, and no COUNT(*) runs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.concerns.models import Child

from .actions import audit
from .policy import load_family_relay

PAGE_SIZE = 25
_CURSOR = re.compile(r"^([0-9]{1,19})-([0-9]{1,19})$")

# What a staff member did, in words a parent understands. Keys are
# (action, item type); ("action", None) covers any item. Deliberately coarse
# where precision would reveal what must not be revealed: withholding an
# entry from a guardian, and the page for contacting the child welfare
# service, read as ordinary work on the log.
_READ_LOG = _("read the log")
_CHANGED_LOG = _("changed something in the log")
WORDS = {
    ("list", None): _("saw the log in a list of logs"),
    ("read", "goal"): _("read a goal"),
    ("read", "measure"): _("read a measure"),
    ("read", "meeting"): _("read a meeting"),
    ("read", None): _READ_LOG,
    ("read_content", None): _READ_LOG,
    ("read_meeting", None): _READ_LOG,
    ("read_acute", None): _READ_LOG,
    ("read_withhold", None): _READ_LOG,
    ("read_close", None): _READ_LOG,
    ("read_history", None): _("read the log's history"),
    ("read_pdf", None): _("printed the log"),
    ("read_guardian_copy", None): _("read the guardians' copy"),
    ("read_consent", None): _("read the consent"),
    ("read_consent_scan", None): _("read the signed consent form"),
    ("read_guardians", None): _("read the guardians' contact details"),
    ("read_participants", None): _("read who takes part"),
    ("read_handover", None): _("read what is handed over to a new holder"),
    ("read_for_appointment", None): _("saw who takes part, to appoint a new holder"),
    ("create", None): _("started the log"),
    ("create", "entry"): _("wrote in the log"),
    ("create", "goal"): _("wrote a goal"),
    ("create", "measure"): _("wrote a measure"),
    ("create", "meeting"): _("planned a meeting"),
    ("create", "evaluation"): _("wrote an evaluation"),
    ("create", "guardian"): _("registered a guardian"),
    ("update", "goal"): _("changed a goal"),
    ("update", "measure"): _("changed a measure"),
    ("update", "meeting"): _("changed a meeting"),
    ("minutes", None): _("wrote the minutes of a meeting"),
    ("correct", None): _("corrected something written in the log"),
    ("withhold", None): _CHANGED_LOG,
    ("consent", None): _("recorded a consent"),
    ("withdraw_consent", None): _("recorded that the consent was withdrawn"),
    ("propose_consent", None): _("asked the family to consent"),
    ("add_participant", None): _("added someone who takes part"),
    ("remove_participant", None): _("recorded that someone no longer takes part"),
    ("request_handover", None): _("asked someone to take over as holder"),
    ("accept_handover", None): _("took over as holder"),
    ("decline_handover", None): _("declined to take over as holder"),
    ("cancel_handover", None): _("cancelled a handover"),
    ("appoint_holder", None): _("appointed a new holder"),
    ("change_level", None): _("changed the level"),
    ("close", None): _("closed the log"),
}
# Staff's reads and writes of the log, on the bases they work on; the
# family's own (FAMILY_ACCESS) and the acute path's are not shown here.
SHOWN_BASES = (LegalBasis.SERVICE_DUTY, LegalBasis.CONSENT, LegalBasis.COORDINATION_DUTY)
SHOWN_OBJECTS = ("relay",)


def describe(action: str, item_type: str) -> str:
    words = WORDS.get((action, item_type or None)) or WORDS.get((action, None))
    if words is None:
        words = _READ_LOG if action.startswith("read") or action == "list" else _CHANGED_LOG
    return str(words)


@dataclass
class Row:
    at: dt.datetime
    who: str
    service: str
    what: str
    basis: str


def _cursor(event) -> str:
    stamp = event.at.astimezone(dt.UTC)
    micros = int(stamp.timestamp()) * 1_000_000 + stamp.microsecond
    return f"{micros}-{event.pk}"


def _parse_cursor(value: str | None):
    """(at, pk) from a cursor, or None (a cursor that is not one is the first page)."""
    match = _CURSOR.match(value or "")
    if not match:
        return None
    micros, pk = int(match[1]), int(match[2])
    try:
        at = dt.datetime.fromtimestamp(micros // 1_000_000, dt.UTC).replace(
            microsecond=micros % 1_000_000)
    except (OverflowError, OSError, ValueError):
        return None
    return at, pk


def events_for_child(municipality_id: int, child_ids: list[int]):
    """The staff's events on the child's logs, newest first (the index's order)."""
    events = AuditEvent.objects.filter(
        municipality_id=municipality_id, legal_basis__in=SHOWN_BASES,
        object_type__in=SHOWN_OBJECTS,
    )
    events = (events.filter(child_id=child_ids[0]) if len(child_ids) == 1
              else events.filter(child_id__in=child_ids))
    return events.order_by("-at", "-pk")


def read_access_log(actor, pk, cursor: str | None = None) -> dict:
    """One page of the access log of the relay's child, audited as a family
    read. A child merged from duplicates keeps the events of the rows merged
    into it (Child.merged_ids)."""
    with transaction.atomic():
        relay = load_family_relay(actor, pk, "view")
        with scopes_disabled():
            merged = Child.objects.filter(pk=relay.child_id).values_list(
                "merged_ids", flat=True).first() or []
            events = events_for_child(relay.municipality_id, [relay.child_id, *merged])
            after = _parse_cursor(cursor)
            if after is not None:
                at, last = after
                events = events.filter(at__lte=at).exclude(Q(at=at) & Q(pk__gte=last))
            rows = list(
                events.select_related("actor", "service")
                .only("at", "action", "item_type", "legal_basis", "actor__first_name",
                      "actor__last_name", "actor__username", "service__name")[:PAGE_SIZE + 1]
            )
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        audit(actor, "read_access_log", relay)
    labels = dict(LegalBasis.choices)
    return {
        "relay": relay,
        "rows": [Row(
            at=e.at,
            who=(e.actor.get_full_name() or e.actor.username) if e.actor else str(_("Stafett")),
            service=e.service.name if e.service else "",
            what=describe(e.action, e.item_type),
            basis=str(labels.get(e.legal_basis, e.legal_basis)),
        ) for e in rows],
        "older": _cursor(rows[-1]) if more else None,
        "first_page": after is None,
    }
