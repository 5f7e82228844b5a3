"""Delivering a closed case to the municipality's archive, exactly once, and
recording the archive's receipts.

The relay's and the worry's close actions queue a record on the "archive"
channel in their own transaction (`outbox.post_record("archive",
key="archive:relay:<id>")`); the outbox worker calls `deliver` below. It

1. get-or-creates the case's ArchiveDelivery (its message id is fixed then;
   every retry derives the same message ids from it);
2. builds the folder (case.py), one arkivmelding per registration with its
   PDF/A, and validates every one against the schema before any is sent (an
   invalid message fails the delivery permanently, with the schema's words
   recorded on it);
3. records one ArchiveMessage per registration, then sends each as a Parcel
   (`transport.send`: the file drop by default, Fiks IO when configured);
4. marks the delivery sent and audits the disclosure (duty to archive).

The channel is idempotent: a worker that dies between 3 and the outbox's
mark is followed by another that sends the same messages again, and the
receiver (the file drop, Fiks IO) drops what it already has.

The archive answers each message with a kvittering (its XML per
`…opprett.kvittering.xsd`), handed to `record_receipt` by the transport.
"""

from __future__ import annotations

import logging
import uuid
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett import transport
from stafett.audit.log import record
from stafett.audit.models import LegalBasis
from stafett.concerns.models import Concern
from stafett.notify.channels import Cancelled, NotSent, channel
from stafett.relay.models import Relay

from . import arkivmelding, case
from .models import ArchiveDelivery, ArchiveMessage, ArchiveSettings

log = logging.getLogger(__name__)

CHANNEL = "archive"
# The worker acts for the municipality, not for a person.
SYSTEM = SimpleNamespace(user=None)
KVITTERING_NS = ("https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/"
                 "arkivmelding/opprett/kvittering/v1")
FEIL_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"


def settings_for(municipality) -> ArchiveSettings:
    conf, _ = ArchiveSettings.objects.get_or_create(municipality=municipality)
    return conf


def message_id_for(delivery: ArchiveDelivery, registration: case.Registration) -> uuid.UUID:
    return uuid.uuid5(delivery.message_id, registration.system_id)


def _case(source: str, pk, municipality):
    if source == ArchiveDelivery.Source.RELAY:
        return (Relay.objects.filter(pk=pk, municipality=municipality, status=Relay.Status.CLOSED)
                .select_related("municipality", "child", "created_by", "closed_by",
                                "holder_service", "concern").first())
    if source == ArchiveDelivery.Source.CONCERN:
        return (Concern.objects.filter(pk=pk, municipality=municipality,
                                       status=Concern.Status.CLOSED)
                .select_related("municipality", "child", "author", "decided_by", "closed_by",
                                "service").first())
    return None


def _fail(delivery: ArchiveDelivery, error: str) -> None:
    ArchiveDelivery.objects.filter(pk=delivery.pk).exclude(
        status=ArchiveDelivery.Status.ARCHIVED).update(status=ArchiveDelivery.Status.FAILED,
                                                       error=error[:500])


@channel(CHANNEL, idempotent=True)
@scopes_disabled()
def deliver(message) -> None:
    params = message.params or {}
    source, pk = params.get("source"), params.get("id")
    obj = _case(source, pk, message.municipality)
    if obj is None:
        raise Cancelled("nothing to archive: no closed case with that id")
    delivery, _ = ArchiveDelivery.objects.get_or_create(
        source=source, source_id=obj.pk,
        defaults={"municipality": obj.municipality, "queued_at": message.created_at},
    )
    if delivery.status == ArchiveDelivery.Status.ARCHIVED:
        return  # the archive has it all
    folder = case.folder_for_relay(obj) if source == "relay" else case.folder_for_concern(obj)
    conf = settings_for(obj.municipality)

    parcels = []
    try:
        for registration in folder.registrations:
            pdf = registration.document.render()
            xml = arkivmelding.build(folder, registration, conf, pdf=pdf)
            arkivmelding.validate(xml)
            parcels.append((registration, transport.Parcel(
                message_id=message_id_for(delivery, registration),
                message_type=arkivmelding.MESSAGE_TYPE, record=CHANNEL,
                municipality_number=obj.municipality.number, receiver=conf.receiver,
                files=((arkivmelding.FILENAME, xml), (registration.document.filename, pdf)),
                headers={"klientMeldingId": str(delivery.message_id)},
            )))
    except arkivmelding.InvalidArkivmelding as error:
        _fail(delivery, f"arkivmelding: {error}")
        raise NotSent(f"arkivmelding: {error}", permanent=True) from error

    now = timezone.now()
    with transaction.atomic():
        done = set(delivery.messages.filter(status=ArchiveMessage.Status.ARCHIVED)
                   .values_list("registration_id", flat=True))
        for registration, parcel in parcels:
            ArchiveMessage.objects.get_or_create(
                delivery=delivery, registration_id=uuid.UUID(registration.system_id),
                defaults={"municipality": obj.municipality, "kind": registration.kind,
                          "message_id": parcel.message_id, "sent_at": now})
    for registration, parcel in parcels:
        if uuid.UUID(registration.system_id) in done:
            continue
        try:
            transport.send(parcel)
        except transport.TransportError as error:
            if error.permanent:
                _fail(delivery, f"transport: {error}")
            else:
                ArchiveDelivery.objects.filter(pk=delivery.pk).update(error=str(error)[:500])
            raise NotSent(str(error), permanent=error.permanent) from error

    with transaction.atomic():
        ArchiveDelivery.objects.filter(
            pk=delivery.pk, status__in=[ArchiveDelivery.Status.QUEUED,
                                        ArchiveDelivery.Status.FAILED],
        ).update(status=ArchiveDelivery.Status.SENT, sent_at=timezone.now(), error="")
        record(SYSTEM, "archive", obj, legal_basis=LegalBasis.DUTY_TO_ARCHIVE,
               child_id=obj.child_id, item=delivery)
    _settle(delivery.pk)


# --- receipts -------------------------------------------------------------------


def parse_kvittering(xml: bytes | str) -> dict:
    """What an arkivmelding kvittering says: {"ok": bool, "reference": the
    archive's case number (saksaar/sakssekvensnummer) or folder id, "error":
    the archive's message}. Raises InvalidArkivmelding when it does not
    validate against the receipt's schema."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    root = arkivmelding.validate(xml, arkivmelding.KVITTERING_XSD)

    def find(path):
        return root.find(path.replace("k:", f"{{{KVITTERING_NS}}}"))

    failures = []
    for name in ("k:mappeFeilet", "k:registreringFeilet"):
        node = find(name)
        if node is not None:
            failures.append(node.findtext(f"{{{FEIL_NS}}}feilmelding") or "")
    if failures:
        return {"ok": False, "reference": "", "error": " ".join(failures)}
    folder = find("k:mappeKvittering")
    reference = ""
    if folder is not None:
        year = folder.findtext(f"{{{KVITTERING_NS}}}saksaar")
        number = folder.findtext(f"{{{KVITTERING_NS}}}sakssekvensnummer")
        reference = (f"{year}/{number}" if year and number
                     else folder.findtext(f"{{{KVITTERING_NS}}}mappeID")
                     or folder.findtext(f"{{{KVITTERING_NS}}}systemID") or "")
    post = find("k:registreringKvittering")
    post_reference = ""
    if post is not None:
        post_reference = (post.findtext(f"{{{KVITTERING_NS}}}registreringsID")
                          or post.findtext(f"{{{KVITTERING_NS}}}systemID") or "")
    return {"ok": True, "reference": reference, "registration": post_reference, "error": ""}


def _receipt_xml(receipt: transport.Receipt):
    # The Fiks IO transport and the file drop both hand the archive's XML
    # over in the payload.
    xml = receipt.payload.get("kvittering") if isinstance(receipt.payload, dict) else None
    return xml or None


@scopes_disabled()
def record_receipt(receipt: transport.Receipt) -> None:
    """The archive's answer to one arkivmelding."""
    with transaction.atomic():
        message = (ArchiveMessage.objects.select_for_update()
                   .filter(message_id=receipt.in_reply_to).first())
        if message is None:
            log.warning("an archive receipt for an unknown message %s", receipt.in_reply_to)
            return
        if receipt.message_type.endswith(".mottatt"):
            return  # taken in; the kvittering follows
        now = timezone.now()
        xml = _receipt_xml(receipt)
        if xml is not None:
            try:
                answer = parse_kvittering(xml)
            except arkivmelding.InvalidArkivmelding as error:
                answer = {"ok": False, "reference": "",
                          "error": f"the archive's receipt is invalid: {error}"}
        elif receipt.outcome in ("archived", "received") and not receipt.error:
            answer = {"ok": True, "reference": str(receipt.payload.get("reference", "")),
                      "error": ""}
        else:
            answer = {"ok": False, "reference": "",
                      "error": receipt.error or f"the archive answered {receipt.outcome!r}"}
        if answer["ok"]:
            message.status = ArchiveMessage.Status.ARCHIVED
            message.archive_reference = (answer.get("registration") or answer["reference"])[:200]
            message.error = ""
            if answer["reference"]:
                ArchiveDelivery.objects.filter(pk=message.delivery_id).update(
                    archive_reference=answer["reference"][:200])
        else:
            message.status = ArchiveMessage.Status.FAILED
            message.error = answer["error"][:500]
        message.receipt_at = now
        message.save(update_fields=["status", "archive_reference", "error", "receipt_at"])
    _settle(message.delivery_id)


transport.on_receipt(arkivmelding.MESSAGE_TYPE, record_receipt)


def _settle(delivery_id: int) -> None:
    """The delivery's status from its messages: archived when the archive
    has taken every one, failed (with the archive's words) when it refused
    one."""
    with transaction.atomic():
        delivery = ArchiveDelivery.objects.select_for_update().get(pk=delivery_id)
        statuses = list(delivery.messages.values_list("status", "error"))
        if not statuses or delivery.status == ArchiveDelivery.Status.QUEUED:
            return
        failed = [error for status, error in statuses if status == ArchiveMessage.Status.FAILED]
        if failed:
            delivery.status, delivery.error = ArchiveDelivery.Status.FAILED, failed[0][:500]
        elif all(status == ArchiveMessage.Status.ARCHIVED for status, _ in statuses):
            delivery.status, delivery.error = ArchiveDelivery.Status.ARCHIVED, ""
            delivery.archived_at = delivery.archived_at or timezone.now()
        else:
            return
        delivery.save(update_fields=["status", "error", "archived_at"])
