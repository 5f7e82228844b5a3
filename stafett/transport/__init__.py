"""How records leave Stafett for another system, and how their receipts come
back.

A `Parcel` is one message: an id fixed for the record (the receiver drops a
second copy with the same id, which makes a retried delivery arrive exactly
once), a message type of the receiving protocol, and its files. `send`
hands it to the transport the deployment chose for that kind of record:

- "filedrop" (the default in development and the demo): one folder per
  message under STAFETT_FILEDROP_DIR, written atomically;
- "fiksio": KS Fiks IO, built to its published protocol (fiksio.py).

Receipts (the receiver's "received" or "failed", an archive's receipt)
arrive later and by another road; each is handed to the handler the owning
app registered for its message type (`on_receipt`), which records it on the
report or archive delivery. This module knows no app above it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Parcel:
    message_id: uuid.UUID
    # The protocol's message type, e.g. "no.ks.fiks.bekymringsmelding.offentlig.v2" or
    # "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett".
    message_type: str
    # Which record kind this is ("report", "archive"): picks the transport.
    record: str
    # The municipality that sends it (its number) and the receiver's address
    # in the transport (a Fiks IO account id; a folder name for a file drop).
    municipality_number: str
    receiver: str
    # (file name, content) in the order the receiver expects them.
    files: tuple[tuple[str, bytes], ...]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    # The id of the parcel it answers.
    in_reply_to: uuid.UUID
    message_type: str
    # "received", "failed" (the receiver's message in `error`) or, for an
    # archive, "archived" with the archive's own ids in `payload`.
    outcome: str
    error: str = ""
    payload: dict = field(default_factory=dict)


class TransportError(Exception):
    """Nothing was delivered (safe to try again unless `permanent`)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


TRANSPORTS: dict[str, Callable[[Parcel], None]] = {}
RECEIPT_HANDLERS: dict[str, Callable[[Receipt], None]] = {}


def transport(name: str):
    def register(function):
        TRANSPORTS[name] = function
        return function
    return register


def send(parcel: Parcel) -> None:
    """Deliver `parcel` by the transport configured for its record kind.
    Returns when the receiving side has it; raises TransportError when it
    knows nothing was delivered; anything else means it cannot know."""
    name = settings.STAFETT_TRANSPORTS.get(parcel.record, "filedrop")
    try:
        function = TRANSPORTS[name]
    except KeyError:
        raise TransportError(f"unknown transport {name!r}", permanent=True) from None
    function(parcel)


def on_receipt(message_type_prefix: str, handler: Callable[[Receipt], None]) -> None:
    """Call `handler` for every receipt whose type starts with the prefix
    (an app registers this from its AppConfig.ready)."""
    RECEIPT_HANDLERS[message_type_prefix] = handler


def dispatch(receipt: Receipt) -> bool:
    """Hand a receipt to its handler; False when no handler knows its type."""
    for prefix, handler in sorted(RECEIPT_HANDLERS.items(), key=lambda item: -len(item[0])):
        if receipt.message_type.startswith(prefix):
            handler(receipt)
            return True
    return False


# The transports register themselves on import.
from stafett.transport import fiksio, filedrop  # noqa: E402,F401
