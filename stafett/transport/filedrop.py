"""The file-drop transport: one folder per message, named by its id, under
STAFETT_FILEDROP_DIR/<record>/<municipality number>/, holding the parcel's
files and `melding.json` (its type, id, receiver and headers).

The folder is written under a temporary name and renamed into place, so a
receiver never sees half a message; a folder that is already there is the
same message delivered before (a retry after a crash), so nothing is
written twice. A receiver answers by writing `kvittering.json`
({"outcome": "received" | "failed" | "archived", "error": "...",
"payload": {...}}) into the folder; `collect_receipts` reads those.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from stafett import transport as _t

log = logging.getLogger(__name__)

RECEIPT = "kvittering.json"
HEADER = "melding.json"
OUTCOMES = {"received", "failed", "archived"}


def root() -> Path:
    return Path(settings.STAFETT_FILEDROP_DIR)


def folder_of(parcel: _t.Parcel) -> Path:
    return root() / parcel.record / parcel.municipality_number / str(parcel.message_id)


@_t.transport("filedrop")
def send(parcel: _t.Parcel) -> None:
    target = folder_of(parcel)
    if target.exists():
        return  # delivered before: the same id is the same message
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=target.parent))
        for name, content in parcel.files:
            if "/" in name or name.startswith("."):
                raise _t.TransportError(f"a file name in a parcel is plain: {name!r}",
                                        permanent=True)
            (staging / name).write_bytes(content)
        (staging / HEADER).write_text(json.dumps({
            "id": str(parcel.message_id), "type": parcel.message_type,
            "receiver": parcel.receiver, "headers": parcel.headers,
            "files": [name for name, _ in parcel.files],
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        for path in staging.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        try:
            staging.rename(target)
        except OSError:
            if not target.exists():
                raise
            shutil.rmtree(staging, ignore_errors=True)  # another worker was first
    except OSError as error:  # a full or read-only disk: nothing was delivered
        raise _t.TransportError(f"{type(error).__name__}: {error}") from error


def collect_receipts(record: str) -> int:
    """Dispatch every receipt a receiver has written for `record` messages
    and not yet handed on; returns how many were handled.

    A receipt is marked handed on (`kvittering.behandlet`) only after the
    handler's transaction committed; a crash in between hands it on again
    next time, so handlers are idempotent (docs/transport.md). One that
    cannot be read is set aside as `kvittering.feil` with the reason."""
    handled = 0
    base = root() / record
    if not base.exists():
        return 0
    for receipt_path in sorted(base.glob(f"*/*/{RECEIPT}")):
        done = receipt_path.with_suffix(".behandlet")
        refused = receipt_path.with_suffix(".feil")
        if done.exists() or refused.exists():
            continue
        try:
            header = json.loads((receipt_path.parent / HEADER).read_text(encoding="utf-8"))
            data = json.loads(receipt_path.read_text(encoding="utf-8"))
            outcome = str(data.get("outcome", ""))
            if outcome not in OUTCOMES:
                raise ValueError(f"outcome is one of {sorted(OUTCOMES)}, not {outcome!r}")
            payload = data.get("payload") or {}
            if not isinstance(payload, dict):
                raise ValueError("payload is an object")
            receipt = _t.Receipt(
                in_reply_to=uuid.UUID(header["id"]), message_type=header["type"] + ".kvittering",
                outcome=outcome, error=str(data.get("error", ""))[:500], payload=payload,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("file-drop receipt %s refused: %s", receipt_path, error)
            refused.write_text(f"{type(error).__name__}: {error}\n", encoding="utf-8")
            continue
        with transaction.atomic():
            known = _t.dispatch(receipt)
        if known:
            done.write_text("", encoding="utf-8")
            handled += 1
    return handled
