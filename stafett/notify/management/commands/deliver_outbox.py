"""Deliver the outbox in this process (the db_worker does the same through
the `deliver_outbox` task).

    manage.py deliver_outbox              deliver what is due, then stop
    manage.py deliver_outbox --every 30   keep delivering every 30 seconds
"""

import time

from django.core.management.base import BaseCommand

from stafett.notify import outbox


class Command(BaseCommand):
    help = "Deliver the due outbox messages (e-mails) exactly once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Deliver what is due and stop (the default).")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="Repeat every SECONDS (runs until stopped).")
        parser.add_argument("--batch", type=int, default=50,
                            help="Messages claimed at a time (default 50).")
        parser.add_argument("--worker-id", default="",
                            help="Name of this worker in the outbox (default host:pid).")

    def handle(self, *args, once=False, every=0, batch=50, worker_id="", **options):
        worker_id = worker_id or outbox.default_worker_id()
        while True:
            outcome = outbox.deliver_all(worker_id, batch=batch)
            self.stdout.write(
                ", ".join(f"{name}: {n}" for name, n in sorted(outcome.items())) or "nothing due"
            )
            if once or every <= 0:
                return
            time.sleep(every)
