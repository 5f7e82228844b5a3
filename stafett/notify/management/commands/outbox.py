"""The outbox for an operator: what may not have arrived, and deciding it.

    manage.py outbox               list uncertain, failed and stuck messages
    manage.py outbox --check       the same, and exit 1 if there are any (for monitoring)
    manage.py outbox --retry ID    send message ID again (an uncertain one may then arrive twice)
    manage.py outbox --mark-sent ID   record that an uncertain message did arrive

Uncertain: a worker claimed the message and may have handed it to the mail
server, but never recorded the result (it crashed, or the connection broke
while the server was answering). Check the mail server's log for the
Message-ID <stafett-outbox-ID@…> before you retry.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stafett.notify import outbox


class Command(BaseCommand):
    help = "List outbox messages that need an operator; retry or mark them deliberately."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--retry", type=int, metavar="ID", help="Queue message ID again.")
        group.add_argument("--mark-sent", type=int, metavar="ID",
                           help="Record that message ID did arrive.")
        group.add_argument("--check", action="store_true",
                           help="Exit with status 1 when any message needs attention.")

    def handle(self, *args, retry=None, mark_sent=None, check=False, **options):
        try:
            if retry is not None:
                message = outbox.retry(retry)
                self.stdout.write(f"message {message.pk} ({message.key}) is queued again")
                return
            if mark_sent is not None:
                message = outbox.mark_sent(mark_sent)
                self.stdout.write(f"message {message.pk} ({message.key}) is recorded as sent")
                return
        except outbox.OutboxError as error:
            raise CommandError(str(error)) from None

        counts = outbox.counts_by_state()
        self.stdout.write("states: " + (", ".join(f"{s}: {n}" for s, n in sorted(counts.items()))
                                        or "empty"))
        problems = outbox.needs_attention()
        if not problems:
            self.stdout.write("nothing needs attention")
            return
        self.stdout.write(f"{'id':>8}  {'problem':<10} {'channel':<8} {'kind':<20} "
                          f"{'attempts':>8}  claimed by / at / last error")
        now = timezone.now()
        for problem, m in problems:
            claimed = f"{m.claimed_by} {m.claimed_at:%Y-%m-%d %H:%M:%S}" if m.claimed_at else "-"
            waited = f" (due {int((now - m.available_at).total_seconds() // 60)} min)" \
                if problem == "stuck" else ""
            self.stdout.write(
                f"{m.pk:>8}  {problem:<10} {m.channel:<8} {m.kind:<20} {m.attempts:>8}  "
                f"{claimed}{waited} {m.last_error}".rstrip()
            )
        if check:
            raise CommandError(f"{len(problems)} outbox messages need attention", returncode=1)
