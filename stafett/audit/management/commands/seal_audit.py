"""Seal the audit rows appended since the last run, and create the coming
months' partitions on PostgreSQL (docs/audit.md).

    manage.py seal_audit              once
    manage.py seal_audit --every 5    every 5 seconds until stopped (the
                                      sealer's loop beside the db_worker)
"""

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from stafett.audit import partitions, sealer

PARTITION_CHECK_SECONDS = 3600


class Command(BaseCommand):
    help = "Chain (seal) the audit rows appended since the last run; create coming partitions."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS",
                            help="Repeat every SECONDS (runs until stopped).")

    def handle(self, *args, every=0, **options):
        partitions_checked = -PARTITION_CHECK_SECONDS
        while True:
            if time.monotonic() - partitions_checked > PARTITION_CHECK_SECONDS:
                # A failure here (rows in the DEFAULT partition for a month to
                # be made) must not stop the sealing below.
                self._attempt(every, self._make_partitions)
                partitions_checked = time.monotonic()
            sealed = self._attempt(every, sealer.seal) or 0
            if sealed or every <= 0:
                self.stdout.write(f"sealed {sealed} audit rows")
            if every <= 0:
                return
            close_old_connections()  # a long-lived loop: drop a broken or aged connection
            time.sleep(every)

    def _make_partitions(self):
        for name in partitions.ensure_partitions():
            self.stdout.write(f"created partition {name}")

    def _attempt(self, every, work):
        """Run `work`; in the loop, report a database error and go on (the
        loop outlives a database restart; the rows wait, unsealed)."""
        try:
            return work()
        except DatabaseError as error:
            if every <= 0:
                raise
            self.stderr.write(f"{work.__name__} failed, trying again: {error}")
            return None
