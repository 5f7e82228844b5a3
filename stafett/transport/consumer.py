"""Receipts from Fiks IO: the consumer of the account's AMQP queue
(`fiksio.konto.<account id>`), run by `manage.py fiks_receipts`.

Each delivery is one Fiks IO message: its AMQP headers say what it is
(`type`, `melding-id`, `avsender-id`, `svar-til`, and the sender's custom
headers as `egendefinert-header.<name>`), its body is the sealed container
(asice.py) or empty (a receipt that says only "received"). It becomes a
`Receipt` and goes to `transport.dispatch`, inside a transaction of ours:
the handler's writes commit before the delivery is acknowledged, so a crash
in between means the broker delivers it again. A receipt can therefore be
handled twice, and every handler must be idempotent: recording "received"
on a report that already has it, or the same archive reference again,
changes nothing.

What cannot be handled is never left to block the queue:

- a message type no app handles: acknowledged and logged (type and id);
- a message that is malformed (headers missing, not decryptable, a
  container that fails its checks): rejected without requeue, so the
  broker dead-letters it if the queue has a dead-letter exchange, and
  logged;
- a handler that fails (the database is down): negatively acknowledged
  with requeue, and the consumer stops, to be started again after a pause
  (the management command does that), so the receipt is tried again later.
"""

from __future__ import annotations

import json
import logging
import ssl
import uuid
from collections import Counter
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pika
from django.db import transaction

from stafett import transport as _t
from stafett.transport import asice, fiksio

log = logging.getLogger(__name__)

REPORT_RECEIVED = "no.ks.fiks.bekymringsmelding.mottatt.v1"
REPORT_FAILED = "no.ks.fiks.bekymringsmelding.feilet.v1"
ARCHIVE_RECEIVED = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.mottatt"
ARCHIVE_RECEIPT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
ARCHIVE_ERRORS = "no.ks.fiks.arkiv.v1.feilmelding."
OUTCOMES = {
    REPORT_RECEIVED: "received",
    REPORT_FAILED: "failed",
    ARCHIVE_RECEIVED: "received",
    ARCHIVE_RECEIPT: "archived",
}


def outcome_of(message_type: str) -> str | None:
    if message_type.startswith(ARCHIVE_ERRORS):
        return "failed"  # ugyldigforespoersel, ikkefunnet, serverfeil
    return OUTCOMES.get(message_type)


class Malformed(ValueError):
    """A delivery that is not a Fiks IO message we can read."""


class UnknownType(ValueError):
    """A Fiks IO message of a type no receipt is."""


def _uuid(value: str | None, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Malformed(f"{what} is not a UUID: {value!r}") from None


def _json_message(files) -> str:
    for name, content in files:
        if name.lower().endswith(".json"):
            try:
                data = json.loads(content.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as error:
                raise Malformed(f"{name} is not JSON") from error
            if isinstance(data, dict) and isinstance(data.get("melding"), str):
                return data["melding"]
    return ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(files):
    for name, content in files:
        if name.lower().endswith(".xml"):
            if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
                raise Malformed("XML with a document type is refused")
            try:
                return ET.fromstring(content)
            except ET.ParseError as error:
                raise Malformed(f"{name} is not XML") from error
    return None


def _error_text(element) -> str:
    for child in element.iter():
        if _local(child.tag) == "feilmelding" and child.text and child.text.strip():
            return child.text.strip()
    return ""


def _fields(element) -> dict:
    # The archive's own ids for what it made: top-level text values only.
    return {_local(child.tag): child.text.strip()[:200] for child in element
            if child.text and child.text.strip() and len(child) == 0}


def read_archive_receipt(files) -> tuple[str, str, dict]:
    root = _xml(files)
    if root is None:
        raise Malformed("an archive receipt without its XML")
    # The archive's XML itself too: the archive app validates it against the
    # receipt's XSD and reads its references (the file drop hands it on alike).
    xml = next(content for name, content in files if name.lower().endswith(".xml"))
    outcome, error, payload = "archived", "", {"kvittering": xml.decode("utf-8", "replace")}
    for child in root:
        name = _local(child.tag)
        if name in ("mappeFeilet", "registreringFeilet"):
            outcome, error = "failed", _error_text(child) or name
        elif name in ("mappeKvittering", "registreringKvittering"):
            payload[name.removesuffix("Kvittering")] = _fields(child)
    return outcome, error, payload


def to_receipt(headers: dict, body: bytes, *, key, certificate=None,
               require_signature: bool = False) -> _t.Receipt:
    """The receipt a delivered Fiks IO message carries. Raises Malformed or
    UnknownType."""
    message_type = fiksio.header(headers, fiksio.HEADER_TYPE)
    message_id = fiksio.header(headers, fiksio.HEADER_MESSAGE_ID)
    if not message_type or not message_id:
        raise Malformed("the headers type and melding-id are required")
    _uuid(message_id, "melding-id")
    _uuid(fiksio.header(headers, fiksio.HEADER_SENDER), "avsender-id")
    outcome = outcome_of(message_type)
    if outcome is None:
        raise UnknownType(message_type)
    # Our parcel's id comes back as the correlation id KS's clients copy into
    # every reply; without it, the Fiks IO id the reply answers.
    correlation = (fiksio.custom_header(headers, fiksio.CORRELATION_ID)
                   or fiksio.custom_header(headers, fiksio.CORRELATION_ID_OLD))
    try:
        in_reply_to = uuid.UUID(correlation) if correlation else None
    except ValueError:
        in_reply_to = None
    if in_reply_to is None:
        in_reply_to = _uuid(fiksio.header(headers, fiksio.HEADER_REPLY_TO), "svar-til")
    if fiksio.header(headers, fiksio.HEADER_DOCUMENT_STORE):
        # Large payloads wait in Fiks's document store; a receipt never is one.
        raise Malformed("a receipt whose payload is in the document store")
    files: tuple = ()
    if body:
        try:
            files = asice.open_sealed(body, key=key, certificate=certificate,
                                      require_signature=require_signature).files
        except asice.ContainerError as error:
            raise Malformed(f"the container: {error}") from error
    error, payload = "", {}
    if message_type == REPORT_FAILED:
        error = _json_message(files) or "feilet"
    elif message_type.startswith(ARCHIVE_ERRORS):
        root = _xml(files)
        error = (_error_text(root) if root is not None else "") or message_type.rsplit(".", 1)[-1]
    elif message_type == ARCHIVE_RECEIPT:
        outcome, error, payload = read_archive_receipt(files)
    return _t.Receipt(in_reply_to=in_reply_to, message_type=message_type, outcome=outcome,
                      error=error[:500], payload=payload)


# --- the consumer -----------------------------------------------------------------


def connection_parameters(cfg: fiksio.Config) -> pika.ConnectionParameters:
    """Fiks IO's broker: TLS, the integration id as user, and as password
    the integration password and a Maskinporten token, space-separated."""
    url = urlsplit(cfg.amqp_url)
    secure = url.scheme == "amqps"
    parameters = dict(
        host=url.hostname, port=url.port or (5671 if secure else 5672),
        credentials=pika.PlainCredentials(str(cfg.integration_id),
                                          f"{cfg.integration_password} {fiksio.maskinporten_token(cfg)}"),
        heartbeat=60, blocked_connection_timeout=300,
        client_properties={"connection_name": "Stafett"},
    )
    if secure:
        parameters["ssl_options"] = pika.SSLOptions(ssl.create_default_context(), url.hostname)
    return pika.ConnectionParameters(**parameters)


class ReceiptConsumer:
    def __init__(self, parameters: pika.ConnectionParameters, queue: str, *, key,
                 certificate=None, require_signature: bool = False):
        self.parameters = parameters
        self.queue = queue
        self.key = key
        self.certificate = certificate
        self.require_signature = require_signature

    def run(self, *, idle_timeout: float | None = None, max_messages: int | None = None) -> Counter:
        """Consume until the queue has been quiet for `idle_timeout` seconds
        (None: for ever), or `max_messages` were taken, or a handler failed.
        Returns counts: handled, unknown, rejected, requeued."""
        counts: Counter = Counter()
        connection = pika.BlockingConnection(self.parameters)
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=1)
            for method, properties, body in channel.consume(
                    self.queue, inactivity_timeout=idle_timeout):
                if method is None:
                    break  # quiet for idle_timeout
                outcome = self.handle(channel, method, properties, body)
                counts[outcome] += 1
                if outcome == "requeued" or (max_messages and sum(counts.values()) >= max_messages):
                    break
            channel.cancel()
        finally:
            if connection.is_open:
                connection.close()
        return counts

    def handle(self, channel, method, properties, body) -> str:
        headers = properties.headers or {}
        label = (fiksio.header(headers, fiksio.HEADER_TYPE),
                 fiksio.header(headers, fiksio.HEADER_MESSAGE_ID))
        try:
            receipt = to_receipt(headers, body, key=self.key, certificate=self.certificate,
                                 require_signature=self.require_signature)
        except UnknownType:
            log.warning("Fiks IO message of a type no receipt is: %s %s", *label)
            channel.basic_ack(method.delivery_tag)
            return "unknown"
        except Malformed as error:
            log.error("Fiks IO message refused: %s %s: %s", *label, error)
            channel.basic_reject(method.delivery_tag, requeue=False)
            return "rejected"
        try:
            # Ours, so the handler's writes have committed when we acknowledge.
            with transaction.atomic():
                known = _t.dispatch(receipt)
        except Exception:
            log.exception("Fiks IO receipt %s %s: the handler failed; it comes again", *label)
            channel.basic_nack(method.delivery_tag, requeue=True)
            return "requeued"
        if not known:
            log.warning("Fiks IO receipt with no handler: %s %s", *label)
        channel.basic_ack(method.delivery_tag)
        return "handled" if known else "unknown"
