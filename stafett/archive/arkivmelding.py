"""The arkivmelding: a case folder (case.Folder) as the KS Fiks Arkiv v1
message `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`.

The schema lets one arkivmelding carry one folder (mappe) and at most one
registration, so a folder of n registrations leaves as n messages. Each
carries the same saksmappe (the same systemID and external key), so the
archive creates the folder with the first message that reaches it and
answers "Eksisterende" for the others, whatever order they arrive in; and
one registration (journalpost, type X: an internal record) with its one
PDF/A document in the same message (referanseDokumentfil names it).

Screening: the folder, each registration, its document and the child as a
party are screened under offentleglova § 13 with forvaltningsloven § 13 (the
duty of confidentiality); the public titles replace the child's name.

`validate` checks a message against the official XSD (compiled once, from
its own folder, so its relative imports resolve). Nothing is sent that does
not validate.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.utils import timezone
from lxml import etree

from . import case

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
# The metadata catalogue's complex types (kode, eksternNoekkel, the
# identities, referanseTilMappe) hold elements of its own namespace.
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
FILENAME = "arkivmelding.xml"
# Who we are in the archive's eyes (system and fagsystem of the external keys).
SYSTEM = "Stafett"

# Code values the archive expects (Noark 5 code lists; the Fiks Arkiv schema
# types them as kode + beskrivelse).
CASE_STATUS_CLOSED = ("A", "Avsluttet")
CASE_STATUS_OPEN = ("B", "Under behandling")
JOURNAL_STATUS = ("J", "Journalført")
DOCUMENT_STATUS = ("F", "Dokumentet er ferdigstilt")
MAIN_DOCUMENT = ("H", "Hoveddokument")
ARCHIVE_VARIANT = ("A", "Arkivformat")
# PDF/A (here PDF/A-2u, see guides/pdf.py) is an approved archive format for
# text documents in the National Archives' regulations; Noark's code for it.
PDF_A = ("RA-PDF", "PDF/A - ISO 19005")
JOURNALPOST_TYPES = {"X": "Organinternt dokument uten oppfølging",
                     "N": "Organinternt dokument for oppfølging",
                     "U": "Utgående dokument"}

# An unchanged copy of KS's schemas (MIT, see its LICENSE) travels with the
# code, so a deployment validates before it sends; a test checks that the copy
# is the official one in ../shared/standards.
SCHEMA_DIR = Path(__file__).parent / "schemas" / "fiks-arkiv-v1"
OPPRETT_XSD = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
KVITTERING_XSD = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"


class InvalidArkivmelding(Exception):
    """The message does not validate against the official schema: sending it
    again would not help."""


@functools.cache
def schema(name: str = OPPRETT_XSD, folder: Path = SCHEMA_DIR) -> etree.XMLSchema:
    # Parsed from its own folder, so its relative imports resolve.
    return etree.XMLSchema(etree.parse(str(folder / name)))


def validate(xml: bytes, name: str = OPPRETT_XSD):
    """Parse and validate `xml`; raises InvalidArkivmelding with the
    schema's first complaints."""
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        raise InvalidArkivmelding(f"not well-formed XML: {error}") from error
    checker = schema(name)
    if not checker.validate(document):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(checker.error_log)[:3])
        raise InvalidArkivmelding(f"does not validate against {name}: {errors}")
    return document


def _el(parent, name, text=None, ns=NS, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _code(parent, name, code):
    element = _el(parent, name)
    _el(element, "kode", code[0], ns=MDK)
    _el(element, "beskrivelse", code[1], ns=MDK)
    return element


def _when(value) -> str:
    """xs:dateTime in the municipality's local time with its offset."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _screening(parent):
    element = _el(parent, "skjerming")
    _code(element, "tilgangsrestriksjon", (case.SCREENING_CODE, case.SCREENING_DESCRIPTION))
    _el(element, "skjermingshjemmel", case.SCREENING_AUTHORITY)
    return element


def _external_key(parent, name, key, ns=NS):
    element = _el(parent, name, ns=ns)
    _el(element, "fagsystem", SYSTEM, ns=MDK)
    _el(element, "noekkel", key, ns=MDK)
    return element


def _identity(parent, name, value):
    element = _el(parent, name)
    _el(element, "navn", value, ns=MDK)
    return element


def folder_key(folder: case.Folder) -> str:
    return f"{folder.municipality_number}:{folder.source}:{folder.source_id}"


def build(folder: case.Folder, registration: case.Registration, archive_settings, *,
          pdf: bytes) -> bytes:
    """The arkivmelding for `registration` in `folder`, with `pdf` (its
    document, rendered by the caller once) described by size and checksum."""
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
    _el(root, "system", SYSTEM)
    _el(root, "regel", "BTI")
    _el(root, "antallFiler", 1)

    mappe = _el(root, "mappe", **{f"{{{XSI}}}type": "saksmappe"})
    _el(mappe, "systemID", folder.system_id)
    _el(mappe, "tittel", folder.title)
    _el(mappe, "offentligTittel", folder.public_title)
    _el(mappe, "opprettetDato", _when(folder.opened_at))
    if folder.created_by:
        _el(mappe, "opprettetAv", folder.created_by)
    if folder.closed_at:
        _el(mappe, "avsluttetDato", _when(folder.closed_at))
        if folder.closed_by:
            _el(mappe, "avsluttetAv", folder.closed_by)
    _code(mappe, "arkivdel", (archive_settings.archive_part, archive_settings.archive_part))
    party = _el(mappe, "part")
    _el(party, "partNavn", folder.party.name)
    _code(party, "partRolle", (folder.party.role, folder.party.role))
    if folder.party.national_id:
        person = _el(party, "personID")
        _el(person, "landkode", "NO")
        _el(person, "identifikator", folder.party.national_id)
    _el(party, "erSkjermet", "true")
    _el(party, "erPersonnavn", "true")
    _screening(mappe)
    classification = _el(mappe, "klassifikasjon")
    _el(classification, "klassifikasjonssystemID", archive_settings.classification_system)
    _el(classification, "klasseID", archive_settings.class_id)
    if archive_settings.class_title:
        _el(classification, "tittel", archive_settings.class_title)
    _external_key(mappe, "referanseEksternNoekkel", folder_key(folder))
    # saksmappe's own elements follow the base mappe's.
    _el(mappe, "saksdato", timezone.localtime(folder.opened_at).date().isoformat())
    _identity(mappe, "administrativEnhet", archive_settings.responsible_unit)
    _identity(mappe, "saksansvarlig", folder.responsible_service)
    _code(mappe, "saksstatus", CASE_STATUS_CLOSED if folder.closed_at else CASE_STATUS_OPEN)

    post = _el(root, "registrering", **{f"{{{XSI}}}type": "journalpost"})
    _el(post, "systemID", registration.system_id)
    _el(post, "opprettetDato", _when(registration.created_at))
    if registration.created_by:
        _el(post, "opprettetAv", registration.created_by)
    parent = _el(post, "referanseForelderMappe")
    _el(parent, "systemID", folder.system_id, ns=MDK)
    _external_key(parent, "referanseEksternNoekkel", folder_key(folder), ns=MDK)
    _screening(post)
    document = registration.document
    description = _el(post, "dokumentbeskrivelse")
    _el(description, "systemID", document.system_id)
    _code(description, "dokumentstatus", DOCUMENT_STATUS)
    _el(description, "tittel", document.title)
    _el(description, "opprettetDato", _when(document.created_at))
    if document.created_by:
        _el(description, "opprettetAv", document.created_by)
    _code(description, "tilknyttetRegistreringSom", MAIN_DOCUMENT)
    _el(description, "dokumentnummer", 1)
    _screening(description)
    obj = _el(description, "dokumentobjekt")
    _el(obj, "versjonsnummer", 1)
    _code(obj, "variantformat", ARCHIVE_VARIANT)
    _code(obj, "format", PDF_A)
    _el(obj, "mimeType", "application/pdf")
    _el(obj, "filnavn", document.filename)
    _el(obj, "referanseDokumentfil", document.filename)
    _el(obj, "sjekksum", hashlib.sha256(pdf).hexdigest())
    _el(obj, "sjekksumAlgoritme", "SHA-256")
    _el(obj, "filstoerrelse", len(pdf))
    _el(post, "tittel", registration.title)
    _el(post, "offentligTittel", registration.public_title)
    _external_key(post, "referanseEksternNoekkel", f"{folder_key(folder)}:{registration.system_id}")
    # journalpost's own elements.
    _code(post, "journalposttype",
          (registration.record_type, JOURNALPOST_TYPES[registration.record_type]))
    _code(post, "journalstatus", JOURNAL_STATUS)
    _el(post, "dokumentetsDato", timezone.localtime(document.created_at).date().isoformat())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
