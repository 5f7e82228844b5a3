"""Run the follow-up once: the rules for every municipality, the daily
digests (at most one per person and day), whose task also sweeps the
outbox (retries, and anything whose delivery was not enqueued), collects
the receipts written into the file drop (docs/transport.md), and runs the
periodic tasks other apps registered (`tasks.PERIODIC`: the retention worker).

    manage.py run_followup              enqueue the tasks for the db_worker
    manage.py run_followup --now        run them in this process instead
    manage.py run_followup --every 900  enqueue again every 900 seconds (a
                                        scheduler loop for setups without cron)
"""

import time

from django.core.management.base import BaseCommand

from stafett.followup import engine, tasks
from stafett.transport import tasks as transport_tasks


class Command(BaseCommand):
    help = ("Run the follow-up rules, send the daily digests, sweep the outbox and collect "
            "file-drop receipts (enqueue, or --now).")

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run in this process, not via the worker.")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="Repeat every SECONDS (runs until stopped).")

    def handle(self, *args, now=False, every=0, **options):
        while True:
            if now:
                totals = engine.run_rules()
                sent = engine.send_digests()
                receipts = transport_tasks.collect_filedrop_receipts_now()
                self.stdout.write(f"rules: {totals}; digests and outbox: {sent}; "
                                  f"file-drop receipts: {receipts}")
                for work in tasks.PERIODIC:
                    self.stdout.write(f"{work.name}: {work.call()}")
            else:
                tasks.run_rules.enqueue()
                tasks.send_digests.enqueue()
                transport_tasks.collect_filedrop_receipts.enqueue()
                for work in tasks.PERIODIC:
                    work.enqueue()
                names = ", ".join(["run_rules", "send_digests", "collect_filedrop_receipts",
                                   *(w.name for w in tasks.PERIODIC)])
                self.stdout.write(f"enqueued {names}")
            if every <= 0:
                return
            time.sleep(every)
