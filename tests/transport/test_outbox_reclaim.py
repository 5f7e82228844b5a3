"""A worker that dies between sending a record and marking it: on an
idempotent channel the claim is taken again once it has timed out and the
record is sent again, and the receiver (here the file drop, which keeps
the first folder of a message id) has it exactly once. An e-mail claimed
and never marked is not sent again by itself."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett import transport
from stafett.notify import channels, outbox
from stafett.notify.models import OutboxMessage

RECORD = "test_record"


@pytest.fixture
def record_channel(monkeypatch, filedrop):
    """A record channel as the report and archive apps register theirs: the
    parcel's id is fixed by the row, so every attempt is the same message."""
    sends = []

    def deliver(message):
        sends.append(message.pk)
        transport.send(transport.Parcel(
            message_id=uuid.uuid5(uuid.NAMESPACE_URL, f"stafett:test-record:{message.key}"),
            message_type="no.ks.fiks.bekymringsmelding.offentlig.v2", record="report",
            municipality_number=message.municipality.number, receiver="barnevern",
            files=(("bekymringsmelding.json", f'{{"attempt": {len(sends)}}}'.encode()),),
        ))

    monkeypatch.setitem(channels.CHANNELS, RECORD, deliver)
    monkeypatch.setattr(channels, "IDEMPOTENT", channels.IDEMPOTENT | {RECORD})
    return sends


def later(monkeypatch, seconds):
    moved = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def rows():
    with scopes_disabled():
        return list(OutboxMessage.objects.order_by("pk"))


def test_a_timed_out_record_claim_is_sent_again_and_arrives_once(world, record_channel,
                                                                 filedrop, monkeypatch):
    with transaction.atomic():
        assert outbox.post_record(RECORD, key="report:1", municipality=world.fjordvik,
                                  params={"report": 1})
    # A worker claims it, sends it, and dies before it can mark it sent.
    (claimed,) = outbox.claim("died-after-sending", 10)
    channels.get(RECORD)(claimed)
    assert outbox.deliver("w") == {}  # still within its claim: nobody touches it

    later(monkeypatch, settings.STAFETT_OUTBOX_CLAIM_TIMEOUT + 1)
    assert outbox.deliver("w") == {"sent": 1}
    (row,) = rows()
    assert (row.state, row.attempts, row.claimed_by) == ("sent", 2, "w")
    assert record_channel == [row.pk, row.pk]  # sent twice ...
    folders = list((filedrop / "report" / "9901").iterdir())
    assert len(folders) == 1  # ... and there once, as first delivered
    assert (folders[0] / "bekymringsmelding.json").read_bytes() == b'{"attempt": 1}'
    assert not [problem for problem, m in outbox.needs_attention() if m.pk == row.pk]


def test_a_timed_out_email_claim_is_not_sent_again(world, record_channel, monkeypatch):
    with scope(municipality=world.fjordvik), transaction.atomic():
        world.leader.email = "leif@fjordvik.invalid"
        world.leader.save(update_fields=["email"])
        outbox.tell(world.leader, "meeting_invited", municipality=world.fjordvik)
    (claimed,) = outbox.claim("died-mid-send", 10)
    assert claimed.channel == "email"

    later(monkeypatch, settings.STAFETT_OUTBOX_CLAIM_TIMEOUT + 1)
    assert outbox.deliver("w") == {}
    (row,) = rows()
    assert (row.state, row.attempts, row.claimed_by) == ("sending", 1, "died-mid-send")
    assert [problem for problem, m in outbox.needs_attention() if m.pk == row.pk] == ["uncertain"]
