"""Delivery by the outbox to the file drop, the receiver's receipts on the
case, and the follow-up break when a report has not arrived within a day."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.followup import engine
from stafett.followup.models import Break
from stafett.notify import outbox
from stafett.notify.models import OutboxMessage
from stafett.reports.models import ChildWelfareReport
from stafett.transport import tasks as transport_tasks
from tests.concerns.helpers import make_concern
from tests.conftest import nb

from .helpers import OFFICIAL, approved, official_errors, sent_document, sent_files

pytestmark = pytest.mark.django_db


def _fresh(report):
    with scopes_disabled():
        return ChildWelfareReport.objects.get(pk=report.pk)


def _answer(filedrop, report, outcome, error=""):
    """The child welfare service answers, as a receiver of the file drop does."""
    folder = Path(filedrop) / "report" / report.municipality.number / str(report.message_id)
    (folder / "kvittering.json").write_text(json.dumps({"outcome": outcome, "error": error}),
                                            encoding="utf-8")
    return sum(transport_tasks.collect_filedrop_receipts_now().values())


def test_the_worker_delivers_the_frozen_json_and_pdf_once(world, filedrop):
    report = approved(world, make_concern(world, shared=True))
    assert outbox.deliver_all()["sent"] == 1
    files = sent_files(filedrop, report)
    assert set(files) == {"bekymringsmelding.json", "bekymringsmelding.pdf", "melding.json"}
    document = json.loads(files["bekymringsmelding.json"])
    assert document == report.document
    assert official_errors(document) == []
    assert files["bekymringsmelding.pdf"] == bytes(report.pdf)
    header = json.loads(files["melding.json"])
    assert header["type"] == "no.ks.fiks.bekymringsmelding.offentlig.v2"
    assert header["id"] == str(report.message_id) and header["receiver"] == "barnevernet"
    fresh = _fresh(report)
    assert fresh.status == "sent" and fresh.sent_at is not None
    # Nothing is sent again.
    assert outbox.deliver_all() == {}
    with scopes_disabled():
        assert OutboxMessage.objects.get(key=f"report:{report.pk}").state == "sent"


def test_the_official_example_validates_so_the_checker_is_real():
    example = json.loads((OFFICIAL.parent / "examples" / "offentligBekymringsmeldingV2.json")
                         .read_text(encoding="utf-8"))
    assert official_errors(example) == []
    del example["foresatte"]
    example["offentligMelder"]["telefonnummer"] = "ring meg"
    assert len(official_errors(example)) == 2


def test_the_apps_copy_of_the_schema_is_the_official_one():
    from stafett.reports import document

    assert document.SCHEMA_FILE.read_bytes() == \
        (OFFICIAL / "v2" / "offentlig.bekymringsmelding.v2.json").read_bytes()
    assert document.ADDRESS_FILE.read_bytes() == (OFFICIAL / "adresse.json").read_bytes()


def test_a_received_receipt_shows_on_the_worry(world, filedrop):
    concern = make_concern(world, shared=True)
    report = approved(world, concern)
    outbox.deliver_all()
    assert _answer(filedrop, report, "received") == 1
    fresh = _fresh(report)
    assert fresh.status == "received" and fresh.received_at is not None
    page = world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    assert nb("received by the child welfare service") in page.content.decode()
    assert _answer(filedrop, report, "received") == 0  # handled once


def test_a_failure_receipt_shows_on_the_case_with_the_receivers_message(world, filedrop):
    concern = make_concern(world, shared=True)
    report = approved(world, concern)
    outbox.deliver_all()
    _answer(filedrop, report, "failed", "Ukjent kommunenummer 9901 hos mottaker")
    fresh = _fresh(report)
    assert fresh.status == "failed" and fresh.error == "Ukjent kommunenummer 9901 hos mottaker"
    for person in [world.teacher, world.leader]:
        page = world.client_for(person).get(reverse("concerns:detail", args=[concern.pk]))
        text = page.content.decode()
        assert nb("failed") in text and "Ukjent kommunenummer 9901 hos mottaker" in text
        listing = world.client_for(person).get(reverse("reports:index")).content.decode()
        assert "Ukjent kommunenummer 9901 hos mottaker" in listing
    # Kasper sees neither the worry nor the report's status.
    page = world.client_for(world.colleague).get(reverse("concerns:detail", args=[concern.pk]))
    assert page.status_code == 404


def test_a_transport_that_refuses_is_retried_with_back_off(world, filedrop, settings):
    report = approved(world, make_concern(world, shared=True))
    settings.STAFETT_TRANSPORTS = {**settings.STAFETT_TRANSPORTS, "report": "nowhere"}
    # An unknown transport is permanent: the message fails, the report stays queued.
    assert outbox.deliver_all()["failed"] == 1
    assert _fresh(report).status == "queued"
    settings.STAFETT_TRANSPORTS = {**settings.STAFETT_TRANSPORTS, "report": "filedrop"}
    # A full disk is not permanent: retried later.
    Path(filedrop).mkdir(parents=True, exist_ok=True)
    (Path(filedrop) / "report").write_text("not a folder")
    with scopes_disabled():
        OutboxMessage.objects.filter(key=f"report:{report.pk}").update(state="pending",
                                                                        attempts=0)
    assert outbox.deliver_all()["retry"] == 1
    with scopes_disabled():
        message = OutboxMessage.objects.get(key=f"report:{report.pk}")
    assert message.state == "pending" and message.available_at > timezone.now()
    (Path(filedrop) / "report").unlink()
    with scopes_disabled():
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    assert outbox.deliver_all()["sent"] == 1
    assert _fresh(report).status == "sent"
    assert official_errors(sent_document(filedrop, report)) == []


def test_a_report_not_received_within_a_day_is_a_follow_up_break(world, filedrop):
    concern = make_concern(world, shared=True)
    report = approved(world, concern)
    outbox.deliver_all()
    now = timezone.now()
    engine.evaluate(world.fjordvik, now + dt.timedelta(hours=23))
    with scopes_disabled():
        assert not Break.objects.filter(rule="report_undelivered").exists()
    engine.evaluate(world.fjordvik, now + dt.timedelta(hours=25))
    with scopes_disabled():
        [brk] = Break.objects.filter(rule="report_undelivered", mended_at__isnull=True)
        assert (brk.object_type, brk.object_id) == ("report", report.pk)
        assert brk.recipient == world.teacher and brk.concern_id == concern.pk
    # The receipt mends it.
    _answer(filedrop, report, "received")
    engine.evaluate(world.fjordvik, now + dt.timedelta(hours=26))
    with scopes_disabled():
        assert not Break.objects.filter(rule="report_undelivered", mended_at__isnull=True).exists()


def test_a_receipt_for_an_unknown_message_changes_nothing(world):
    import uuid

    from stafett import transport

    report = approved(world, make_concern(world, shared=True))
    assert transport.dispatch(transport.Receipt(
        in_reply_to=uuid.uuid4(), message_type="no.ks.fiks.bekymringsmelding.mottatt.v1",
        outcome="received"))
    assert _fresh(report).status == "queued"
    # Fiks IO's own receipt types are understood.
    transport.dispatch(transport.Receipt(
        in_reply_to=report.message_id, message_type="no.ks.fiks.bekymringsmelding.feilet.v1",
        outcome="", error="Feil i meldingen"))
    assert _fresh(report).status == "failed" and _fresh(report).error == "Feil i meldingen"
