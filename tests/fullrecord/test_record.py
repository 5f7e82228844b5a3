"""What the record holds for each requester, what is withheld from whom and
why (stated in the record), its JSON against our schema, its PDF/A, and the
audit trail of the request and its delivery."""

import io
import json
from pathlib import Path

import jsonschema
import pytest
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from stafett.access.rules import Forbidden
from stafett.audit.log import verify_chain
from stafett.audit.models import AuditEvent, LegalBasis
from stafett.fullrecord import actions, policy
from stafett.fullrecord.models import AccessRequest
from stafett.fullrecord.record import SEALED_NOTICE, Ground, assemble
from stafett.relay import actions as relay_actions

from .conftest import POLICE_NOTE, REPORT_TEXT, WORRY_TEXT, kindergarten_report

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "stafett" / "fullrecord" / "schema"
                     / "full-record.v1.json").read_text())
WITHHELD_NOTE = "Samtale med mor alene om tryggheten hjemme."


def validate(document):
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        json.loads(json.dumps(document)))


def produced(scene, request, user=None):
    with scope(municipality=scene.world.fjordvik):
        return actions.produce(scene.actor(user or scene.world.health_nurse), request.pk,
                               version=request.version)


def text_of(document) -> str:
    return json.dumps(document, ensure_ascii=False)


def grounds(document) -> list[str]:
    return [w["ground"] for w in document["withheld"]]


def test_fridas_copy_holds_every_service_s_record_of_mia(scene):
    request = produced(scene, scene.register(who="frida"))
    document = request.document
    validate(document)
    text = text_of(document)
    # Kari's unshared worry at the kindergarten, Helga's log, the report the
    # kindergarten sent (Frida was told of it) and the access log.
    assert WORRY_TEXT in text
    assert WITHHELD_NOTE in text  # withheld from Geir, not from Frida
    assert "Mia lo mye i dag." in text
    assert document["reports"][0]["text"]["observed"] == REPORT_TEXT
    assert {row["case"] for row in document["access_log"]} >= {"relay", "worry", "report"} - {"report"}
    assert any(row["who"] == "Helga Helsesøstersen" for row in document["access_log"])
    # The police note is the police's to share; the record says so.
    assert POLICE_NOTE not in text
    assert Ground.POLICE_CONTACT in grounds(document)
    # Other people's contact details are never in it, and the record says so.
    assert "40000000" not in text and scene.family.geir.national_id not in text
    assert Ground.OTHER_PEOPLE in grounds(document)
    assert document["child"]["national_id"].endswith("*****")


def test_geirs_copy_leaves_out_what_is_withheld_from_him_and_says_so(scene):
    request = produced(scene, scene.register(who="geir"))
    document = request.document
    validate(document)
    text = text_of(document)
    assert WITHHELD_NOTE not in text
    assert "Mia lo mye i dag." in text
    # The report records him as not told: its text is withheld from him.
    assert REPORT_TEXT not in text and document["reports"][0]["text"] is None
    assert Ground.WITHHELD_ENTRY in grounds(document)
    assert Ground.REPORT_NOT_TOLD in grounds(document)
    # The reason staff recorded is not repeated to him.
    assert "Mistanke om vold fra far" not in text
    statement = next(w for w in document["withheld"] if w["ground"] == Ground.WITHHELD_ENTRY)
    assert statement["case"] == "relay" and statement["law"].startswith("forvaltningsloven § 19")


def test_the_young_persons_own_copy_keeps_nothing_from_her_that_is_kept_from_a_parent(scene):
    case = scene.case(scene.world.health_nurse, "Ylva Berg")
    request = produced(scene, scene.register(who="ylva", role="child", case=case))
    validate(request.document)
    assert request.document["requester"]["role"] == "child"
    assert grounds(request.document) == [Ground.OTHER_PEOPLE]


def test_an_entry_withheld_from_a_guardian_without_an_identity_number_is_kept_from_every_guardian(scene):
    with scope(municipality=scene.world.fjordvik):
        nurse = scene.actor(scene.world.health_nurse)
        unknown = relay_actions.add_guardian(nurse, scene.family.mia_relay, name="Ukjent Fjeld",
                                             relation="far")
        note = relay_actions.add_entry(nurse, scene.family.mia_relay, kind="note", text="Holdt unna den ukjente.")
        relay_actions.withhold_entry(nurse, note, guardian=unknown, reason="Uklart.")
    document = produced(scene, scene.register(who="frida")).document
    assert "Holdt unna den ukjente." not in text_of(document)
    assert Ground.UNKNOWN_GUARDIAN in grounds(document)


def test_a_report_never_sent_is_listed_without_its_text(scene):
    with scope(municipality=scene.world.fjordvik):
        draft = kindergarten_report(scene.world, scene.worry, told={"Frida Fjeld": True})
        draft.document, draft.message_id, draft.status = None, None, "draft"
        draft.save()
    document = produced(scene, scene.register(who="frida")).document
    row = next(r for r in document["reports"] if r["id"] == draft.pk)
    assert row["text"] is None and Ground.REPORT_NOT_SENT in grounds(document)


def test_the_record_is_frozen_as_pdf_a(scene):
    request = produced(scene, scene.register())
    pdf = bytes(request.pdf)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    # PDF/A-2u: the XMP metadata declares part 2, conformance U.
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="U"' in xmp
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Mia lo mye i dag." in text and "Mia Fjeld" in text


# --- the producer's part ---------------------------------------------------------------


def test_helgas_part_leaves_out_the_kindergarten_worry_she_may_not_see(scene):
    request = produced(scene, scene.register())
    with scope(municipality=scene.world.fjordvik):
        _request, part, pdf = actions.read_part(scene.actor(scene.world.health_nurse), request.pk)
    validate(part)
    text = text_of(part)
    assert WORRY_TEXT not in text and REPORT_TEXT not in text
    assert part["worries"] == [] and part["reports"] == []
    assert {row["case"] for row in part["access_log"]} <= {"relay", "access_request"}
    assert "Mia lo mye i dag." in text
    assert part["sealed_notice"] == str(SEALED_NOTICE)
    # The shared child row is not hers to read: the child as her own log names it.
    assert part["child"] == {"name": "Mia Fjeld", "birth_date": None, "expected_date": None,
                             "national_id": None, "guardians": []}
    assert pdf.startswith(b"%PDF-")


def test_the_sealed_notice_reads_the_same_whether_or_not_anything_is_sealed(scene):
    """Ylva's record holds nothing Helga may not see; Mia's does. Helga's two
    parts are built the same way and say the same."""
    nurse = scene.actor(scene.world.health_nurse)
    ylva_case = scene.case(scene.world.health_nurse, "Ylva Berg")
    mia = produced(scene, scene.register(who="frida"))
    ylva = produced(scene, scene.register(who="ylva", role="child", case=ylva_case))
    with scope(municipality=scene.world.fjordvik):
        parts = [assemble(r, policy.Sight(nurse)) for r in (mia, ylva)]
    assert parts[0]["sealed_notice"] == parts[1]["sealed_notice"]
    assert parts[0].keys() == parts[1].keys()
    assert [w["ground"] for w in parts[1]["withheld"]] == [Ground.OTHER_PEOPLE]


# --- audit --------------------------------------------------------------------------------


def test_the_request_and_its_delivery_are_audited_with_ids_and_codes_only(scene):
    request = scene.register()
    request = produced(scene, request)
    with scope(municipality=scene.world.fjordvik):
        actions.deliver(scene.actor(scene.world.health_nurse), request.pk, version=request.version)
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(legal_basis=LegalBasis.RIGHT_OF_ACCESS)
                      .order_by("id").values_list("action", "object_type", "object_id", "child_id"))
        assert verify_chain(scene.world.fjordvik.pk) is None
    mia = scene.family.mia_relay.child_id
    assert ("register_access_request", "accessrequest", request.pk, mia) in events
    assert ("deliver_full_record", "accessrequest", request.pk, mia) in events
    produce_rows = {(o, i) for a, o, i, _c in events if a == "produce_full_record"}
    # One row per case the record read: the request, the worry, the log, the report.
    assert produce_rows == {("accessrequest", request.pk), ("concern", scene.worry.pk),
                            ("relay", scene.family.mia_relay.pk),
                            ("childwelfarereport", scene.report.pk)}
    assert all(child == mia for *_rest, child in events)


def test_producing_again_after_delivery_is_refused(scene):
    request = produced(scene, scene.register())
    with scope(municipality=scene.world.fjordvik):
        nurse = scene.actor(scene.world.health_nurse)
        request = actions.deliver(nurse, request.pk, version=request.version)
        with pytest.raises(Forbidden):
            actions.produce(nurse, request.pk, version=request.version)
    with scopes_disabled():
        assert AccessRequest.objects.get(pk=request.pk).status == "delivered"
