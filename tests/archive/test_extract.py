"""The Noark 5 extract, read back: every file validates against Arkivverket's
schema, every checksum and size in arkivuttrekk.xml and arkivstruktur.xml is
the file's, and the counts are the database's."""

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled
from lxml import etree
from pypdf import PdfReader

from stafett.archive import case, extract
from stafett.archive.extract_render import Renderer
from stafett.archive.models import ArchiveSettings, NoarkExtract
from stafett.audit.models import AuditEvent, LegalBasis
from stafett.concerns.models import Concern
from stafett.relay.models import Entry, Relay
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .conftest import STANDARDS, close_a_concern, close_a_relay

N5 = "http://www.arkivverket.no/standarder/noark5/"
A = {"a": N5 + "arkivstruktur"}
ADDML = {"d": "http://www.arkivverket.no/standarder/addml"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(STANDARDS / name)))


def assert_valid(path: Path, xsd: str):
    validator = schema(xsd)
    document = etree.parse(str(path))
    assert validator.validate(document), f"{path.name}: {validator.error_log}"
    return document


def addml_files(description) -> dict[str, str]:
    """name → checksum of every file (data and schemas) arkivuttrekk.xml describes."""
    found = {}
    for file_prop in description.iterfind(".//d:property[@name='file']", ADDML):
        name = file_prop.findtext("d:properties/d:property[@name='name']/d:value", namespaces=ADDML)
        value = file_prop.findtext(
            "d:properties/d:property[@name='checksum']/d:properties/d:property[@name='value']/d:value",
            namespaces=ADDML)
        found[name] = value
    return found


def addml_count(description, data_object: str, element: str) -> int:
    obj = description.find(f".//d:dataObject[@name='{data_object}']", ADDML)
    for occ in obj.iterfind(".//d:property[@name='numberOfOccurrences']", ADDML):
        if occ.findtext("d:value", namespaces=ADDML) == element:
            return int(occ.findtext("d:properties/d:property[@name='value']/d:value", namespaces=ADDML))
    raise AssertionError(f"no count of {element} in {data_object}")


@pytest.fixture
def cases(world):
    relay = close_a_relay(world)
    concern = close_a_concern(world)
    # Not in the extract: an open relay, an open worry, and Åsheim's cases.
    make_relay(world, name="Åpen Stafett")
    make_concern(world, name="Åpen Bekymring", serial=9)
    return relay, concern


def test_the_extract_validates_and_every_checksum_and_count_is_the_databases(world, cases, tmp_path,
                                                                             settings):
    relay, concern = cases
    out = tmp_path / "uttrekk"
    # As in production, the PDFs are rendered by a helper process; this one is
    # replaced after three of the five documents.
    settings.STAFETT_EXTRACT_RENDER_BATCH = 3
    call_command("export_noark", "--municipality", "9901", "--output", str(out))

    names = sorted(p.name for p in out.iterdir())
    assert names == ["addml.xsd", "arkivstruktur.xml", "arkivstruktur.xsd", "arkivuttrekk.xml",
                     "dokumenter", "endringslogg.xml", "endringslogg.xsd", "loependeJournal.xml",
                     "loependeJournal.xsd", "metadatakatalog.xsd", "offentligJournal.xml",
                     "offentligJournal.xsd"]
    structure = assert_valid(out / "arkivstruktur.xml", "arkivstruktur.xsd")
    changes = assert_valid(out / "endringslogg.xml", "endringslogg.xsd")
    running = assert_valid(out / "loependeJournal.xml", "loependeJournal.xsd")
    public = assert_valid(out / "offentligJournal.xml", "offentligJournal.xsd")
    description = assert_valid(out / "arkivuttrekk.xml", "addml.xsd")

    # Every file arkivuttrekk.xml names is there with that SHA-256, and every
    # file at the top of the extract is named (but arkivuttrekk.xml and its
    # own schema, addml.xsd, which lies beside it).
    listed = addml_files(description)
    assert set(listed) == {p.name for p in out.iterdir() if p.is_file()} - {"arkivuttrekk.xml",
                                                                            "addml.xsd"}
    for name, checksum in listed.items():
        assert checksum == sha256(out / name), name
    # The schemas are Arkivverket's, unchanged.
    for xsd in out.glob("*.xsd"):
        assert sha256(xsd) == sha256(STANDARDS / xsd.name)

    # Counts: the database's closed cases, and what the files hold.
    with scope(municipality=world.fjordvik):
        closed_relays = Relay.objects.filter(municipality=world.fjordvik, status="closed").count()
        closed_concerns = Concern.objects.filter(municipality=world.fjordvik, status="closed",
                                                 relays__isnull=True).count()
        folders = [case.folder_for_relay(relay), case.folder_for_concern(concern)]
        corrections = Entry.objects.filter(relay__municipality=world.fjordvik,
                                           relay__status="closed", corrects__isnull=False).count()
    registrations = sum(len(f.registrations) for f in folders)
    assert (closed_relays, closed_concerns) == (1, 1)
    assert len(structure.findall(".//a:mappe", A)) == 2 == addml_count(description, "arkivstruktur", "mappe")
    assert len(structure.findall(".//a:registrering", A)) == registrations \
        == addml_count(description, "arkivstruktur", "registrering")
    # consent, minutes and closing summary; the worry and its decision
    assert registrations == 5
    objects = structure.findall(".//a:dokumentobjekt", A)
    assert len(objects) == registrations == addml_count(description, "arkivstruktur", "dokumentobjekt")
    antall = description.findtext(".//d:property[@name='antallDokumentfiler']/d:value", namespaces=ADDML)
    assert int(antall) == registrations == len(list((out / "dokumenter").iterdir()))
    assert len(changes.getroot()) == corrections == 1 == addml_count(description, "endringslogg", "endring")
    for journal in (running, public):
        assert len(journal.getroot().findall("{*}journalregistrering")) == registrations
        assert int(journal.getroot().findtext("{*}journalhode/{*}antallJournalposter")) == registrations

    # Each document: where arkivstruktur.xml says, with its checksum and size, a PDF/A.
    for obj in objects:
        path = out / obj.findtext("a:referanseDokumentfil", namespaces=A)
        assert re.fullmatch(r"dokumenter/[a-z0-9.-]+\.pdf", obj.findtext("a:referanseDokumentfil", namespaces=A))
        data = path.read_bytes()
        assert obj.findtext("a:sjekksum", namespaces=A) == hashlib.sha256(data).hexdigest()
        assert obj.findtext("a:sjekksumAlgoritme", namespaces=A) == "SHA256"
        assert int(obj.findtext("a:filstoerrelse", namespaces=A)) == len(data)
        xmp = PdfReader(io.BytesIO(data)).xmp_metadata.rdf_root.toxml()
        assert 'pdfaid:part="2"' in xmp or "<pdfaid:part>2</pdfaid:part>" in xmp, xmp[:500]

    # The class is the municipality's; the child is a screened part.
    with scopes_disabled():
        settings_row = ArchiveSettings(municipality=world.fjordvik)
    assert structure.findtext(".//a:klasse/a:klasseID", namespaces=A) == settings_row.class_id
    folder = structure.find(".//a:mappe", A)
    assert folder.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "saksmappe"
    assert folder.findtext("a:part/a:partNavn", namespaces=A) == "Ella Strandvik"
    assert folder.findtext("a:skjerming/a:tilgangsrestriksjon", namespaces=A) == case.SCREENING_CODE
    assert folder.findtext("a:skjerming/a:skjermingshjemmel", namespaces=A) == case.SCREENING_AUTHORITY

    # The correction: old and new text, who and when.
    change = changes.getroot()[0]
    assert change.findtext("{*}tidligereVerdi") == "Sover bedre nå."
    assert change.findtext("{*}nyVerdi") == "Sover mye bedre nå."
    assert change.findtext("{*}endretAv") == "Helga Helsesøstersen"
    assert change.findtext("{*}referanseArkivenhet") == folders[0].system_id

    # The public journal never names a child; the running journal does.
    public_text = (out / "offentligJournal.xml").read_text()
    assert "Ella" not in public_text and "Nora" not in public_text and case.MASK in public_text
    assert "Ella Strandvik" in (out / "loependeJournal.xml").read_text()
    # Open cases are not in it.
    everything = (out / "arkivstruktur.xml").read_text()
    assert "Åpen" not in everything

    # The run is audited under the duty to archive, and its counts are kept.
    with scope(municipality=world.fjordvik):
        job = NoarkExtract.objects.get()
        assert (job.status, job.folders, job.registrations, job.documents, job.corrections) == \
            ("done", 2, 5, 5, 1)
        events = list(AuditEvent.objects.filter(object_type="noarkextract", object_id=job.pk)
                      .values_list("action", "legal_basis"))
    assert events == [("noark_extract.start", LegalBasis.DUTY_TO_ARCHIVE),
                      ("noark_extract.written", LegalBasis.DUTY_TO_ARCHIVE)]


def test_the_archive_settings_give_the_class(world, cases, tmp_path):
    with scope(municipality=world.fjordvik):
        ArchiveSettings.objects.create(municipality=world.fjordvik, class_id="033",
                                       class_title="Barn og unge", archive_part="Oppvekst 2026")
        result = extract.export_municipality(world.fjordvik, tmp_path / "u")
    structure = assert_valid(tmp_path / "u" / "arkivstruktur.xml", "arkivstruktur.xsd")
    assert structure.findtext(".//a:klasse/a:klasseID", namespaces=A) == "033"
    assert structure.findtext(".//a:arkivdel/a:tittel", namespaces=A) == "Oppvekst 2026"
    assert result.folders == 2


def test_a_municipality_without_closed_cases_gets_a_valid_extract_with_what_it_can_hold(world, tmp_path):
    with scope(municipality=world.asheim):
        result = extract.export_municipality(world.asheim, tmp_path / "u")
    out = tmp_path / "u"
    assert result.counts == {"folders": 0, "registrations": 0, "documents": 0, "corrections": 0}
    assert_valid(out / "arkivstruktur.xml", "arkivstruktur.xsd")
    description = assert_valid(out / "arkivuttrekk.xml", "addml.xsd")
    # The schemas want at least one journal entry and one change: no such files.
    assert not (out / "loependeJournal.xml").exists() and not (out / "endringslogg.xml").exists()
    assert set(addml_files(description)) == {"arkivstruktur.xml", "arkivstruktur.xsd",
                                             "metadatakatalog.xsd"}


def test_the_extract_holds_only_its_own_municipality(world, cases, tmp_path):
    with scope(municipality=world.asheim):
        extract.export_municipality(world.asheim, tmp_path / "a")
    assert "Ella" not in (tmp_path / "a" / "arkivstruktur.xml").read_text()
    assert not list((tmp_path / "a" / "dokumenter").iterdir())


def test_the_command_refuses_what_it_cannot_do(world, tmp_path):
    with pytest.raises(CommandError, match="No municipality"):
        call_command("export_noark", "--municipality", "0000", "--output", str(tmp_path / "x"))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_noark", "--municipality", "9901", "--output", str(tmp_path / "full"))


def test_without_schemas_the_description_names_them_without_checksums(world, cases, tmp_path, settings):
    settings.STAFETT_NOARK5_SCHEMA_DIR = ""
    with scope(municipality=world.fjordvik):
        extract.export_municipality(world.fjordvik, tmp_path / "u")
    out = tmp_path / "u"
    assert not list(out.glob("*.xsd"))
    description = assert_valid(out / "arkivuttrekk.xml", "addml.xsd")
    files = addml_files(description)
    assert files["arkivstruktur.xml"] == sha256(out / "arkivstruktur.xml")
    assert files["arkivstruktur.xsd"] is None


def test_the_helper_process_renders_the_document_and_is_replaced_after_its_batch(world):
    """The extract's PDFs come from a helper process that is replaced after
    `batch` documents (stafett.archive.extract_render), and they are the PDF
    the worker would have rendered itself."""
    record = case._pdf("Samtykke", [("Gitt av", "Frida Fjeld"), ("Tjenester", "Helsestasjonen")],
                       world.fjordvik)
    with Renderer(1) as renderer:
        pdfs = [renderer.render(record) for _ in range(2)]
    assert len(renderer.helpers) == 2 and os.getpid() not in renderer.helpers
    here = record()

    def text(data):
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

    assert text(pdfs[0]) == text(pdfs[1]) == text(here)
    assert "Frida Fjeld" in text(here)
    for data in pdfs:
        xmp = PdfReader(io.BytesIO(data)).xmp_metadata.rdf_root.toxml()
        assert 'pdfaid:part="2"' in xmp or "<pdfaid:part>2</pdfaid:part>" in xmp
