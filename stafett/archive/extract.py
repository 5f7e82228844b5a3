"""The Noark 5 v5.0 archive extract (avleveringsuttrekk) of a municipality's
closed relays and closed worries.

One folder holds, with the lower-case names the standard fixes:

    arkivuttrekk.xml      ADDML 8.3: what the extract is, every file's SHA-256, the counts
    arkivstruktur.xml     arkiv → arkivdel → klassifikasjonssystem → klasse → saksmappe
                          (the child as a screened part) → journalpost → dokumentbeskrivelse
                          → dokumentobjekt (file, SHA-256, size, format)
    endringslogg.xml      corrections of entries: old and new value, who, when
    loependeJournal.xml   the running journal of every registration
    offentligJournal.xml  the public journal: screened titles, no names of children
    dokumenter/           one PDF/A per registration
    *.xsd                 the schemas, when settings.STAFETT_NOARK5_SCHEMA_DIR points to them

Every case is one `stafett.archive.case.Folder` (the one mapping of a case to
Noark, shared with the arkivmelding); this module only serialises it.

It streams: the XML is written with lxml's incremental writer and hashed as
it is written, documents are rendered one at a time and written straight to
disk, and nothing grows with the number of cases except the files. The PDFs
are rendered in a helper process that is replaced every few dozen
documents (stafett.archive.extract_render: WeasyPrint keeps memory for each
document it renders). Two walks
over the cases: the first writes arkivstruktur.xml, the documents and the
change log, and counts; the second writes the journals, whose header must
give the number of registrations before the first one. Both walks see the
same cases (closed before the extract began) and the second checks that.

What a file cannot hold is left out, and said in arkivuttrekk.xml: the
schemas require at least one change in endringslogg.xml and at least one
registration in a journal, so an extract without corrections has no
endringslogg.xml, and one without cases no journals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

from stafett.archive import case
from stafett.archive.extract_render import Renderer
from stafett.archive.models import ArchiveSettings

N5 = "http://www.arkivverket.no/standarder/noark5/"
NS_STRUCTURE = N5 + "arkivstruktur"
NS_CHANGES = N5 + "endringslogg"
NS_RUNNING = N5 + "loependeJournal"
NS_PUBLIC = N5 + "offentligJournal"
NS_ADDML = "http://www.arkivverket.no/standarder/addml"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

STRUCTURE = "arkivstruktur.xml"
CHANGES = "endringslogg.xml"
RUNNING = "loependeJournal.xml"
PUBLIC = "offentligJournal.xml"
DESCRIPTION = "arkivuttrekk.xml"
DOCUMENTS = "dokumenter"
# The schema of each file, and the catalogue they all import.
SCHEMAS = {STRUCTURE: "arkivstruktur.xsd", CHANGES: "endringslogg.xsd",
           RUNNING: "loependeJournal.xsd", PUBLIC: "offentligJournal.xsd"}
CATALOGUE = "metadatakatalog.xsd"
ADDML_SCHEMA = "addml.xsd"

SYSTEM = "Stafett"
# Documents are PDF/A-2u (stafett.guides.pdf.ARCHIVE_VARIANT): PRONOM fmt/478.
DOCUMENT_FORMAT = "fmt/478"
DOCUMENT_FORMAT_DETAILS = "PDF/A-2u"
CHECKSUM_ALGORITHM = "SHA256"
CHUNK = 1 << 16

# The Noark code values for what Stafett records (Noark 5 v5.0, vedlegg 1).
RECORD_TYPE = "Organinternt dokument uten oppfølging"
RECORD_STATUS = "Arkivert"
CASE_STATUS = "Avsluttet"
INTERNAL_SENDER = "Intern avsender"
DOCUMENT_KINDS = {
    "consent": "Samtykke", "minutes": "Møtereferat", "closing_summary": "Notat",
    "worry": "Notat", "decision": "Notat", "report": "Bekymringsmelding",
}


@dataclass(frozen=True)
class Context:
    """Who made the archive, what it is called, and where its cases are filed
    (the municipality's ArchiveSettings)."""
    municipality_number: str
    municipality_name: str
    organisation_number: str
    archive_part: str
    classification_system: str
    class_id: str
    class_title: str
    responsible_unit: str
    run_by: str
    started_at: dt.datetime
    # The first case's creation (the archive part's start).
    period_start: dt.datetime


@dataclass
class Result:
    folders: int = 0
    registrations: int = 0
    documents: int = 0
    corrections: int = 0
    document_bytes: int = 0
    # name → (sha-256, size) of every file arkivuttrekk.xml describes.
    files: dict[str, tuple[str, int]] = field(default_factory=dict)
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {"folders": self.folders, "registrations": self.registrations,
                "documents": self.documents, "corrections": self.corrections}


class ExtractChanged(Exception):
    """The cases changed between the two walks (the extract is incomplete)."""


class _HashingFile:
    """A file that hashes what is written to it, for the incremental writer."""

    def __init__(self, path: Path):
        self._file = open(path, "wb")  # noqa: SIM115 — closed by close()
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def close(self) -> tuple[str, int]:
        self._file.close()
        return self.sha256.hexdigest(), self.size


class _Writer:
    """One XML file written incrementally in one namespace."""

    def __init__(self, stack: ExitStack, path: Path, namespace: str, root: str):
        self.ns = namespace
        self.file = _HashingFile(path)
        stack.callback(self._close)
        self.xf = stack.enter_context(etree.xmlfile(self.file, encoding="utf-8"))
        self.xf.write_declaration()
        stack.enter_context(self.xf.element(self.q(root), nsmap={None: namespace, "xsi": XSI}))
        self.closed: tuple[str, int] | None = None

    def _close(self):
        self.closed = self.file.close()

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def element(self, name: str, xsi_type: str | None = None):
        return self.xf.element(self.q(name), {f"{{{XSI}}}type": xsi_type} if xsi_type else {})

    def leaf(self, name: str, value) -> None:
        with self.xf.element(self.q(name)):
            self.xf.write(_text(value))

    def leaves(self, *pairs) -> None:
        for name, value in pairs:
            if value is not None:
                self.leaf(name, value)


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _or_system(name: str) -> str:
    # Noark's names must not be empty; a record Stafett wrote itself says so.
    return name or SYSTEM


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


@dataclass
class _Numbering:
    """Case and journal numbers (saksår/sekvensnummer, journalår/sekvensnummer):
    counted per year in the order the cases are walked, the same in both walks."""
    cases: Counter = field(default_factory=Counter)
    records: Counter = field(default_factory=Counter)

    def case(self, folder: case.Folder) -> tuple[int, int]:
        year = folder.opened_on.year
        self.cases[year] += 1
        return year, self.cases[year]

    def record(self, registration: case.Registration) -> tuple[int, int]:
        year = _day(registration.created_at).year
        self.records[year] += 1
        return year, self.records[year]


def _closed_at(folder: case.Folder, context: Context) -> dt.datetime:
    day = folder.closed_on or _day(context.started_at)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _opened_at(folder: case.Folder) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(folder.opened_on, dt.time(12)))


def _screening(w: _Writer) -> None:
    with w.element("skjerming"):
        w.leaf("tilgangsrestriksjon", case.SCREENING_CODE)
        w.leaf("skjermingshjemmel", case.SCREENING_AUTHORITY)
        for name in case.SCREENING_FIELDS:
            w.leaf("skjermingMetadata", name)
        w.leaf("skjermingDokument", "Hele dokumentet")


def _document_path(document: case.Document) -> str:
    return f"{DOCUMENTS}/{document.filename}"


# The renderer of the extract being written (write_extract sets it).
_renderer: ContextVar[Renderer | None] = ContextVar("renderer", default=None)


def _write_document(root: Path, document: case.Document) -> tuple[str, int]:
    """Render one PDF/A, write it and hash it; nothing of it is kept."""
    renderer = _renderer.get()
    data = renderer.render(document.render) if renderer else document.render()
    (root / _document_path(document)).write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _write_folder(w: _Writer, root: Path, folder: case.Folder, context: Context,
                  numbering: _Numbering, result: Result, archive_part_id: str) -> None:
    year, sequence = numbering.case(folder)
    with w.element("mappe", "saksmappe"):
        w.leaves(("systemID", folder.system_id), ("mappeID", f"{year}/{sequence}"),
                 ("tittel", folder.title), ("offentligTittel", folder.public_title),
                 ("dokumentmedium", "Elektronisk arkiv"),
                 ("opprettetDato", _opened_at(folder)),
                 ("opprettetAv", _or_system(folder.created_by)),
                 ("avsluttetDato", _closed_at(folder, context)),
                 ("avsluttetAv", _or_system(folder.closed_by)),
                 ("referanseArkivdel", archive_part_id))
        with w.element("part"):
            w.leaves(("partID", folder.party.national_id or None), ("partNavn", folder.party.name),
                     ("partRolle", folder.party.role))
        _screening(w)
        for number, registration in enumerate(folder.registrations, 1):
            _write_registration(w, root, registration, number, context, numbering, result,
                                year, sequence)
        w.leaves(("saksaar", year), ("sakssekvensnummer", sequence),
                 ("saksdato", folder.opened_on), ("administrativEnhet", context.responsible_unit),
                 ("saksansvarlig", _or_system(folder.created_by)), ("saksstatus", CASE_STATUS))
    result.folders += 1
    if result.first_day is None or folder.opened_on < result.first_day:
        result.first_day = folder.opened_on


def _write_registration(w: _Writer, root: Path, registration: case.Registration, number: int,
                        context: Context, numbering: _Numbering, result: Result,
                        case_year: int, case_sequence: int) -> None:
    journal_year, journal_sequence = numbering.record(registration)
    document = registration.document
    checksum, size = _write_document(root, document)
    with w.element("registrering", "journalpost"):
        w.leaves(("systemID", registration.system_id),
                 ("opprettetDato", registration.created_at),
                 ("opprettetAv", _or_system(registration.created_by)),
                 ("arkivertDato", context.started_at), ("arkivertAv", _or_system(context.run_by)))
        _screening(w)
        with w.element("dokumentbeskrivelse"):
            w.leaves(("systemID", document.system_id),
                     ("dokumenttype", DOCUMENT_KINDS.get(registration.kind, "Notat")),
                     ("dokumentstatus", "Dokumentet er ferdigstilt"), ("tittel", document.title),
                     ("opprettetDato", document.created_at),
                     ("opprettetAv", _or_system(document.created_by)),
                     ("tilknyttetRegistreringSom", "Hoveddokument"), ("dokumentnummer", 1),
                     ("tilknyttetDato", registration.created_at),
                     ("tilknyttetAv", _or_system(registration.created_by)))
            _screening(w)
            with w.element("dokumentobjekt"):
                w.leaves(("systemID", object_id(document)), ("versjonsnummer", 1),
                         ("variantformat", "Arkivformat"), ("format", DOCUMENT_FORMAT),
                         ("formatDetaljer", DOCUMENT_FORMAT_DETAILS),
                         ("opprettetDato", document.created_at),
                         ("opprettetAv", _or_system(document.created_by)),
                         ("referanseDokumentfil", _document_path(document)),
                         ("sjekksum", checksum), ("sjekksumAlgoritme", CHECKSUM_ALGORITHM),
                         ("filstoerrelse", size))
        w.leaves(("registreringsID", f"{case_year}/{case_sequence}-{number}"),
                 ("tittel", registration.title), ("offentligTittel", registration.public_title))
        with w.element("korrespondansepart"):
            w.leaves(("korrespondanseparttype", INTERNAL_SENDER),
                     ("korrespondansepartNavn", _or_system(registration.created_by)),
                     ("administrativEnhet", context.responsible_unit))
        w.leaves(("journalaar", journal_year), ("journalsekvensnummer", journal_sequence),
                 ("journalpostnummer", number), ("journalposttype", RECORD_TYPE),
                 ("journalstatus", RECORD_STATUS), ("journaldato", _day(registration.created_at)),
                 ("dokumentetsDato", _day(document.created_at)))
    result.registrations += 1
    result.documents += 1
    result.document_bytes += size
    day = _day(registration.created_at)
    if result.last_day is None or day > result.last_day:
        result.last_day = day
    if result.first_day is None or day < result.first_day:
        result.first_day = day


def object_id(document: case.Document) -> str:
    """The dokumentobjekt's own system id (the document's file, version 1)."""
    return case.system_id("file", document.system_id, 1)


def _write_correction(w: _Writer, correction: case.Correction) -> None:
    with w.element("endring"):
        w.leaves(("referanseArkivenhet", correction.system_id),
                 ("referanseMetadata", f"{correction.field_name} [{correction.object_ref}]"),
                 ("endretDato", correction.changed_at),
                 ("endretAv", _or_system(correction.changed_by)),
                 # An emptied value is still a change; Noark wants a value.
                 ("tidligereVerdi", correction.old_value or "-"),
                 ("nyVerdi", correction.new_value or "-"))


def _write_structure(root: Path, context: Context, folders: Iterable[case.Folder]) -> Result:
    result = Result()
    numbering = _Numbering()
    n = context.municipality_number
    archive_id = case.system_id(n, "arkiv", 1)
    part_id = case.system_id(n, "arkivdel", context.archive_part)
    with ExitStack() as stack:
        w = _Writer(stack, root / STRUCTURE, NS_STRUCTURE, "arkiv")
        changes: _Writer | None = None
        w.leaves(("systemID", archive_id), ("tittel", f"{context.municipality_name}: BTI"),
                 ("beskrivelse", "Avsluttede stafettlogger og bekymringer fra Stafett"),
                 ("arkivstatus", "Avsluttet"), ("dokumentmedium", "Elektronisk arkiv"),
                 ("opprettetDato", context.period_start), ("opprettetAv", SYSTEM),
                 ("avsluttetDato", context.started_at), ("avsluttetAv", _or_system(context.run_by)))
        with w.element("arkivskaper"):
            w.leaves(("arkivskaperID", context.organisation_number or context.municipality_number),
                     ("arkivskaperNavn", context.municipality_name))
        with w.element("arkivdel"):
            w.leaves(("systemID", part_id), ("tittel", context.archive_part),
                     ("arkivdelstatus", "Avsluttet periode"), ("dokumentmedium", "Elektronisk arkiv"),
                     ("opprettetDato", context.period_start), ("opprettetAv", SYSTEM),
                     ("avsluttetDato", context.started_at),
                     ("avsluttetAv", _or_system(context.run_by)))
            with w.element("klassifikasjonssystem"):
                w.leaves(("systemID", case.system_id(n, "klassifikasjonssystem",
                                                     context.classification_system)),
                         ("tittel", context.classification_system),
                         ("opprettetDato", context.period_start), ("opprettetAv", SYSTEM))
                with w.element("klasse"):
                    w.leaves(("systemID", case.system_id(n, "klasse", context.class_id)),
                             ("klasseID", context.class_id), ("tittel", context.class_title),
                             ("opprettetDato", context.period_start), ("opprettetAv", SYSTEM))
                    for folder in folders:
                        _write_folder(w, root, folder, context, numbering, result, part_id)
                        for correction in folder.corrections:
                            if changes is None:
                                # Opened at the first correction: the schema
                                # wants at least one change in the file.
                                changes = _Writer(stack, root / CHANGES, NS_CHANGES, "endringslogg")
                            _write_correction(changes, correction)
                            result.corrections += 1
    result.files[STRUCTURE] = w.closed
    if changes is not None:
        result.files[CHANGES] = changes.closed
    return result


def _journal_head(w: _Writer, context: Context, result: Result) -> None:
    with w.element("journalhode"):
        w.leaves(("journalStartDato", result.first_day), ("journalSluttDato", result.last_day),
                 ("seleksjon", "Avsluttede saker"),
                 ("antallJournalposter", result.registrations))
        with w.element("arkivskaper"):
            w.leaves(("arkivskaperID", context.organisation_number or context.municipality_number),
                     ("arkivskaperNavn", context.municipality_name))


def _write_journals(root: Path, context: Context, folders: Iterable[case.Folder],
                    result: Result) -> None:
    numbering = _Numbering()
    count = 0
    with ExitStack() as stack:
        running = _Writer(stack, root / RUNNING, NS_RUNNING, "loependeJournal")
        public = _Writer(stack, root / PUBLIC, NS_PUBLIC, "offentligJournal")
        _journal_head(running, context, result)
        _journal_head(public, context, result)
        for folder in folders:
            year, sequence = numbering.case(folder)
            for number, registration in enumerate(folder.registrations, 1):
                journal_year, journal_sequence = numbering.record(registration)
                count += 1
                ids = (("systemID", registration.system_id),
                       ("registreringsID", f"{year}/{sequence}-{number}"),
                       ("journalaar", journal_year), ("journalsekvensnummer", journal_sequence),
                       ("journalpostnummer", number))
                with running.element("journalregistrering"):
                    with running.element("klasse"):
                        running.leaves(("klasseID", context.class_id),
                                       ("tittel", context.class_title))
                    with running.element("saksmappe"):
                        running.leaves(("mappeID", f"{year}/{sequence}"), ("saksaar", year),
                                       ("sakssekvensnummer", sequence), ("tittel", folder.title),
                                       ("offentligTittel", folder.public_title),
                                       ("skjermingMetadata", "tittel"),
                                       ("administrativEnhet", context.responsible_unit),
                                       ("saksansvarlig", _or_system(folder.created_by)))
                    with running.element("journalpost"):
                        running.leaves(*ids, ("tittel", registration.title),
                                       ("offentligTittel", registration.public_title),
                                       ("skjermingMetadata", "tittel"),
                                       ("journaldato", _day(registration.created_at)),
                                       ("dokumentetsDato", _day(registration.document.created_at)),
                                       ("administrativEnhet", context.responsible_unit),
                                       ("saksbehandler", _or_system(registration.created_by)),
                                       ("tilgangsrestriksjon", case.SCREENING_CODE),
                                       ("skjermingshjemmel", case.SCREENING_AUTHORITY))
                        with running.element("korrespondansepart"):
                            running.leaves(("korrespondanseparttype", INTERNAL_SENDER),
                                           ("korrespondansepartNavn",
                                            _or_system(registration.created_by)))
                # The public journal: screened titles only, never the child.
                with public.element("journalregistrering"):
                    with public.element("klasse"):
                        public.leaves(("klasseID", context.class_id), ("tittel", context.class_title))
                    with public.element("saksmappe"):
                        public.leaves(("mappeID", f"{year}/{sequence}"), ("saksaar", year),
                                      ("sakssekvensnummer", sequence),
                                      ("offentligTittel", folder.public_title),
                                      ("administrativEnhet", context.responsible_unit),
                                      ("tilgangsrestriksjon", case.SCREENING_CODE),
                                      ("skjermingshjemmel", case.SCREENING_AUTHORITY))
                    with public.element("journalpost"):
                        public.leaves(*ids, ("offentligTittel", registration.public_title),
                                      ("skjermingMetadata", "tittel"),
                                      ("journaldato", _day(registration.created_at)),
                                      ("dokumentetsDato", _day(registration.document.created_at)),
                                      ("administrativEnhet", context.responsible_unit),
                                      ("tilgangsrestriksjon", case.SCREENING_CODE),
                                      ("skjermingshjemmel", case.SCREENING_AUTHORITY))
                        with public.element("korrespondansepart"):
                            public.leaves(("korrespondanseparttype", INTERNAL_SENDER),
                                          ("korrespondansepartNavn",
                                           _or_system(registration.created_by)))
    if count != result.registrations:
        raise ExtractChanged(f"{result.registrations} registrations, then {count}")
    result.files[RUNNING] = running.closed
    result.files[PUBLIC] = public.closed


def _file_hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_schemas(root: Path, schema_dir: Path | None, result: Result) -> dict[str, str]:
    """Copy the schemas the files need into the extract; name → checksum."""
    if not schema_dir:
        return {}
    names = [SCHEMAS[name] for name in result.files if name in SCHEMAS] + [CATALOGUE, ADDML_SCHEMA]
    checksums = {}
    for name in names:
        shutil.copyfile(Path(schema_dir) / name, root / name)
        checksums[name] = _file_hash(root / name)[0]
    return checksums


# --- arkivuttrekk.xml (ADDML 8.3, small: built as a tree) --------------------------


def _a(tag: str) -> str:
    return f"{{{NS_ADDML}}}{tag}"


def _prop(parent, name: str, value=None, data_type: str | None = None):
    attrs = {"name": name}
    if data_type:
        attrs["dataType"] = data_type
    prop = etree.SubElement(parent, _a("property"), attrs)
    if value is not None:
        etree.SubElement(prop, _a("value")).text = _text(value)
    return prop


def _props(parent):
    return etree.SubElement(parent, _a("properties"))


def _file_props(parent, name: str, checksum: str | None):
    file_props = _props(_prop(parent, "file"))
    _prop(file_props, "name", name)
    _props(_prop(file_props, "format", "XML")).append(_version_prop("1.0"))
    if checksum:
        checks = _props(_prop(file_props, "checksum"))
        _prop(checks, "algorithm", "SHA256")
        _prop(checks, "value", checksum)


def _version_prop(version: str):
    prop = etree.Element(_a("property"), name="version")
    etree.SubElement(prop, _a("value")).text = version
    return prop


def _schema_props(parent, name: str, checksum: str | None, main: bool):
    schema = _prop(parent, "schema", "main" if main else None)
    props = _props(schema)
    _file_props(props, name, checksum)
    _props(_prop(props, "type", "XML Schema")).append(_version_prop("1.0"))


def _occurrences(parent, element: str, count: int):
    occ = _props(_prop(parent, "numberOfOccurrences", element))
    _prop(occ, "elementPath", f"//{element}")
    _prop(occ, "value", count, "integer")


def _write_description(root: Path, context: Context, result: Result,
                       schemas: dict[str, str]) -> None:
    addml = etree.Element(_a("addml"), nsmap={None: NS_ADDML, "xsi": XSI},
                          name="Noark 5-arkivuttrekk")
    dataset = etree.SubElement(addml, _a("dataset"))
    etree.SubElement(dataset, _a("description")).text = "Noark 5-arkivuttrekk"
    reference = etree.SubElement(dataset, _a("reference"))
    elements = etree.SubElement(etree.SubElement(reference, _a("context")), _a("additionalElements"))

    def additional(parent, name, value=None):
        element = etree.SubElement(parent, _a("additionalElement"), name=name)
        if value is not None:
            etree.SubElement(element, _a("value")).text = value
        return element

    creators = etree.SubElement(additional(elements, "recordCreators"), _a("additionalElements"))
    additional(creators, "recordCreator", context.municipality_name)
    additional(elements, "systemType", "Noark 5")
    additional(elements, "systemName", SYSTEM)
    additional(elements, "archive", f"{context.municipality_name}: BTI")
    content = etree.SubElement(etree.SubElement(reference, _a("content")), _a("additionalElements"))
    period = etree.SubElement(additional(content, "archivalPeriod"), _a("properties"))
    _prop(period, "startDate", result.first_day or _day(context.started_at))
    _prop(period, "endDate", result.last_day or _day(context.started_at))

    objects = etree.SubElement(dataset, _a("dataObjects"))
    extract = etree.SubElement(objects, _a("dataObject"), name="Noark 5-arkivuttrekk")
    info = _props(_prop(_props(extract), "info"))
    _props(_prop(info, "type", "Noark 5")).append(_version_prop("5.0"))
    extra = _props(_prop(info, "additionalInfo"))
    separation = _props(_prop(extra, "periode"))
    _prop(separation, "inngaaendeSkille", "skarpt")
    _prop(separation, "utgaaendeSkille", "skarpt")
    _prop(extra, "inneholderSkjermetInformasjon", "true", "boolean")
    _prop(extra, "omfatterDokumenterSomErKassert", "false", "boolean")
    _prop(extra, "inneholderDokumenterSomSkalKasseres", "false", "boolean")
    _prop(extra, "inneholderVirksomhetsspesifikkeMetadata", "false", "boolean")
    _prop(extra, "antallDokumentfiler", result.documents, "integer")

    files = etree.SubElement(extract, _a("dataObjects"))
    counts = {
        STRUCTURE: [("mappe", result.folders), ("registrering", result.registrations),
                    ("dokumentobjekt", result.documents)],
        CHANGES: [("endring", result.corrections)],
        RUNNING: [("journalregistrering", result.registrations)],
        PUBLIC: [("journalregistrering", result.registrations)],
    }
    for name in (STRUCTURE, CHANGES, RUNNING, PUBLIC):
        if name not in result.files:
            continue
        obj = etree.SubElement(files, _a("dataObject"), name=name.removesuffix(".xml"))
        props = _props(obj)
        _file_props(props, name, result.files[name][0])
        _schema_props(props, SCHEMAS[name], schemas.get(SCHEMAS[name]), main=True)
        _schema_props(props, CATALOGUE, schemas.get(CATALOGUE), main=False)
        occurrences = _props(_prop(props, "info"))
        for element, count in counts[name]:
            _occurrences(occurrences, element, count)
    etree.ElementTree(addml).write(str(root / DESCRIPTION), encoding="utf-8", xml_declaration=True,
                                   pretty_print=True)


# --- the whole extract -----------------------------------------------------------


def write_extract(root: Path, context: Context,
                  folders: Callable[[], Iterable[case.Folder]],
                  schema_dir: Path | None = None) -> Result:
    """Write the extract into `root` (created; must be empty). `folders` is
    called twice and must give the same cases in the same order both times."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    (root / DOCUMENTS).mkdir()
    with Renderer(getattr(settings, "STAFETT_EXTRACT_RENDER_BATCH", 0)) as renderer:
        token = _renderer.set(renderer)
        try:
            result = _write_structure(root, context, folders())
        finally:
            _renderer.reset(token)
    if result.registrations:
        _write_journals(root, context, folders(), result)
    schemas = _copy_schemas(root, schema_dir, result)
    _write_description(root, context, result, schemas)
    return result


def context_for(municipality, *, run_by: str = "", started_at: dt.datetime | None = None) -> Context:
    """The extract's context from the municipality and its archive settings
    (the defaults when the coordinator never changed them)."""
    archive = (ArchiveSettings.objects.filter(municipality=municipality).first()
               or ArchiveSettings(municipality=municipality))
    started_at = started_at or timezone.now()
    first = min(
        (moment for moment in (
            _first_created(case.closed_relays(municipality, started_at)),
            _first_created(case.closed_concerns(municipality, started_at))) if moment),
        default=started_at,
    )
    return Context(
        municipality_number=municipality.number, municipality_name=municipality.name,
        organisation_number=municipality.organisation_number or "",
        archive_part=archive.archive_part, classification_system=archive.classification_system,
        class_id=archive.class_id, class_title=archive.class_title,
        responsible_unit=archive.responsible_unit, run_by=run_by, started_at=started_at,
        period_start=first,
    )


def _first_created(rows) -> dt.datetime | None:
    row = next(iter(rows), None)
    # Ordered by id, which follows creation: the first row is the oldest.
    return row.created_at if row is not None else None


def folders_of(municipality, closed_before: dt.datetime) -> Callable[[], Iterable[case.Folder]]:
    """Every case of the extract: closed relays, then closed worries."""
    def walk():
        return itertools.chain(
            (case.folder_for_relay(r) for r in case.closed_relays(municipality, closed_before)),
            (case.folder_for_concern(c) for c in case.closed_concerns(municipality, closed_before)),
        )
    return walk


def export_municipality(municipality, root: Path, *, run_by: str = "") -> Result:
    """The extract of every case the municipality closed before now."""
    context = context_for(municipality, run_by=run_by)
    return write_extract(root, context, folders_of(municipality, context.started_at),
                         schema_dir=schema_dir())


def schema_dir() -> Path | None:
    """Arkivverket's XSDs, copied into each extract as the standard wants.
    We do not ship them (their licence is not stated); the operator points
    STAFETT_NOARK5_SCHEMA_DIR at a copy of arkivverket/schemas N5/v5.0 + ADDML/v8.3."""
    value = getattr(settings, "STAFETT_NOARK5_SCHEMA_DIR", "")
    return Path(value) if value else None
