"""A real SMTP server (aiosmtpd on 127.0.0.1) for the outbox tests, and the
follow-up tests' world (Helga at the health station, e-mail for everyone)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django_scopes import scope, scopes_disabled

from stafett.notify.models import Notice, OutboxMessage
from tests.followup.conftest import clock, world  # noqa: F401  (the same people)

ACCEPTED = "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """The server's side: every message that reached DATA (`received`) and
    those it answered 250 (`accepted`). `on_data(message, server)` may return
    another reply (e.g. "451 …") or act (kill the sender) before the reply."""

    def __init__(self):
        self.received: list = []
        self.accepted: list = []
        self.on_data = None
        self.on_rcpt = None
        self._lock = threading.Lock()
        self._handled = threading.Condition(self._lock)
        self.handled = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.on_rcpt:
            reply = self.on_rcpt(address)
            if reply:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)
        reply = self.on_data(message, server) if self.on_data else None
        reply = reply or ACCEPTED
        with self._lock:
            if reply.startswith("250"):
                self.accepted.append(message)
            self.handled += 1
            self._handled.notify_all()
        return reply

    def wait_handled(self, n: int, timeout: float = 30) -> None:
        """Until the handler has decided on `n` messages (another thread
        may have seen the client go away before that)."""
        with self._handled:
            assert self._handled.wait_for(lambda: self.handled >= n, timeout), "no DATA handled"

    def texts(self) -> list[str]:
        """Subject and body of each accepted message, decoded."""
        return [f"{m['subject']}\n{m.get_content()}" for m in self.accepted]

    def ids(self) -> list[str]:
        return [m["message-id"] for m in self.accepted]


@pytest.fixture
def smtp(settings):
    """A running SMTP server that the mailer is pointed at."""
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": mailbox.port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield mailbox
    finally:
        controller.stop()


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent workers are tested on PostgreSQL"
)


def notices_of(people, user):
    with scope(municipality=people.fjordvik):
        return list(Notice.objects.filter(recipient=user))


def outbox_rows(**filters):
    with scopes_disabled():
        return list(OutboxMessage.objects.filter(**filters).order_by("pk"))
