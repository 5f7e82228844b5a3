"""Delivery to the archive: closing a relay (or a decided worry) queues it in
the same transaction; the worker sends one validated arkivmelding per
registration with its PDF/A through the file drop, exactly once; the
archive's receipts, written back into the drop and collected by the real
receipt path, mark it archived with the archive's case number, or failed
with the archive's words."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.archive import case, standin
from stafett.archive.models import ArchiveDelivery, ArchiveMessage, ArchiveSettings
from stafett.audit.models import AuditEvent
from stafett.notify import outbox
from stafett.notify.models import OutboxMessage
from stafett.transport import filedrop as drop
from tests.archive.helpers import KVITTERING, assert_valid, closed_concern, closed_relay
from tests.transport.test_consumer import broker, sealed  # noqa: F401  (RabbitMQ fixture)

pytestmark = pytest.mark.django_db


def drop_folders(drop, number="9901"):
    base = drop / "archive" / number
    return sorted(p for p in base.iterdir() if not p.name.startswith(".")) if base.exists() else []


def answer(root, *, error="", year=2026, number=417):
    """Act as the archive: write a kvittering (XML per the receipt schema)
    into every message folder, as a receiver of the file drop does."""
    with scopes_disabled():
        for message in ArchiveMessage.objects.select_related("delivery", "municipality"):
            xml = standin.kvittering_xml(message, case_year=year, case_number=number,
                                                  error=error)
            assert_valid(xml, KVITTERING)
            folder = root / "archive" / message.municipality.number / str(message.message_id)
            (folder / "kvittering.json").write_text(json.dumps(
                {"outcome": "failed" if error else "archived",
                 "payload": {"kvittering": xml.decode("utf-8")}}), encoding="utf-8")
    return drop.collect_receipts("archive")


def test_closing_a_relay_queues_it_for_the_archive_in_the_same_transaction(world):
    relay = closed_relay(world)
    with scopes_disabled():
        message = OutboxMessage.objects.get(key=f"archive:relay:{relay.pk}")
        assert (message.channel, message.params) == ("archive", {"source": "relay", "id": relay.pk})
        # Nothing has left yet: the worker sends it.
        assert not ArchiveDelivery.objects.exists()


def test_the_worker_sends_one_valid_message_per_registration_with_its_pdf(world, filedrop):
    relay = closed_relay(world)
    assert outbox.deliver_all()["sent"] == 1
    folders = drop_folders(filedrop)
    assert len(folders) == 3  # the consent, the minutes, the closing summary
    for folder in folders:
        names = sorted(p.name for p in folder.iterdir())
        [pdf] = [n for n in names if n.endswith(".pdf")]
        assert names == sorted(["arkivmelding.xml", "melding.json", pdf])
        assert_valid((folder / "arkivmelding.xml").read_bytes())
        assert (folder / pdf).read_bytes().startswith(b"%PDF")
        header = json.loads((folder / "melding.json").read_text())
        assert header["type"] == "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == ArchiveDelivery.Status.SENT and delivery.sent_at
        assert {str(m.message_id) for m in delivery.messages.all()} == {f.name for f in folders}
        # The disclosure is audited: ids and a legal basis, nothing else.
        event = AuditEvent.objects.get(action="archive", object_id=relay.pk)
        assert (event.legal_basis, event.child_id, event.actor_id) == (
            "duty_to_archive", relay.child_id, None)


def test_a_worker_that_dies_before_marking_delivers_once(world, filedrop, settings):
    relay = closed_relay(world)
    outbox.deliver_all()
    first = {f.name: (f / "arkivmelding.xml").read_bytes() for f in drop_folders(filedrop)}
    with scopes_disabled():
        # As a worker killed after sending and before marking leaves it.
        OutboxMessage.objects.filter(key=f"archive:relay:{relay.pk}").update(
            state=OutboxMessage.State.SENDING, sent_at=None,
            claimed_at=timezone.now() - dt.timedelta(seconds=settings.STAFETT_OUTBOX_CLAIM_TIMEOUT + 60))
    assert outbox.deliver_all()["sent"] == 1  # claimed again and sent again ...
    again = {f.name: (f / "arkivmelding.xml").read_bytes() for f in drop_folders(filedrop)}
    assert again == first  # ... the same messages, each once
    with scopes_disabled():
        assert ArchiveDelivery.objects.count() == 1
        assert ArchiveMessage.objects.count() == 3


def test_the_archives_receipts_mark_it_archived_with_its_case_number(world, filedrop):
    relay = closed_relay(world)
    outbox.deliver_all()
    assert answer(filedrop) == 3
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == ArchiveDelivery.Status.ARCHIVED
        assert delivery.archive_reference == "2026/417"
        assert delivery.archived_at
    assert drop.collect_receipts("archive") == 0  # each receipt is handled once


def test_a_refusal_by_the_archive_shows_its_message(world, filedrop):
    relay = closed_relay(world, minutes=False)
    outbox.deliver_all()
    answer(filedrop, error="Ukjent arkivdel BTI")
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == ArchiveDelivery.Status.FAILED
        assert delivery.error == "Ukjent arkivdel BTI"


def test_a_receipt_that_does_not_validate_is_recorded_as_an_error(world, filedrop):
    closed_relay(world, minutes=False)
    outbox.deliver_all()
    [folder, _] = drop_folders(filedrop)
    (folder / "kvittering.json").write_text(json.dumps(
        {"outcome": "archived", "payload": {"kvittering": "<arkivmeldingKvittering/>"}}))
    assert drop.collect_receipts("archive") == 1
    with scopes_disabled():
        message = ArchiveMessage.objects.get(message_id=folder.name)
        assert message.status == ArchiveMessage.Status.FAILED
        assert "invalid" in message.error
        assert message.delivery.status == ArchiveDelivery.Status.FAILED


def test_an_invalid_arkivmelding_fails_at_once_and_says_why(world, filedrop):
    relay = closed_relay(world, minutes=False)
    with scopes_disabled():
        ArchiveSettings.objects.update_or_create(municipality=world.fjordvik,
                                                 defaults={"class_id": ""})
    assert outbox.deliver_all()["failed"] == 1
    assert drop_folders(filedrop) == []  # nothing left
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == ArchiveDelivery.Status.FAILED
        assert "klasseID" in delivery.error
        assert "klasseID" in OutboxMessage.objects.get(key=f"archive:relay:{relay.pk}").last_error


def test_a_decided_worry_is_archived_as_its_own_case(world, filedrop):
    concern = closed_concern(world)
    outbox.deliver_all()
    assert len(drop_folders(filedrop)) == 2  # the worry and the decision
    answer(filedrop)
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="concern", source_id=concern.pk)
        assert delivery.status == ArchiveDelivery.Status.ARCHIVED


def test_a_worry_that_goes_on_into_a_relay_waits_for_the_relay(world):
    from stafett.concerns import actions as concern_actions
    from stafett.relay import actions
    from tests.concerns.helpers import make_concern
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = concern_actions.decide(actor, concern, version=concern.version,
                                         outcome="level1", reason="Vi går videre.")
        relay = actions.start_relay(actor, service=world.kindergarten, level=1,
                                    area_of_concern="Søvn.", concern=concern)
        concern.refresh_from_db()
        concern_actions.close_concern(actor, concern, version=concern.version,
                                      reason="Videre i stafettlogg.")
    with scopes_disabled():
        assert not OutboxMessage.objects.filter(key=f"archive:concern:{concern.pk}").exists()
        relay.refresh_from_db()
        # It is archived in the relay's folder when the relay closes.
        assert [r.kind for r in case.folder_for_relay(relay).registrations][:2] == [
            "worry", "decision"]


def test_a_worry_closed_without_a_decision_is_not_archived(world):
    from stafett.concerns import actions as concern_actions
    from tests.concerns.helpers import make_concern
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        concern_actions.close_concern(world.actor(world.teacher), concern,
                                      version=concern.version, reason="Feilregistrert.")
    with scopes_disabled():
        assert not OutboxMessage.objects.filter(channel="archive").exists()


def test_receipts_from_fiks_io_are_recorded_like_the_file_drops(world, filedrop, broker):  # noqa: F811
    """The archive's kvittering as Fiks IO delivers it (sealed, on the
    account's queue of the RabbitMQ on this machine), read by the real
    consumer and handed to the archive's own handler."""
    relay = closed_relay(world)
    outbox.deliver_all()
    with scopes_disabled():
        messages = list(ArchiveMessage.objects.select_related("delivery", "municipality"))
    for message in messages:
        xml = standin.kvittering_xml(message, case_year=2026, case_number=418)
        broker.publish("no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering",
                       body=sealed([("arkivmelding-kvittering.xml", xml)]),
                       reply_to=message.message_id)
    assert broker.consume() == {"handled": len(messages)}
    with scopes_disabled():
        delivery = ArchiveDelivery.objects.get(source="relay", source_id=relay.pk)
        assert delivery.status == ArchiveDelivery.Status.ARCHIVED
        assert delivery.archive_reference == "2026/418"
