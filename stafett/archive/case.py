"""A closed relay or worry as the Noark 5 model sees it: one case folder
(saksmappe) with the child as a screened party, and registrations
(journalposter) each holding one PDF/A document.

This is the one mapping from Stafett's records to Noark. The arkivmelding
(sent to the archive through Fiks Arkiv) and the Noark 5 extract
(arkivstruktur.xml) are two serialisations of it, so they can never
disagree about what a case holds. The builders read the database and touch
no policy: the caller (the worker, the coordinator's export) has already
decided the case may leave. Documents render lazily, one at a time, so an
extract of 100 000 folders never holds more than one PDF in memory.

System ids are UUID 5 of the municipality number and the object, so the
same case gets the same ids in every arkivmelding and every extract.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stafett.concerns.models import Concern
from stafett.guides.pdf import ARCHIVE_VARIANT, html_to_pdf
from stafett.relay.models import Consent, Entry, Meeting, Relay
from stafett.reports.models import ChildWelfareReport

# A namespace of our own for uuid5: never collides with another system's ids.
NAMESPACE = uuid.UUID("8d3f6a52-2f0c-4c43-9c1e-5b8f0d7c2a61")

# Screening (skjerming) of every case: the child's personal circumstances are
# exempt from public access (offentleglova § 13 with forvaltningsloven § 13
# first paragraph no. 1, the duty of confidentiality).
# "13" is the access code the Noark archives use for offl. § 13 (the Noark 4
# tilgangskode carried into Noark 5's tilgangsrestriksjon, M500); the legal
# reference (skjermingshjemmel, M501) names the law that imposes the duty.
SCREENING_CODE = "13"
SCREENING_DESCRIPTION = "Taushetsplikt"
SCREENING_AUTHORITY = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
# What is screened: the title's names, the parties and the documents.
SCREENING_FIELDS = ("tittel", "korrespondansepart", "dokumentbeskrivelse")
# The public title replaces the child's name with this.
MASK = "*****"


def system_id(municipality_number: str, kind: str, pk) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{municipality_number}:{kind}:{pk}"))


@dataclass(frozen=True)
class Party:
    """A party to the case (sakspart): the child."""
    name: str
    national_id: str  # empty when not given (or unborn)
    role: str  # "Barn"


@dataclass(frozen=True)
class Document:
    system_id: str
    title: str
    filename: str  # e.g. "relay-12-consent-3.pdf"
    created_at: dt.datetime
    created_by: str
    # Renders the PDF/A on demand (never kept on the dataclass).
    render: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Registration:
    """A journalpost: one record in the case with its document."""
    system_id: str
    kind: str  # "closing_summary", "consent", "minutes", "worry", "decision", "report"
    title: str
    public_title: str
    created_at: dt.datetime
    created_by: str
    document: Document
    # Journalposttype: X an internal record for the municipality's own use;
    # U an outgoing document (the report of concern sent to the child
    # welfare service).
    record_type: str = "X"


@dataclass(frozen=True)
class Correction:
    """A correction of an entry, for endringslogg.xml: old and new value."""
    system_id: str  # the registration (or folder) the entry belongs to
    object_ref: str  # which entry
    field_name: str
    old_value: str
    new_value: str
    changed_at: dt.datetime
    changed_by: str


@dataclass
class Folder:
    """A saksmappe: one relay, or one worry that closed with a decision."""
    system_id: str
    source: str  # "relay" or "concern"
    source_id: int
    municipality_number: str
    title: str
    public_title: str
    opened_on: dt.date
    closed_on: dt.date | None
    created_by: str
    closed_by: str
    responsible_service: str
    party: Party
    registrations: list[Registration]
    corrections: list[Correction]
    # The same moments as opened_on/closed_on, with the time (the
    # arkivmelding's dates are xs:dateTime).
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class _RecordPdf:
    """A record's PDF/A: called, it renders; its HTML may instead be handed
    to another process to render (stafett.archive.extract_render)."""
    title: str
    sections: list[tuple[str, str]]
    municipality: object
    variant: str = ARCHIVE_VARIANT

    def html(self) -> str:
        with translation.override("nb"):
            return render_to_string("archive/record_pdf.html", {
                "title": self.title, "sections": self.sections, "municipality": self.municipality,
                "pdf_lang": "nb",
            })

    def __call__(self) -> bytes:
        return html_to_pdf(self.html(), self.variant)


def _pdf(title: str, sections: list[tuple[str, str]], municipality) -> Callable[[], bytes]:
    return _RecordPdf(title, sections, municipality)


def _registration(number, kind, obj_pk, title, public_title, at, by, sections, municipality,
                  filename) -> Registration:
    sid = system_id(number, kind, obj_pk)
    document = Document(
        system_id=system_id(number, f"{kind}-document", obj_pk), title=title,
        filename=filename, created_at=at, created_by=by,
        render=_pdf(title, sections, municipality),
    )
    return Registration(system_id=sid, kind=kind, title=title, public_title=public_title,
                        created_at=at, created_by=by, document=document)


def folder_for_relay(relay: Relay) -> Folder:
    """The case folder of a closed relay: the closing summary, every consent
    and the minutes of every meeting that has them."""
    municipality = relay.municipality
    number = municipality.number
    with translation.override("nb"):
        title = _("Stafettlogg for %(name)s") % {"name": relay.child_name}
        public = _("Stafettlogg for %(name)s") % {"name": MASK}
        registrations = []
        for consent in (Consent.objects.filter(relay=relay).select_related("recorded_by")
                        .prefetch_related("services", "parties__guardian").order_by("recorded_at", "pk")):
            parties = ", ".join(
                p.guardian.name if p.guardian else relay.child_name for p in consent.parties.all())
            services = ", ".join(s.name for s in consent.services.all())
            registrations.append(_registration(
                number, "consent", consent.pk, _("Consent"), _("Consent"),
                consent.recorded_at, _name(consent.recorded_by),
                [(_("Given by"), parties), (_("Services"), services),
                 (_("What the information may be used for"), consent.purpose),
                 (_("Date of the conversation"), consent.given_on.isoformat()),
                 (_("Valid until"), consent.valid_until.isoformat()),
                 (_("How it was given"), consent.get_method_display())],
                municipality, f"stafettlogg-{relay.pk}-samtykke-{consent.pk}.pdf"))
        for meeting in (Meeting.objects.filter(relay=relay).exclude(minutes="")
                        .select_related("created_by").order_by("starts_at", "pk")):
            registrations.append(_registration(
                number, "minutes", meeting.pk, _("Minutes"), _("Minutes"),
                meeting.minutes_recorded_at or meeting.starts_at, _name(meeting.created_by),
                [(_("Kind of meeting"), meeting.get_kind_display()),
                 (_("Time"), timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")),
                 (_("Place"), meeting.place), (_("Minutes"), meeting.minutes),
                 (_("Decisions"), meeting.decisions)],
                municipality, f"stafettlogg-{relay.pk}-referat-{meeting.pk}.pdf"))
        # The worry the relay grew from is archived in the relay's folder.
        if relay.concern_id:
            registrations[:0] = _concern_registrations(relay.concern)
        registrations.extend(_report_registrations(
            number, ChildWelfareReport.objects.filter(
                models.Q(relay=relay) | models.Q(concern_id=relay.concern_id, concern__isnull=False))))
        closed_at = relay.closed_at or timezone.now()
        registrations.append(_registration(
            number, "closing_summary", relay.pk, _("Closing summary"), _("Closing summary"),
            closed_at, _name(relay.closed_by),
            [(_("Area of concern"), relay.area_of_concern),
             (_("Reason for closing"), relay.get_closing_reason_display()),
             (_("Closing summary"), relay.closing_summary),
             (_("The child's last word"), relay.child_last_word),
             (_("The parents' last word"), relay.parents_last_word)],
            municipality, f"stafettlogg-{relay.pk}-avslutning.pdf"))
        corrections = [
            Correction(
                system_id=system_id(number, "relay", relay.pk),
                object_ref=system_id(number, "entry", entry.corrects_id),
                field_name="tekst", old_value=entry.corrects.text, new_value=entry.text,
                changed_at=entry.created_at, changed_by=_name(entry.author))
            for entry in (Entry.objects.filter(relay=relay, corrects__isnull=False)
                          .select_related("corrects", "author").order_by("created_at", "pk"))
        ]
    return Folder(
        system_id=system_id(number, "relay", relay.pk), source="relay", source_id=relay.pk,
        municipality_number=number, title=title, public_title=public,
        opened_on=timezone.localdate(relay.created_at),
        closed_on=timezone.localdate(relay.closed_at) if relay.closed_at else None,
        created_by=_name(relay.created_by), closed_by=_name(relay.closed_by),
        responsible_service=relay.holder_service.name,
        party=_party(relay.child, relay.child_name),
        registrations=registrations, corrections=corrections,
        opened_at=relay.created_at, closed_at=relay.closed_at,
    )


def _concern_registrations(concern: Concern) -> list[Registration]:
    """What was seen (the worry) and, when taken, the decision."""
    municipality = concern.municipality
    number = municipality.number
    registrations = [
        _registration(
            number, "worry", concern.pk, _("Worry"), _("Worry"), concern.created_at,
            _name(concern.author) or _("The family"),
            [(_("What have you seen and heard?"), concern.observations),
             (_("What are you wondering about?"), concern.questions)],
            municipality, f"bekymring-{concern.pk}.pdf"),
    ]
    if concern.decided_at:
        registrations.append(_registration(
            number, "decision", concern.pk, _("Decision"), _("Decision"), concern.decided_at,
            _name(concern.decided_by),
            [(_("Decision"), concern.get_outcome_display()),
             (_("Reason for the decision"), concern.outcome_reason),
             (_("Reason for closing"), concern.closed_reason)],
            municipality, f"bekymring-{concern.pk}-beslutning.pdf"))
    return registrations


# A report of concern belongs in the case once it has left: its frozen PDF/A
# is the document, exactly as sent.
SENT_REPORT = [ChildWelfareReport.Status.SENT, ChildWelfareReport.Status.RECEIVED]


def _report_registrations(number, reports) -> list[Registration]:
    registrations = []
    for report in (reports.filter(status__in=SENT_REPORT, pdf__isnull=False)
                   .select_related("reporter").order_by("sent_at", "pk")):
        title = _("Report of concern to the child welfare service")
        sent_at = report.sent_at or report.approved_at

        def render(pk=report.pk) -> bytes:
            # Read when needed, one at a time (the folder holds no PDF).
            return bytes(ChildWelfareReport.objects.values_list("pdf", flat=True).get(pk=pk))

        document = Document(
            system_id=system_id(number, "report-document", report.pk), title=title,
            filename=f"bekymringsmelding-{report.pk}.pdf", created_at=sent_at,
            created_by=_name(report.reporter), render=render)
        registrations.append(Registration(
            system_id=system_id(number, "report", report.pk), kind="report", title=title,
            public_title=title, created_at=sent_at, created_by=_name(report.reporter),
            document=document, record_type="U"))
    return registrations


def folder_for_concern(concern: Concern) -> Folder:
    """The case folder of a closed worry: what was seen, the decision and
    any report of concern sent from it."""
    municipality = concern.municipality
    number = municipality.number
    with translation.override("nb"):
        title = _("Worry about %(name)s") % {"name": concern.child_name}
        public = _("Worry about %(name)s") % {"name": MASK}
        registrations = _concern_registrations(concern)
        registrations.extend(_report_registrations(
            number, ChildWelfareReport.objects.filter(concern=concern)))
    return Folder(
        system_id=system_id(number, "concern", concern.pk), source="concern",
        source_id=concern.pk, municipality_number=number, title=title, public_title=public,
        opened_on=timezone.localdate(concern.created_at),
        closed_on=timezone.localdate(concern.closed_at) if concern.closed_at else None,
        created_by=_name(concern.author), closed_by=_name(concern.closed_by),
        responsible_service=concern.service.name,
        party=_party(concern.child, concern.child_name),
        registrations=registrations, corrections=[],
        opened_at=concern.created_at, closed_at=concern.closed_at,
    )


def _party(child, name) -> Party:
    return Party(name=name, national_id=child.national_id if child else "", role="Barn")


def closed_relays(municipality, closed_before: dt.datetime | None = None) -> Iterator[Relay]:
    """Every closed relay of a municipality, in id order, read in chunks.
    `closed_before` fixes the set, so that a reader that walks it twice (the
    extract) sees the same cases both times while others keep closing."""
    relays = Relay.objects.filter(municipality=municipality, status=Relay.Status.CLOSED)
    if closed_before is not None:
        relays = relays.filter(closed_at__lte=closed_before)
    return (relays
            .select_related("municipality", "child", "created_by", "closed_by", "holder_service")
            .order_by("pk").iterator(chunk_size=500))


def closed_concerns(municipality, closed_before: dt.datetime | None = None) -> Iterator[Concern]:
    """Every closed worry that did not grow into a relay (that one is archived
    with the relay's folder); `closed_before` as for `closed_relays`."""
    concerns = Concern.objects.filter(municipality=municipality, status=Concern.Status.CLOSED,
                                      relays__isnull=True)
    if closed_before is not None:
        concerns = concerns.filter(closed_at__lte=closed_before)
    return (concerns
            .select_related("municipality", "child", "author", "decided_by", "closed_by", "service")
            .order_by("pk").iterator(chunk_size=500))
