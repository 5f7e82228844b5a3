"""The worker: claim, send, mark; refused sends are retried with backoff, a
send whose fate is unknown is never repeated by itself, and two workers
never send the same message."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from stafett.notify import outbox
from stafett.notify.models import OutboxMessage

from .conftest import on_postgresql, outbox_rows


def _tell_many(world, n, users=None):
    users = users or [world.teacher, world.leader, world.colleague, world.other_employee,
                      world.other_leader, world.coordinator, world.health_nurse]
    with scope(municipality=world.fjordvik), transaction.atomic():
        for i in range(n):
            outbox.tell(users[i % len(users)], "meeting_invited", municipality=world.fjordvik)


def _outbox_command(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_two_workers_claim_disjoint_messages(world, smtp):
    _tell_many(world, 5)
    first = outbox.claim("worker-a", 3)
    second = outbox.claim("worker-b", 3)
    assert len(first) == 3 and len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert outbox.claim("worker-c", 3) == []
    # claimed rows are committed as such before anything is sent
    assert {m.claimed_by for m in outbox_rows()} == {"worker-a", "worker-b"}
    assert smtp.received == []


def test_the_worker_sends_and_marks(world, smtp):
    _tell_many(world, 3)
    assert outbox.deliver("w", limit=2) == {"sent": 2}
    assert outbox.deliver("w", limit=2) == {"sent": 1}
    assert outbox.deliver("w", limit=2) == {}
    assert len(smtp.received) == 3
    assert len(set(smtp.ids())) == 3
    for message in outbox_rows():
        assert message.state == "sent" and message.sent_at and message.attempts == 1
        assert f"<stafett-outbox-{message.pk}@" in " ".join(smtp.ids())


def test_a_temporary_refusal_is_retried_with_backoff(world, smtp, clock):
    _tell_many(world, 1)
    smtp.on_data = lambda message, server: "451 4.3.0 Try again later"
    assert outbox.deliver("w") == {"retry": 1}
    (message,) = outbox_rows()
    assert message.state == "pending" and message.attempts == 1
    assert "451" in message.last_error
    assert message.available_at > clock.now()
    assert outbox.deliver("w") == {}  # not yet due
    clock.advance(minutes=1, seconds=1)
    assert outbox.deliver("w") == {"retry": 1}
    (message,) = outbox_rows()
    assert message.available_at - clock.now() == dt.timedelta(minutes=2)
    smtp.on_data = None
    clock.advance(minutes=3)
    assert outbox.deliver("w") == {"sent": 1}
    assert len(smtp.accepted) == 1
    (message,) = outbox_rows()
    assert message.state == "sent" and message.attempts == 3 and message.last_error == ""


def test_an_unreachable_server_is_retried(world, smtp, settings, clock):
    _tell_many(world, 1)
    settings.MAILERS["default"]["OPTIONS"]["port"] = smtp.port + 1 if smtp.port < 65535 else 1
    assert outbox.deliver("w") == {"retry": 1}
    (message,) = outbox_rows()
    assert message.state == "pending" and message.last_error


def test_a_permanent_refusal_fails_and_is_reported(world, smtp):
    _tell_many(world, 1)
    smtp.on_rcpt = lambda address: "550 5.1.1 No such user"
    assert outbox.deliver("w") == {"failed": 1}
    (message,) = outbox_rows()
    assert message.state == "failed" and "550" in message.last_error
    assert smtp.received == []
    assert f"{message.pk:>8}  failed" in _outbox_command()


def test_retries_end_after_the_last_attempt(world, smtp, clock):
    _tell_many(world, 1)
    smtp.on_data = lambda message, server: "452 4.2.2 Mailbox full"
    for _ in range(outbox.MAX_ATTEMPTS):
        clock.advance(days=1)
        outbox.deliver("w")
    (message,) = outbox_rows()
    assert message.state == "failed" and message.attempts == outbox.MAX_ATTEMPTS
    assert smtp.accepted == []


def test_a_connection_lost_while_handing_over_is_uncertain_and_never_resent(world, smtp, clock):
    _tell_many(world, 1)

    def hang_up(message, server):
        # The connection drops before the server took the message; the
        # worker sees only that its reply to DATA never came.
        server.transport.close()
        return "421 4.4.2 Connection dropped"

    smtp.on_data = hang_up
    assert outbox.deliver("w") == {"uncertain": 1}
    smtp.on_data = None
    clock.advance(days=2)
    assert outbox.deliver("w") == {}
    assert len(smtp.received) == 1
    (message,) = outbox_rows()
    assert message.state == "uncertain"
    assert f"{message.pk:>8}  uncertain" in _outbox_command()

    # The operator checked the mail log: it never arrived. Retrying is deliberate.
    assert "queued again" in _outbox_command("--retry", str(message.pk))
    assert outbox.deliver("w") == {"sent": 1}
    assert len(smtp.accepted) == 1 and len(smtp.received) == 2
    # the same Message-ID on both attempts, so a receiver could drop a copy
    assert smtp.received[0]["message-id"] == smtp.accepted[0]["message-id"]
    assert "nothing needs attention" in _outbox_command()


def test_a_claim_never_marked_is_reported_after_the_timeout_and_not_resent(world, smtp, clock,
                                                                          settings):
    _tell_many(world, 1)
    (message,) = outbox.claim("died-mid-send", 10)  # a worker that claimed, then vanished
    assert outbox.deliver("w") == {}
    assert "nothing needs attention" in _outbox_command()
    with pytest.raises(CommandError, match="being sent"):
        _outbox_command("--retry", str(message.pk))
    clock.advance(seconds=settings.STAFETT_OUTBOX_CLAIM_TIMEOUT + 1)
    assert outbox.deliver("w") == {}
    report = _outbox_command()
    assert f"{message.pk:>8}  uncertain" in report and "died-mid-send" in report
    with pytest.raises(CommandError):
        _outbox_command("--check")
    # The operator found it in the mail server's log: it did arrive.
    assert "recorded as sent" in _outbox_command("--mark-sent", str(message.pk))
    assert outbox_rows()[0].state == "sent"
    assert smtp.received == []


def test_the_operator_cannot_resend_a_sent_message(world, smtp):
    _tell_many(world, 1)
    outbox.deliver("w")
    (message,) = outbox_rows()
    with pytest.raises(CommandError, match="has been sent"):
        _outbox_command("--retry", str(message.pk))
    with pytest.raises(CommandError, match="no outbox message"):
        _outbox_command("--retry", "999999")
    with pytest.raises(CommandError):
        _outbox_command("--mark-sent", str(message.pk))
    assert len(smtp.received) == 1


def test_a_message_due_for_long_is_reported_as_stuck(world, clock):
    _tell_many(world, 1)
    clock.advance(hours=1)
    (message,) = outbox_rows()
    assert f"{message.pk:>8}  stuck" in _outbox_command()


def test_the_deliver_command(world, smtp):
    from io import StringIO

    _tell_many(world, 3)
    out = StringIO()
    call_command("deliver_outbox", "--batch", "2", stdout=out)
    assert "sent: 3" in out.getvalue()
    assert len(smtp.received) == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_message_exactly_once(world, smtp):
    n, workers = 40, 4
    _tell_many(world, n)
    start = threading.Barrier(workers)
    errors = []

    def work(i):
        try:
            start.wait()
            while outbox.deliver(f"worker-{i}", limit=3):
                pass
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(smtp.received) == n
    assert len(set(smtp.ids())) == n
    rows = outbox_rows()
    assert {m.state for m in rows} == {"sent"} and {m.attempts for m in rows} == {1}
    # the work was really shared
    assert len({m.claimed_by for m in rows}) > 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_claimed_row_is_skipped_not_waited_for(world):
    """SKIP LOCKED: while one worker's claim transaction holds a row, another
    worker takes the next rows instead of waiting or taking the same one."""
    _tell_many(world, 2)
    first, second = (m.pk for m in outbox_rows())
    claimed = []
    with transaction.atomic(), scopes_disabled():
        OutboxMessage.objects.select_for_update().get(pk=first)

        def other():
            try:
                claimed.extend(outbox.claim("worker-b", 10))
            finally:
                connection.close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert not thread.is_alive()
    assert [m.pk for m in claimed] == [second]


def test_claiming_is_bounded_in_queries(world, django_assert_max_num_queries):
    _tell_many(world, 20)
    with django_assert_max_num_queries(6):
        assert len(outbox.claim("w", 20)) == 20
