"""The full record of one child, assembled for one requester.

`assemble(request, sight=None)` returns a plain dict: the JSON the requester
gets (its shape is the JSON Schema in schema/full-record.v1.json, documented
in docs/full-record.md). With `sight` (policy.Sight) the record is narrowed
to the cases that staff member may see under the ordinary policy: "their
part", with the same sealed notice whether or not anything was left out.

What is withheld from whom, and why, is decided here, once, and every
withholding is stated in the record itself (`withheld`), with its legal
ground. The reasons staff recorded are not repeated in the requester's copy:
a reason such as "suspected violence by the father" would itself tell the
father what is kept from him.

Queries: a constant number per section (prefetches), whatever the number of
worries, entries or audit events (tests/fullrecord/test_query_budget.py).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.citizen.access_log import describe as describe_log_event
from stafett.concerns.models import Child, Concern
from stafett.relay.models import (
    ConsentParty,
    Entry,
    Guardian,
    Handover,
    InclusionRequest,
    Meeting,
    Relay,
    Withholding,
)
from stafett.reports.models import ChildWelfareReport

from .models import AccessRequest

SCHEMA_ID = "urn:stafett:full-record:v1"
FORMAT_VERSION = 1


# The grounds the record may give for withholding, each with the law it rests
# on. Codes go in the JSON; the words are the requester's to read.
class Ground:
    WITHHELD_ENTRY = "withheld_entry"
    UNKNOWN_GUARDIAN = "withheld_from_unidentified_guardian"
    OTHER_PEOPLE = "other_people"
    REPORT_NOT_TOLD = "report_not_told"
    REPORT_NOT_SENT = "report_not_sent"
    POLICE_CONTACT = "police_contact"


GROUNDS = {
    Ground.WITHHELD_ENTRY: (
        "forvaltningsloven § 19 første ledd bokstav d; personopplysningsloven § 16 første ledd bokstav c",
        _("An entry in the log that the service decided, with a recorded reason, to keep from "
          "you: out of regard for the child's safety or your relation to someone close to the child."),
    ),
    Ground.UNKNOWN_GUARDIAN: (
        "forvaltningsloven § 19 første ledd bokstav d; personopplysningsloven § 16 første ledd bokstav c",
        _("An entry in the log kept from a guardian whose identity number is not on record. "
          "The record cannot tell whether that guardian is you, so it is kept from every "
          "guardian's copy."),
    ),
    Ground.OTHER_PEOPLE: (
        "forvaltningsloven § 19 annet ledd; personvernforordningen art. 15 nr. 4",
        _("Other people's phone numbers, addresses and identity numbers (the other guardians, "
          "other children) are not included, nor what other family members wrote to the "
          "services in reply to meetings."),
    ),
    Ground.REPORT_NOT_TOLD: (
        "forvaltningsloven § 19 første ledd bokstav d; personopplysningsloven § 16 første ledd bokstav c",
        _("The text of a report of concern to the child welfare service that does not record "
          "you as told of it. The reporter records who was told, and why someone was not."),
    ),
    Ground.REPORT_NOT_SENT: (
        "personopplysningsloven § 16 første ledd bokstav e",
        _("The text of a report of concern that was never sent (a draft, or withdrawn before it "
          "was sent): internal preparation that was not given to anyone."),
    ),
    Ground.POLICE_CONTACT: (
        "personopplysningsloven § 16 første ledd bokstav b",
        _("What was said when a service contacted the police on the acute path: the police "
          "decide what the family is told while a case may be investigated."),
    ),
}

SEALED_NOTICE = _(
    "This is the part of the record you may see yourself. Anything in the child's record "
    "that you may not see is sealed: the system gives it to the requester only, and "
    "nothing here tells whether there is any."
)

# The family's own reads and writes are theirs (and another family member's
# are about that person); everything staff did is listed.
LOGGED_BASES_LEFT_OUT = (LegalBasis.FAMILY_ACCESS,)
_CASE_TYPES = {"relay": "relay", "concern": "worry", "childwelfarereport": "report",
               "accessrequest": "access_request"}
_CASE_WORDS = {
    "worry": (_("read the worry"), _("worked on the worry")),
    "report": (_("read the report of concern"), _("worked on the report of concern")),
    "access_request": (_("read the request for access"), _("worked on the request for access")),
}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def _service(service) -> str | None:
    return service.name if service is not None else None


class _Withholder:
    """Which entries are kept from this requester, and the statements of why."""

    def __init__(self, request: AccessRequest, child_ids: list[int]):
        self.request = request
        self.withheld: list[dict] = []
        self.entry_ids: dict[int, str] = {}
        if request.role != AccessRequest.Role.GUARDIAN:
            return
        # An entry withheld from a guardian is kept from this guardian's copy
        # when that guardian is the requester (same identity number) — or when
        # the guardian it was kept from has no identity number on record, so
        # the system cannot tell them apart.
        for entry_id, guardian_nid in Withholding.objects.filter(
            entry__relay__child_id__in=child_ids,
        ).values_list("entry_id", "guardian__national_id").order_by("entry_id"):
            if guardian_nid == request.requester_national_id:
                self.entry_ids[entry_id] = Ground.WITHHELD_ENTRY
            elif not guardian_nid:
                self.entry_ids.setdefault(entry_id, Ground.UNKNOWN_GUARDIAN)

    def keeps(self, entry) -> str | None:
        """The ground an entry is kept on (its correction goes with it)."""
        return self.entry_ids.get(entry.pk) or (
            self.entry_ids.get(entry.corrects_id) if entry.corrects_id else None)

    def state(self, ground: str, where: str, case_id: int | None, item: str) -> None:
        law, words = GROUNDS[ground]
        self.withheld.append({
            "ground": ground, "law": law, "explanation": str(words), "case": where,
            "case_id": case_id, "item": item,
            "from": self.request.role,
        })


def _concerns(queryset, withholder) -> list[dict]:
    rows = []
    queryset = queryset.select_related("service", "author", "decided_by", "closed_by").prefetch_related(
        "conversations__recorded_by", "comments__author", "acute_contacts__recorded_by",
    ).order_by("created_at", "pk")
    for concern in queryset:
        contacts = []
        for contact in concern.acute_contacts.all():
            note = contact.note
            if (contact.contacted == contact.Contacted.POLICE and note
                    and withholder.request.role == AccessRequest.Role.GUARDIAN):
                note = None
                withholder.state(Ground.POLICE_CONTACT, "worry", concern.pk, "acute_contact")
            contacts.append({
                "contacted": contact.contacted, "contacted_at": _iso(contact.contacted_at),
                "legal_basis": contact.legal_basis, "leader_informed": contact.leader_informed,
                "note": note, "recorded_by": _person(contact.recorded_by),
            })
        rows.append({
            "id": concern.pk, "service": concern.service.name, "child_name": concern.child_name,
            "author": _person(concern.author), "raised_by_family": concern.raised_by_family,
            "created_at": _iso(concern.created_at), "status": concern.status,
            "observations": concern.observations, "questions": concern.questions,
            "shared_at": _iso(concern.shared_at),
            "outcome": concern.outcome or None, "outcome_reason": concern.outcome_reason,
            "decided_at": _iso(concern.decided_at), "decided_by": _person(concern.decided_by),
            "closed_at": _iso(concern.closed_at), "closed_reason": concern.closed_reason,
            "conversations": [{
                "held_on": _iso(c.held_on), "participants": c.participants, "summary": c.summary,
                "child_view": c.child_view, "recorded_by": _person(c.recorded_by),
            } for c in concern.conversations.all()],
            "comments": [{
                "at": _iso(c.created_at), "author": _person(c.author), "text": c.text,
            } for c in concern.comments.all()],
            "acute_contacts": contacts,
        })
    return rows


def _relays(queryset, withholder) -> list[dict]:
    entries = Entry.objects.select_related("author", "author_service").order_by("created_at", "pk")
    meetings = Meeting.objects.prefetch_related("child_views").order_by("starts_at", "pk")
    parties = ConsentParty.objects.select_related("guardian").order_by("pk")
    queryset = queryset.select_related("holder", "holder_service", "created_by").prefetch_related(
        Prefetch("entries", queryset=entries),
        Prefetch("meetings", queryset=meetings),
        Prefetch("consents__parties", queryset=parties),
        "consents__services", "participants__service", "participants__user", "goals",
        "measures__responsible_service", "evaluations",
        Prefetch("handovers", queryset=Handover.objects.select_related(
            "from_user", "from_service", "to_user", "to_service").order_by("requested_at", "pk")),
        Prefetch("inclusion_requests", queryset=InclusionRequest.objects.select_related(
            "service").order_by("created_at", "pk")),
    ).order_by("created_at", "pk")
    rows = []
    for relay in queryset:
        entry_rows = []
        for entry in relay.entries.all():
            ground = withholder.keeps(entry)
            if ground:
                withholder.state(ground, "relay", relay.pk, "entry")
                continue
            entry_rows.append({
                "id": entry.pk, "at": _iso(entry.created_at), "kind": entry.kind,
                "text": entry.display_text, "author": _person(entry.author),
                "service": _service(entry.author_service), "by_family": entry.by_family,
                "corrects": entry.corrects_id,
            })
        rows.append({
            "id": relay.pk, "child_name": relay.child_name, "level": relay.level,
            "status": relay.status, "area_of_concern": relay.area_of_concern,
            "holder": _person(relay.holder), "holder_service": relay.holder_service.name,
            "created_at": _iso(relay.created_at), "closed_at": _iso(relay.closed_at),
            "closing_reason": relay.closing_reason or None,
            "closing_summary": relay.closing_summary, "child_last_word": relay.child_last_word,
            "parents_last_word": relay.parents_last_word,
            "consents": [{
                "given_on": _iso(c.given_on), "valid_until": _iso(c.valid_until),
                "method": c.method, "purpose": c.purpose,
                "services": sorted(s.name for s in c.services.all()),
                "given_by": [p.guardian.name if p.guardian else str(_("the child"))
                             for p in c.parties.all()],
                "withdrawn_at": _iso(c.withdrawn_at), "superseded_at": _iso(c.superseded_at),
            } for c in relay.consents.all()],
            "participants": [{
                "service": p.service.name, "person": _person(p.user), "task": p.task,
                "joined_at": _iso(p.joined_at), "left_at": _iso(p.left_at),
            } for p in relay.participants.all()],
            "goals": [{
                "title": g.title, "indicator": g.indicator, "achieved": g.achieved,
                "created_at": _iso(g.created_at),
            } for g in relay.goals.all()],
            "measures": [{
                "what": m.what, "responsible_service": m.responsible_service.name,
                "starts_on": _iso(m.starts_on), "deadline": _iso(m.deadline),
                "evaluate_on": _iso(m.evaluate_on),
            } for m in relay.measures.all()],
            "meetings": [{
                "kind": m.kind, "starts_at": _iso(m.starts_at), "place": m.place,
                "agenda": m.agenda, "minutes": m.minutes, "decisions": m.decisions,
                "child_views": [v.text for v in m.child_views.all()],
            } for m in relay.meetings.all()],
            "evaluations": [{
                "at": _iso(e.created_at), "what_happened": e.what_happened,
                "child_view": e.child_view, "parents_view": e.parents_view,
                "professionals_view": e.professionals_view, "conclusion": e.conclusion,
            } for e in relay.evaluations.all()],
            "handovers": [{
                "requested_at": _iso(h.requested_at), "kind": h.kind, "status": h.status,
                "from": _person(h.from_user), "from_service": h.from_service.name,
                "to": _person(h.to_user), "to_service": h.to_service.name, "note": h.note,
            } for h in relay.handovers.all()],
            "inclusion_requests": [{
                "service": i.service.name, "at": _iso(i.created_at), "status": i.status,
            } for i in relay.inclusion_requests.all()],
            "entries": entry_rows,
        })
    return rows


def _told(document: dict, requester_name: str) -> bool:
    """Whether the sent report records the requesting guardian as told of it
    (by name: the official format carries no identity number for guardians)."""
    wanted = " ".join(requester_name.split()).casefold()
    return any(
        " ".join(str(g.get("personnavn", "")).split()).casefold() == wanted and g.get("orientert") is True
        for g in (document.get("foresatte") or []) if isinstance(g, dict)
    )


def _reports(queryset, withholder) -> list[dict]:
    rows = []
    request = withholder.request
    for report in queryset.select_related("service", "reporter").order_by("created_at", "pk"):
        text = None
        document = report.document if isinstance(report.document, dict) else None
        if document is None:
            withholder.state(Ground.REPORT_NOT_SENT, "report", report.pk, "text")
        elif request.role == AccessRequest.Role.GUARDIAN and not _told(document, request.requester_name):
            withholder.state(Ground.REPORT_NOT_TOLD, "report", report.pk, "text")
        else:
            message = document.get("melding") or {}
            text = {
                "observed": message.get("melding", ""), "history": message.get("historie", ""),
                "other_views": message.get("andreSynspunkter", ""),
                "other_services": document.get("andreHjelpeinstanser", ""),
                "interpreter": document.get("behovForTolk", ""),
            }
        rows.append({
            "id": report.pk, "service": report.service.name,
            # Public employees report in their office and cannot be anonymous
            # (only a private person may report anonymously): the reporter is named.
            "reporter": _person(report.reporter), "acute": report.acute, "status": report.status,
            "created_at": _iso(report.created_at), "approved_at": _iso(report.approved_at),
            "sent_at": _iso(report.sent_at), "received_at": _iso(report.received_at),
            "text": text,
        })
    return rows


def _log_words(case: str, action: str, item_type: str) -> str:
    if case == "relay":
        return describe_log_event(action, item_type)
    read, worked = _CASE_WORDS[case]
    return str(read if action.startswith("read") or action == "list" else worked)


def _access_log(municipality_id, child_ids, sight_cases) -> list[dict]:
    events = AuditEvent.objects.filter(
        municipality_id=municipality_id, child_id__in=child_ids,
        object_type__in=list(_CASE_TYPES),
    ).exclude(legal_basis__in=LOGGED_BASES_LEFT_OUT).select_related("actor", "service").only(
        "at", "action", "object_type", "object_id", "item_type", "legal_basis",
        "actor__first_name", "actor__last_name", "actor__username", "service__name",
    ).order_by("at", "pk")
    labels = dict(LegalBasis.choices)
    rows = []
    for event in events.iterator(chunk_size=2000):
        case = _CASE_TYPES[event.object_type]
        if sight_cases is not None and (case, event.object_id) not in sight_cases:
            continue
        rows.append({
            "at": _iso(event.at), "who": _person(event.actor) or "Stafett",
            "service": _service(event.service), "case": case,
            "what": _log_words(case, event.action, event.item_type),
            "action": event.action, "legal_basis": event.legal_basis,
            "legal_basis_text": str(labels.get(event.legal_basis, event.legal_basis)),
        })
    return rows


def _child(child, guardians) -> dict:
    return {
        "name": child.name,
        "birth_date": _iso(child.birth_date), "expected_date": _iso(child.expected_date),
        # Whose record it is, never the number in full.
        "national_id": child.masked_national_id or None,
        "guardians": [{"name": g.name, "relation": g.relation,
                       "parental_responsibility": g.parental_responsibility} for g in guardians],
    }


def _child_as_cases(worry_rows, relay_rows) -> dict:
    """The child as the producer's own cases name it: the shared child row
    (its name, date and number) may come from a service they cannot see."""
    names = [r["child_name"] for r in relay_rows + worry_rows]
    return {"name": names[0] if names else "", "birth_date": None, "expected_date": None,
            "national_id": None, "guardians": []}


def assemble(request: AccessRequest, sight=None) -> dict:
    """The record for `request`'s requester; with `sight`, only that staff
    member's part of it. Run inside the request's municipality scope."""
    child = Child.objects.get(pk=request.child_id)
    child_ids = [child.pk, *child.merged_ids]
    withholder = _Withholder(request, child_ids)

    concerns = Concern.objects.filter(child_id__in=child_ids)
    relays = Relay.objects.filter(child_id__in=child_ids)
    reports = ChildWelfareReport.objects.filter(child_id__in=child_ids)
    requests = AccessRequest.objects.filter(child_id__in=child_ids)
    if sight is not None:
        concerns = concerns.filter(pk__in=sight.concerns().values("pk"))
        relays = relays.filter(pk__in=sight.relays().values("pk"))
        reports = reports.filter(pk__in=sight.reports().values("pk"))
        requests = requests.filter(pk=request.pk)

    worry_rows = _concerns(concerns, withholder)
    relay_rows = _relays(relays, withholder)
    report_rows = _reports(reports, withholder)
    sight_cases = None
    if sight is not None:
        sight_cases = ({("worry", r["id"]) for r in worry_rows} | {("relay", r["id"]) for r in relay_rows}
                       | {("report", r["id"]) for r in report_rows}
                       | {("access_request", pk) for pk in requests.values_list("pk", flat=True)})
    law, words = GROUNDS[Ground.OTHER_PEOPLE]
    withholder.withheld.append({
        "ground": Ground.OTHER_PEOPLE, "law": law, "explanation": str(words), "case": None,
        "case_id": None, "item": "contact_details", "from": request.role,
    })
    guardians = Guardian.objects.filter(child_id__in=child_ids).order_by("name", "pk")
    municipality = request.municipality
    record = {
        "$schema": SCHEMA_ID,
        "format_version": FORMAT_VERSION,
        "part": "producer" if sight is not None else "requester",
        "language": translation.get_language(),
        "produced_at": _iso(timezone.now()),
        "municipality": {"name": municipality.name, "number": municipality.number},
        "request": {
            "id": request.pk, "received_on": _iso(request.received_on), "channel": request.channel,
            "deadline": _iso(request.deadline), "registered_at": _iso(request.registered_at),
            "service": request.service.name, "registered_by": _person(request.registered_by),
        },
        "requester": {"role": request.role, "name": request.requester_name},
        "child": _child(child, guardians) if sight is None else _child_as_cases(
            worry_rows, relay_rows),
        "worries": worry_rows,
        "relays": relay_rows,
        "reports": report_rows,
        "access_log": _access_log(request.municipality_id, child_ids, sight_cases),
        "withheld": withholder.withheld,
    }
    if sight is not None:
        record["sealed_notice"] = str(SEALED_NOTICE)
    return record
