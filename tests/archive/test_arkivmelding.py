"""The arkivmelding: every message built from a closed case validates
against KS's official schema, and carries the class, the archive part, the
responsible unit, the screened child and one PDF/A document."""

import hashlib
from pathlib import Path

import pytest
from django_scopes import scope, scopes_disabled

from stafett.archive import arkivmelding, case
from stafett.archive.models import ArchiveSettings
from tests.archive.helpers import OFFICIAL, assert_valid, closed_concern, closed_relay

NS = {"a": arkivmelding.NS, "m": arkivmelding.MDK}


def messages(folder, conf):
    out = []
    for registration in folder.registrations:
        pdf = registration.document.render()
        out.append((registration, pdf, arkivmelding.build(folder, registration, conf, pdf=pdf)))
    return out


def settings_of(world, **changes):
    conf, _ = ArchiveSettings.objects.get_or_create(municipality=world.fjordvik)
    for name, value in changes.items():
        setattr(conf, name, value)
    return conf


@pytest.mark.django_db
def test_every_message_of_a_closed_relay_validates(world):
    relay = closed_relay(world)
    with scope(municipality=world.fjordvik):
        folder = case.folder_for_relay(relay)
        conf = settings_of(world, class_id="F47", classification_system="Emnekoder",
                           archive_part="BTI", responsible_unit="Oppvekst")
        built = messages(folder, conf)
    assert [r.kind for r, _, _ in built] == ["consent", "minutes", "closing_summary"]
    for registration, pdf, xml in built:
        root = assert_valid(xml)
        assert pdf.startswith(b"%PDF")
        assert root.findtext("a:antallFiler", namespaces=NS) == "1"
        mappe = root.find("a:mappe", NS)
        # One folder per relay: the same id in every message.
        assert mappe.findtext("a:systemID", namespaces=NS) == folder.system_id
        assert mappe.findtext("a:tittel", namespaces=NS) == "Stafettlogg for Ella Strandvik"
        assert "Ella" not in mappe.findtext("a:offentligTittel", namespaces=NS)
        assert mappe.findtext("a:klassifikasjon/a:klasseID", namespaces=NS) == "F47"
        assert mappe.findtext("a:klassifikasjon/a:klassifikasjonssystemID", namespaces=NS) == "Emnekoder"
        assert mappe.findtext("a:arkivdel/m:kode", namespaces=NS) == "BTI"
        assert mappe.findtext("a:administrativEnhet/m:navn", namespaces=NS) == "Oppvekst"
        assert mappe.findtext("a:saksstatus/m:kode", namespaces=NS) == "A"
        party = mappe.find("a:part", NS)
        assert party.findtext("a:partNavn", namespaces=NS) == "Ella Strandvik"
        assert party.findtext("a:erSkjermet", namespaces=NS) == "true"
        post = root.find("a:registrering", NS)
        assert post.findtext("a:systemID", namespaces=NS) == registration.system_id
        assert post.findtext("a:referanseForelderMappe/m:systemID", namespaces=NS) == folder.system_id
        # Screened under offl. § 13 with the duty of confidentiality, at every level.
        for screened in (mappe, post, post.find("a:dokumentbeskrivelse", NS)):
            assert screened.findtext("a:skjerming/a:tilgangsrestriksjon/m:kode", namespaces=NS) == "13"
            assert screened.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) == (
                "Offl. § 13 jf. fvl. § 13 første ledd nr. 1")
        obj = post.find("a:dokumentbeskrivelse/a:dokumentobjekt", NS)
        assert obj.findtext("a:referanseDokumentfil", namespaces=NS) == registration.document.filename
        assert obj.findtext("a:sjekksum", namespaces=NS) == hashlib.sha256(pdf).hexdigest()
        assert obj.findtext("a:filstoerrelse", namespaces=NS) == str(len(pdf))
        assert obj.findtext("a:format/m:kode", namespaces=NS) == "RA-PDF"


@pytest.mark.django_db
def test_a_closed_worry_has_the_worry_and_the_decision(world):
    concern = closed_concern(world)
    with scopes_disabled():
        folder = case.folder_for_concern(concern)
        built = messages(folder, settings_of(world))
    assert [r.kind for r, _, _ in built] == ["worry", "decision"]
    for _registration, _pdf, xml in built:
        root = assert_valid(xml)
        assert root.findtext("a:mappe/a:tittel", namespaces=NS) == "Bekymring for Ella Strandvik"
        # The child's identity number travels as a screened person id.
        assert root.findtext("a:mappe/a:part/a:personID/a:identifikator", namespaces=NS)


@pytest.mark.django_db
def test_the_worry_a_relay_grew_from_is_in_the_relays_folder(world):
    from tests.relay.helpers import make_relay  # noqa: F401 - same helpers as the relay tests
    relay = closed_relay(world, minutes=False)
    with scopes_disabled():
        assert relay.concern_id is None
        kinds = [r.kind for r in case.folder_for_relay(relay).registrations]
    assert kinds == ["consent", "closing_summary"]


@pytest.mark.django_db
def test_an_invalid_message_is_refused_with_the_schemas_words(world):
    relay = closed_relay(world, minutes=False)
    with scopes_disabled():
        folder = case.folder_for_relay(relay)
        conf = settings_of(world, class_id="")  # klasseID may not be empty
        registration = folder.registrations[0]
        xml = arkivmelding.build(folder, registration, conf, pdf=b"%PDF-1.7")
    with pytest.raises(arkivmelding.InvalidArkivmelding) as refused:
        arkivmelding.validate(xml)
    assert "klasseID" in str(refused.value)


def test_the_apps_copy_of_the_schema_is_the_official_one():
    ours = Path(arkivmelding.SCHEMA_DIR)
    for path in OFFICIAL.iterdir():
        assert (ours / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.django_db
def test_a_sent_report_of_concern_is_a_registration_with_its_frozen_pdf(world):
    import uuid

    from django.utils import timezone

    from stafett.reports.models import ChildWelfareReport
    concern = closed_concern(world)
    frozen = b"%PDF-1.7 the report exactly as it was sent"
    with scopes_disabled():
        common = {"municipality": world.fjordvik, "child": concern.child, "concern": concern,
                  "service": world.kindergarten, "reporter": world.teacher,
                  "created_at": timezone.now()}
        sent = ChildWelfareReport.objects.create(
            **common, status=ChildWelfareReport.Status.SENT, message_id=uuid.uuid4(),
            document={}, pdf=frozen, sent_at=timezone.now())
        # A draft has not left: it is not part of the case.
        ChildWelfareReport.objects.create(**common, status=ChildWelfareReport.Status.DRAFT)
        folder = case.folder_for_concern(concern)
        [report] = [r for r in folder.registrations if r.kind == "report"]
        assert report.record_type == "U"
        assert report.document.render() == frozen
        assert report.system_id == case.system_id("9901", "report", sent.pk)
        xml = arkivmelding.build(folder, report, settings_of(world), pdf=frozen)
    root = assert_valid(xml)
    post = root.find("a:registrering", NS)
    assert post.findtext("a:journalposttype/m:kode", namespaces=NS) == "U"
    assert post.findtext("a:dokumentbeskrivelse/a:dokumentobjekt/a:sjekksum", namespaces=NS) == (
        hashlib.sha256(frozen).hexdigest())
