"""Telling people, and delivering what leaves the app exactly once.

`tell` is what an action calls, inside its own transaction: it writes the
in-app `Notice` and the e-mail's `OutboxMessage` together with the action's
own rows, so they commit or roll back with it, and asks the worker to
deliver after commit.

`deliver` is the worker. For each message it

1. claims it in a short transaction of its own, which commits before
   anything is sent (PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so two
   workers never pick the same row; SQLite has one writer at a time, so the
   conditional UPDATE `state = pending → sending` is the claim);
2. sends it through its channel;
3. marks it sent.

Only `pending` rows are ever claimed, with one exception. A worker that
dies between 2 and 3 leaves its row `sending`; for an e-mail nobody sends it
again by themselves, and after the claim timeout `manage.py outbox` reports
it as uncertain for an operator to check and, deliberately, retry. On an
idempotent channel (a record whose receiver drops a copy with the same
message id, see channels.py) a timed-out claim is claimed again and sent
again: delivered exactly once at the receiver, never lost. A send refused before acceptance (an SMTP
error reply, a server that cannot be reached) goes back to `pending` with a
backoff. See docs/notifications.md for why this is at most once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.notify import channels, kinds
from stafett.notify.models import Notice, OutboxMessage

log = logging.getLogger(__name__)

State = OutboxMessage.State


def claim_timeout() -> dt.timedelta:
    """A claim older than this, never marked, is reported as uncertain.
    Longer than any single send can take (the SMTP timeout is per step)."""
    return dt.timedelta(seconds=settings.STAFETT_OUTBOX_CLAIM_TIMEOUT)

# A due message still waiting after this long means no worker is running.
STUCK_AFTER = dt.timedelta(minutes=30)
# Refused sends are retried after 1, 2, 4 … minutes, at most 6 hours apart,
# and given up after MAX_ATTEMPTS.
MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)

# What the in-app notice links to: the object types `about` may be, and the
# URL that opens each (the policy decides there whether the person may).
LINKS = {"relay": "relay:detail", "concern": "concerns:detail", "feedback": "feedback:detail",
         "childwelfarereport": "reports:detail", "wave": "surveys:answer"}


class OutboxError(Exception):
    """An operator's request that cannot be carried out (message for the CLI)."""


# --- writing ----------------------------------------------------------------------


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notices are written inside the action's transaction")


PARAM_CODE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")


def check_params(params) -> dict:
    """Codes and ids only: ints, booleans and short lower-case codes (a date
    as YYYY-MM-DD passes), in dicts and lists. Free text — where a child's
    name could slip in — is refused."""

    def ok(value) -> bool:
        if value is None or isinstance(value, bool | int):
            return True
        if isinstance(value, str):
            return PARAM_CODE.match(value) is not None
        if isinstance(value, list):
            return all(ok(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and PARAM_CODE.match(k) and ok(v)
                       for k, v in value.items())
        return False

    if not isinstance(params, dict) or not ok(params):
        raise ValueError("notification params hold codes and ids only, never free text")
    return params


def reachable_by_email(user) -> bool:
    return bool(user.is_active and user.email)


def tell(recipient, kind: str, *, municipality, about=None, params=None) -> Notice:
    """Tell `recipient` in the app, and by e-mail when they have an address.

    Call it inside the action's transaction (it raises otherwise): the notice
    and the outbox row commit or roll back with the action. `about` is the
    relay or worry it concerns (its type and id are stored, for the link);
    `params` holds codes and ids only. Delivery starts after commit.
    """
    _require_transaction()
    spec = kinds.get(kind)
    if not spec.in_app:
        raise ValueError(f"the kind {kind!r} is not an in-app notice")
    params = check_params(dict(params or {}))
    object_type, object_id = "", None
    if about is not None:
        object_type = about._meta.model_name
        if object_type not in LINKS:
            raise ValueError(f"a notice is about one of {sorted(LINKS)}, not {object_type!r}")
        if about.municipality_id != municipality.pk:
            raise ValueError("a notice and what it is about belong to one municipality")
        object_id = about.pk
    now = timezone.now()
    notice = Notice(
        municipality=municipality, recipient=recipient, kind=kind, object_type=object_type,
        object_id=object_id, params=params, created_at=now,
    )
    notice.save()
    if reachable_by_email(recipient):
        post(recipient, kind, key=f"notice:{notice.pk}", municipality=municipality,
             params={**params, "notice": notice.pk})
    return notice


def post(recipient, kind: str, *, key: str, municipality=None, params=None,
         channel: str = "email") -> bool:
    """One outbox message, unless one with `key` exists (then nothing):
    True when it was written. Delivery starts after commit."""
    return post_many([(recipient.pk, key, params)], kind, municipality=municipality,
                     channel=channel) == 1


def post_record(channel: str, *, key: str, municipality, params=None,
                delay: dt.timedelta | None = None) -> bool:
    """A record for another system (a report of concern, an arkivmelding),
    delivered by `channel` after commit; `key` names it once ("report:<id>").
    Its kind is the channel's name; `params` hold the ids the channel needs.
    True when it was written, False when `key` was already there."""
    _require_transaction()
    if channel not in channels.IDEMPOTENT:
        raise ValueError(f"a record goes by an idempotent channel, not {channel!r}")
    return post_many([(None, key, params)], channel, municipality=municipality,
                     channel=channel, delay=delay) == 1


def post_many(rows, kind: str, *, municipality=None, channel: str = "email",
              delay: dt.timedelta | None = None) -> int:
    """Outbox messages for (recipient id, key, params) rows; keys already
    there are skipped. Returns how many were new (a concurrent writer of the
    same key may win; there is still one row per key). `delay` holds them
    back for a while (time to take back what caused them)."""
    if kind != channel:  # a record's kind is its channel
        kinds.get(kind)
    channels.get(channel)
    rows = [(user_id, key, check_params(dict(params or {}))) for user_id, key, params in rows]
    if not rows:
        return 0
    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        existing = set(
            OutboxMessage.objects.filter(key__in=[key for _, key, _ in rows])
            .values_list("key", flat=True)
        )
        new = [
            OutboxMessage(
                municipality=municipality, channel=channel, recipient_id=user_id, kind=kind,
                params=params, key=key, created_at=now, available_at=now + (delay or dt.timedelta()),
            )
            for user_id, key, params in rows if key not in existing
        ]
        # A concurrent writer of the same key loses quietly: one row per key.
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            schedule_delivery()
    return len(new)


def schedule_delivery():
    """Enqueue a delivery sweep once the current transaction commits (once
    per transaction). If that enqueue is lost (a crash right after commit),
    the periodic sweep from `run_followup` delivers the message."""
    conn = transaction.get_connection()
    if any(entry[1] is _enqueue_delivery for entry in conn.run_on_commit):
        return
    transaction.on_commit(_enqueue_delivery, robust=True)


def _enqueue_delivery():
    deliver_outbox.enqueue()


# --- delivering ------------------------------------------------------------------


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@scopes_disabled()
def claim(worker_id: str, limit: int, now=None, channels_only=None) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for `worker_id` (of `channels_only`,
    when given), in a transaction of its own that commits before this returns."""
    now = now or timezone.now()
    with transaction.atomic():
        claimable = (
            Q(state=State.PENDING, available_at__lte=now)
            # A claim that timed out on a channel whose receiver drops copies.
            | Q(state=State.SENDING, channel__in=sorted(channels.IDEMPOTENT),
                claimed_at__lt=now - claim_timeout())
        )
        due = OutboxMessage.objects.filter(claimable)
        if channels_only is not None:
            due = due.filter(channel__in=list(channels_only))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("available_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # Conditional, so a row someone else claimed meanwhile is not taken again.
        OutboxMessage.objects.filter(claimable, pk__in=ids).update(
            state=State.SENDING, claimed_at=now, claimed_by=worker_id, attempts=F("attempts") + 1,
        )
        return list(
            OutboxMessage.objects.filter(pk__in=ids, state=State.SENDING, claimed_by=worker_id,
                                         claimed_at=now)
            .select_related("recipient").order_by("available_at", "pk")
        )


def _settle(message, worker_id, **fields) -> None:
    # Only while our claim stands: an operator may have stepped in.
    OutboxMessage.objects.filter(pk=message.pk, state=State.SENDING, claimed_by=worker_id) \
        .update(**fields)


@scopes_disabled()
def deliver(worker_id: str | None = None, limit: int = 50, channels_only=None) -> Counter:
    """Claim up to `limit` due messages (of `channels_only`, when given) and
    deliver each; returns counts per outcome (sent, retry, failed,
    cancelled, uncertain)."""
    worker_id = worker_id or default_worker_id()
    outcome: Counter = Counter()
    for message in claim(worker_id, limit, channels_only=channels_only):
        try:
            channels.get(message.channel)(message)
        except channels.Cancelled as error:
            _settle(message, worker_id, state=State.CANCELLED, last_error=str(error)[:500])
            outcome["cancelled"] += 1
        except channels.NotSent as error:
            if error.permanent or message.attempts >= MAX_ATTEMPTS:
                _settle(message, worker_id, state=State.FAILED, last_error=str(error)[:500])
                outcome["failed"] += 1
            else:
                _settle(message, worker_id, state=State.PENDING, claimed_at=None, claimed_by="",
                        available_at=timezone.now() + backoff(message.attempts),
                        last_error=str(error)[:500])
                outcome["retry"] += 1
        except Exception as error:
            # We cannot know whether it arrived: never again by ourselves.
            log.exception("outbox message %s: delivery uncertain", message.pk)
            _settle(message, worker_id, state=State.UNCERTAIN,
                    last_error=f"{type(error).__name__}: {error}"[:500])
            outcome["uncertain"] += 1
        else:
            _settle(message, worker_id, state=State.SENT, sent_at=timezone.now(), last_error="")
            outcome["sent"] += 1
    return outcome


def deliver_all(worker_id: str | None = None, batch: int = 50, max_batches: int = 100,
                channels_only=None) -> Counter:
    """Deliver batches until nothing is due (or `max_batches`)."""
    total: Counter = Counter()
    for _ in range(max_batches):
        outcome = deliver(worker_id, batch, channels_only=channels_only)
        total.update(outcome)
        if sum(outcome.values()) < batch:
            break
    return total


@task
def deliver_outbox() -> dict:
    """The background task (django.tasks, run by django_tasks_db's
    `db_worker`): deliver everything due. Enqueued after every commit that
    wrote an outbox message, and run by `run_followup`'s digest task."""
    return dict(deliver_all(f"task:{default_worker_id()}"))


# --- for the operator ------------------------------------------------------------


@scopes_disabled()
def needs_attention(now=None) -> list[tuple[str, OutboxMessage]]:
    """(problem, message) for every message an operator should look at:
    "uncertain" (a worker may or may not have delivered it), "failed" (given
    up) and "stuck" (due for long, so no worker is running)."""
    now = now or timezone.now()
    rows = OutboxMessage.objects.filter(
        Q(state__in=[State.UNCERTAIN, State.FAILED])
        | Q(Q(state=State.SENDING, claimed_at__lt=now - claim_timeout())
            & ~Q(channel__in=sorted(channels.IDEMPOTENT)))
        | Q(state=State.PENDING, available_at__lt=now - STUCK_AFTER)
    ).order_by("pk")
    problems = {State.UNCERTAIN: "uncertain", State.SENDING: "uncertain", State.FAILED: "failed",
                State.PENDING: "stuck"}
    return [(problems[m.state], m) for m in rows]


@scopes_disabled()
def counts_by_state() -> dict[str, int]:
    return dict(Counter(OutboxMessage.objects.values_list("state", flat=True)))


@scopes_disabled()
def retry(pk: int, now=None) -> OutboxMessage:
    """Put a failed, cancelled or uncertain message back in the queue, on an
    operator's decision (an uncertain one may then arrive twice)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
        if message is None:
            raise OutboxError(f"no outbox message {pk}")
        if message.state == State.SENT:
            raise OutboxError(f"message {pk} has been sent; it is not sent again")
        if message.state == State.PENDING:
            raise OutboxError(f"message {pk} is already waiting to be sent")
        if message.state == State.SENDING and message.claimed_at >= now - claim_timeout():
            raise OutboxError(f"message {pk} is being sent by {message.claimed_by} right now")
        message.state = State.PENDING
        message.available_at = now
        message.claimed_at = None
        message.claimed_by = ""
        message.attempts = 0
        message.save(update_fields=["state", "available_at", "claimed_at", "claimed_by",
                                    "attempts"])
    schedule_delivery_now()
    return message


@scopes_disabled()
def mark_sent(pk: int, now=None) -> OutboxMessage:
    """Record that an uncertain message did arrive (checked in the mail log)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
        if message is None:
            raise OutboxError(f"no outbox message {pk}")
        now = now or timezone.now()
        timed_out = message.state == State.SENDING and message.claimed_at < now - claim_timeout()
        if message.state not in (State.UNCERTAIN, State.FAILED) and not timed_out:
            raise OutboxError(f"message {pk} is {message.state}; only an uncertain or failed "
                              "message can be marked as sent")
        message.state = State.SENT
        message.sent_at = now
        message.save(update_fields=["state", "sent_at"])
    return message


def schedule_delivery_now():
    """Outside a transaction: enqueue a sweep at once."""
    try:
        _enqueue_delivery()
    except Exception:  # the periodic sweep will pick it up
        log.warning("could not enqueue an outbox delivery", exc_info=True)
