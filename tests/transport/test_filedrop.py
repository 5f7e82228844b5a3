"""The file-drop transport: a folder per message, written whole or not at
all, once however often it is sent; receipts written by the receiver reach
the handler registered for their type."""

import json
import uuid

import pytest

from stafett import transport
from stafett.transport import filedrop as drop


def parcel(**kwargs):
    return transport.Parcel(**{
        "message_id": uuid.UUID("6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"),
        "message_type": "no.ks.fiks.bekymringsmelding.offentlig.v2", "record": "report",
        "municipality_number": "9901", "receiver": "barnevern-9901",
        "files": (("bekymringsmelding.json", b'{"a": 1}'), ("bekymringsmelding.pdf", b"%PDF-1.7")),
    } | kwargs)


def test_a_message_is_one_folder_with_its_files(filedrop):
    transport.send(parcel())
    folder = filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"
    assert sorted(p.name for p in folder.iterdir()) == [
        "bekymringsmelding.json", "bekymringsmelding.pdf", "melding.json"]
    assert (folder / "bekymringsmelding.pdf").read_bytes() == b"%PDF-1.7"
    header = json.loads((folder / "melding.json").read_text())
    assert header["type"] == "no.ks.fiks.bekymringsmelding.offentlig.v2"
    assert header["files"] == ["bekymringsmelding.json", "bekymringsmelding.pdf"]
    # Nothing half-written is left beside it.
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_sending_again_leaves_the_first_delivery_as_it_was(filedrop):
    transport.send(parcel())
    transport.send(parcel(files=(("bekymringsmelding.json", b'{"changed": true}'),)))
    folder = filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"
    assert (folder / "bekymringsmelding.json").read_bytes() == b'{"a": 1}'


def test_a_file_name_with_a_path_is_refused(filedrop):
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel(files=(("../x.json", b"{}"),)))
    assert refused.value.permanent
    assert not (filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10").exists()


def test_a_disk_that_cannot_be_written_is_a_retryable_failure(filedrop):
    filedrop.parent.mkdir(parents=True, exist_ok=True)
    filedrop.write_text("not a folder")
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel())
    assert not refused.value.permanent


def test_receipts_reach_their_handler_once(filedrop, monkeypatch, db):
    seen = []
    monkeypatch.setattr(transport, "RECEIPT_HANDLERS", {})
    transport.on_receipt("no.ks.fiks.bekymringsmelding", seen.append)
    transport.send(parcel())
    folder = filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"
    (folder / "kvittering.json").write_text(json.dumps({"outcome": "failed", "error": "Ukjent mottaker"}))
    assert filedrop_receipts() == 1
    assert filedrop_receipts() == 0
    [receipt] = seen
    assert (receipt.in_reply_to, receipt.outcome, receipt.error) == (
        uuid.UUID("6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"), "failed", "Ukjent mottaker")


def filedrop_receipts():
    return drop.collect_receipts("report")


def test_run_followup_collects_the_receipts_so_the_case_shows_received(filedrop, monkeypatch, db):
    from io import StringIO

    from django.core.management import call_command

    seen = []
    monkeypatch.setattr(transport, "RECEIPT_HANDLERS", {})
    transport.on_receipt("no.ks.fiks.bekymringsmelding", seen.append)
    transport.send(parcel())
    folder = filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"
    (folder / "kvittering.json").write_text(json.dumps({"outcome": "received"}))
    out = StringIO()
    call_command("run_followup", "--now", stdout=out)
    assert "file-drop receipts: {'archive': 0, 'report': 1}" in out.getvalue()
    assert [r.outcome for r in seen] == ["received"]


@pytest.mark.parametrize("written", ['{"outcome": "maybe"}', "not json", '{"outcome": "failed", "payload": [1]}'])
def test_a_receipt_that_cannot_be_read_is_set_aside_with_the_reason(filedrop, monkeypatch, db, written):
    seen = []
    monkeypatch.setattr(transport, "RECEIPT_HANDLERS", {})
    transport.on_receipt("no.ks.fiks.bekymringsmelding", seen.append)
    transport.send(parcel())
    folder = filedrop / "report" / "9901" / "6f1c1b7e-3c55-4d8e-9a51-7f0d9e2b1a10"
    (folder / "kvittering.json").write_text(written)
    assert filedrop_receipts() == 0
    assert (folder / "kvittering.feil").read_text().strip()
    assert filedrop_receipts() == 0 and seen == []
