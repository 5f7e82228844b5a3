"""Receipts consumed from a real RabbitMQ (127.0.0.1:5672, guest/guest):
messages built as Fiks IO delivers them are published to a queue of the
test's own, the consumer reads them, hands each receipt to its handler and
acknowledges it only after the handler's transaction committed. Unknown
types are acknowledged and left; malformed ones are rejected to the
dead-letter queue; a failing handler's receipt comes back."""

import json
import os
import uuid

import pika
import pika.exceptions
import pytest
from django.contrib.auth.models import Group

from stafett import transport
from stafett.transport import asice, consumer

from .keys import party

BROKER = pika.ConnectionParameters(
    host="127.0.0.1", port=5672, credentials=pika.PlainCredentials("guest", "guest"),
    connection_attempts=1, socket_timeout=5, blocked_connection_timeout=10)
REPORT_ID = uuid.UUID("8a3c3d59-2f4e-4f5c-9a84-3f1f7c9b0a11")
ARCHIVE_ID = uuid.UUID("0c6e1f0a-5b7d-4a7c-8f7e-2b6d4e9a1c22")
CHILD_WELFARE = uuid.UUID("11111111-2222-4333-8444-555555555555")


def us():
    return party("Stafett Fiks IO-konto")


def them():
    return party("Barneverntjenesten fagsystem")


@pytest.fixture
def broker():
    """A queue of this test's own, with a dead-letter queue; both deleted after."""
    try:
        connection = pika.BlockingConnection(BROKER)
    except pika.exceptions.AMQPConnectionError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"RabbitMQ must run in CI (.ci/run starts it): {error}")
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    channel = connection.channel()
    channel.confirm_delivery()  # a publish returns when the broker has it
    queue = f"stafett-test-{uuid.uuid4()}"
    channel.queue_declare(f"{queue}.dlq")
    channel.queue_declare(queue, arguments={"x-dead-letter-exchange": "",
                                            "x-dead-letter-routing-key": f"{queue}.dlq"})
    yield Broker(channel, queue)
    channel.queue_delete(queue)
    channel.queue_delete(f"{queue}.dlq")
    connection.close()


class Broker:
    def __init__(self, channel, queue):
        self.channel = channel
        self.queue = queue

    def publish(self, message_type=None, *, body=b"", reply_to=REPORT_ID, correlation=True,
                **extra_headers):
        """A message as Fiks IO delivers it: its headers, and the sealed
        container (or nothing) as the body."""
        headers = {"melding-id": str(uuid.uuid4()), "avsender-id": str(CHILD_WELFARE),
                   "svar-til": str(uuid.uuid4())}
        if message_type:
            headers["type"] = message_type
        if correlation:
            headers["egendefinert-header.klientKorrelasjonsId"] = str(reply_to)
        headers.update(extra_headers)
        headers = {k: v for k, v in headers.items() if v is not None}
        self.channel.basic_publish("", self.queue, body, pika.BasicProperties(
            headers=headers, delivery_mode=2))
        return headers

    def count(self, queue=None) -> int:
        return self.channel.queue_declare(queue or self.queue, passive=True).method.message_count

    def dead(self) -> int:
        return self.count(f"{self.queue}.dlq")

    def consume(self, **kwargs):
        return consumer.ReceiptConsumer(BROKER, self.queue, key=us().key,
                                        certificate=us().certificate).run(idle_timeout=1, **kwargs)


def sealed(files):
    return asice.seal(files, key=them().key, certificate=them().certificate,
                      receiver=us().certificate)


@pytest.fixture
def seen(monkeypatch):
    received = []
    monkeypatch.setattr(transport, "RECEIPT_HANDLERS", {})
    transport.on_receipt("no.ks.fiks.bekymringsmelding", received.append)
    transport.on_receipt("no.ks.fiks.arkiv.v1", received.append)
    return received


KVITTERING = b"""<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1">
  <mappeKvittering><systemID>6b1f0a44-9a7e-4c5e-8d32-0c0d5e0f1a01</systemID>
    <mappeID>2026/123</mappeID><opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende></mappeKvittering>
  <registreringKvittering><systemID>6b1f0a44-9a7e-4c5e-8d32-0c0d5e0f1a02</systemID>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende></registreringKvittering>
</arkivmeldingKvittering>"""

FEILMELDING = b"""<?xml version="1.0" encoding="utf-8"?>
<ugyldigforespoersel xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feilmelding/ugyldigforespoersel/v1">
  <feilId>9f1c</feilId><feilmelding>Klassifikasjon finnes ikke</feilmelding></ugyldigforespoersel>"""


def test_receipts_reach_their_handlers_and_are_acknowledged(broker, seen, db):
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1")
    broker.publish("no.ks.fiks.bekymringsmelding.feilet.v1", body=sealed(
        [("feilmelding.json", json.dumps({"melding": "Ukjent mottaker i kommunen"}).encode())]))
    broker.publish("no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.mottatt", reply_to=ARCHIVE_ID)
    broker.publish("no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering",
                   reply_to=ARCHIVE_ID, body=sealed([("arkivmelding-kvittering.xml", KVITTERING)]))
    broker.publish("no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel", reply_to=ARCHIVE_ID,
                   body=sealed([("feilmelding.xml", FEILMELDING)]))
    assert broker.count() == 5

    assert broker.consume() == {"handled": 5}
    assert broker.count() == 0 and broker.dead() == 0
    assert [(r.in_reply_to, r.outcome, r.error) for r in seen] == [
        (REPORT_ID, "received", ""),
        (REPORT_ID, "failed", "Ukjent mottaker i kommunen"),
        (ARCHIVE_ID, "received", ""),
        (ARCHIVE_ID, "archived", ""),
        (ARCHIVE_ID, "failed", "Klassifikasjon finnes ikke"),
    ]
    assert "2026/123" in seen[3].payload.pop("kvittering")  # the XML itself, for the archive app
    assert seen[3].payload == {
        "mappe": {"systemID": "6b1f0a44-9a7e-4c5e-8d32-0c0d5e0f1a01", "mappeID": "2026/123",
                  "opprettetEllerEksisterende": "Opprettet"},
        "registrering": {"systemID": "6b1f0a44-9a7e-4c5e-8d32-0c0d5e0f1a02",
                         "opprettetEllerEksisterende": "Opprettet"}}
    assert seen[1].message_type == "no.ks.fiks.bekymringsmelding.feilet.v1"


def test_without_a_correlation_id_the_receipt_answers_the_fiks_message_id(broker, seen, db):
    fiks_id = uuid.uuid4()
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1", correlation=False,
                   **{"svar-til": str(fiks_id)})
    assert broker.consume() == {"handled": 1}
    assert seen[0].in_reply_to == fiks_id


def test_an_unknown_type_is_acknowledged_and_left_alone(broker, seen, db):
    broker.publish("no.ks.fiks.plan.v2.oppdatering")
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1")
    assert broker.consume() == {"unknown": 1, "handled": 1}
    assert broker.count() == 0 and broker.dead() == 0
    assert [r.outcome for r in seen] == ["received"]


def test_malformed_messages_are_rejected_to_the_dead_letter_queue(broker, seen, db):
    broker.publish(None)  # no type
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1", **{"melding-id": "ikke-en-uuid"})
    broker.publish("no.ks.fiks.bekymringsmelding.feilet.v1", body=b"not a container")
    # Sealed for someone else: we cannot open it.
    broker.publish("no.ks.fiks.bekymringsmelding.feilet.v1", body=asice.seal(
        [("feilmelding.json", b"{}")], key=them().key, certificate=them().certificate,
        receiver=party("Noen andre").certificate))
    # Opened, but changed after it was signed.
    container = asice.build([("feilmelding.json", b'{"melding": "x"}')], key=them().key,
                            certificate=them().certificate)
    tampered = container.replace(b'{"melding": "x"}', b'{"melding": "y"}')
    if tampered == container:  # the file is compressed: change it in the zip instead
        from .test_asice import rezip
        tampered = rezip(container, lambda name, data: b'{"melding": "y"}'
                         if name == "feilmelding.json" else data)
    broker.publish("no.ks.fiks.bekymringsmelding.feilet.v1",
                   body=asice.encrypt(tampered, us().certificate))
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1", correlation=False,
                   **{"svar-til": None})  # answers nothing
    assert broker.consume() == {"rejected": 6}
    assert broker.count() == 0
    assert broker.dead() == 6
    assert seen == []


def test_a_failing_handler_leaves_the_receipt_for_later_and_nothing_half_done(
        broker, monkeypatch, db):
    """The handler's writes and the acknowledgement go together: a handler
    that fails after writing leaves no row and the receipt in the queue;
    the next run handles it."""
    attempts = []

    def handler(receipt):
        attempts.append(receipt)
        Group.objects.create(name=f"receipt {receipt.in_reply_to}")
        if len(attempts) == 1:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(transport, "RECEIPT_HANDLERS", {})
    transport.on_receipt("no.ks.fiks.bekymringsmelding", handler)
    broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1")

    assert broker.consume() == {"requeued": 1}
    assert not Group.objects.filter(name=f"receipt {REPORT_ID}").exists()
    assert broker.count() == 1

    assert broker.consume() == {"handled": 1}
    assert Group.objects.filter(name=f"receipt {REPORT_ID}").count() == 1
    assert broker.count() == 0
    assert len(attempts) == 2


def test_max_messages_stops_early_and_leaves_the_rest(broker, seen, db):
    for _ in range(3):
        broker.publish("no.ks.fiks.bekymringsmelding.mottatt.v1")
    assert broker.consume(max_messages=2) == {"handled": 2}
    assert broker.count() == 1
    assert broker.consume() == {"handled": 1}
    assert len(seen) == 3
