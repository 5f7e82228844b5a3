"""Delivery channels: one function per channel, `deliver(message) -> None`.

A channel function returns when the receiving side has accepted the
message. It raises:

- `Cancelled` when there is nothing to deliver any more (the person has no
  address or is no longer active);
- `NotSent` when it *knows* that nothing left: the server refused before
  accepting (an SMTP error reply), or it could not be reached. Such a
  message is tried again later (or given up if `permanent`);
- anything else when it cannot know (the connection broke while the message
  was being handed over). The worker then marks the message uncertain and
  never sends it again by itself (see docs/notifications.md).

An app registers its channel with `@channel("name")` in a module its
AppConfig.ready() imports. A channel whose receiver drops a second copy of
the same message (it carries an id fixed per outbox row: Fiks IO's
message id, a file-drop folder named by it) is registered with
`idempotent=True`: a claim that timed out there is simply sent again, so a
worker that dies between sending and marking still delivers exactly once.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from stafett.notify import kinds

log = logging.getLogger(__name__)

CHANNELS: dict[str, Callable] = {}
# Channels whose receiver deduplicates by the message's own id (see above).
IDEMPOTENT: set[str] = set()


class NotSent(Exception):
    """Nothing was delivered; safe to try again (unless `permanent`)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


class Cancelled(Exception):
    """Nothing to deliver any more."""


def channel(name: str, *, idempotent: bool = False):
    def register(function):
        if name in CHANNELS and CHANNELS[name] is not function:
            raise ValueError(f"the channel {name!r} is already registered")
        CHANNELS[name] = function
        if idempotent:
            IDEMPOTENT.add(name)
        return function

    return register


def get(name: str) -> Callable:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown delivery channel {name!r}") from None


# --- e-mail ----------------------------------------------------------------------


def notices_link() -> str:
    return settings.STAFETT_BASE_URL.rstrip("/") + reverse("notify:list")


def render_notice_email(message) -> tuple[str, str]:
    """Subject and body for a notice: its kind's sentence and a link to the
    person's notices. Nothing about any child."""
    context = {"sentence": kinds.sentence(message.kind), "link": notices_link()}
    subject = render_to_string("notify/email_subject.txt", context).strip()
    body = render_to_string("notify/email_body.txt", context)
    return subject, body


def render_email(message) -> tuple[str, str]:
    """In the recipient's language."""
    kind = kinds.get(message.kind)
    language = message.recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        return (kind.render_email or render_notice_email)(message)


def message_id(message) -> str:
    # The same Message-ID for every attempt of one outbox row, so a receiving
    # system can drop a copy an operator sent again on purpose.
    domain = urlsplit(settings.STAFETT_BASE_URL).hostname or "stafett.invalid"
    return f"<stafett-outbox-{message.pk}@{domain}>"


def _refusal(error) -> NotSent:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    else:  # e.g. SMTPNotSupportedError: this server will never take it
        codes = [550]
    permanent = bool(codes) and all(500 <= code < 600 for code in codes)
    return NotSent(f"{type(error).__name__}: {error}", permanent=permanent)


@channel("email")
def send_email(message) -> None:
    user = message.recipient
    if user is None or not user.is_active or not user.email:
        raise Cancelled("the recipient has no e-mail address or is no longer active")
    try:
        subject, body = render_email(message)
        email = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
            headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
        )
        email.message()  # validates headers and addresses before anything is sent
    except Cancelled:  # the kind's renderer found nothing to tell any more
        raise
    except Exception as error:  # nothing has left: a bad address or a rendering bug
        raise NotSent(f"{type(error).__name__}: {error}", permanent=True) from error

    mailer = mailers.default
    try:
        mailer.open()
    except OSError as error:  # could not connect, TLS or login failed: nothing was sent
        raise NotSent(f"{type(error).__name__}: {error}") from error
    try:
        # One connection per message: a broken connection can then only ever
        # make this one message uncertain.
        mailer.send_messages([email])
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused,
            smtplib.SMTPNotSupportedError) as error:
        # The server answered with an error before it accepted the message.
        raise _refusal(error) from error
    except ValueError as error:  # an address the backend cannot encode, before any send
        raise NotSent(f"{type(error).__name__}: {error}", permanent=True) from error
    # Anything else here (a dropped connection, a timeout waiting for the
    # reply to DATA) propagates: we cannot know whether it was accepted.
    finally:
        try:
            mailer.close()
        except Exception:  # the message's fate is settled by now
            log.warning("closing the mail connection failed", exc_info=True)
