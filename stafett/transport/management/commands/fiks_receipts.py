"""Consume receipts from the municipality's Fiks IO account.

    manage.py fiks_receipts          run until stopped (a service beside the worker)
    manage.py fiks_receipts --once   take what is waiting, stop when the queue is quiet

Each receipt reaches the handler its app registered (the report's
"received"/"failed", the archive's receipt) and is acknowledged after the
handler's transaction committed. When the broker cannot be reached or a
handler fails, it waits and starts again (see stafett/transport/consumer.py
and docs/transport.md).
"""

import logging
import time

import pika.exceptions
from django.core.management.base import BaseCommand, CommandError

from stafett.transport import TransportError, consumer, fiksio

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Consume receipts (received, failed, archived) from the Fiks IO account's queue."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Take what is waiting and stop when the queue is quiet.")
        parser.add_argument("--idle", type=float, default=5.0, metavar="SECONDS",
                            help="With --once: how long a quiet queue is waited for.")
        parser.add_argument("--pause", type=float, default=30.0, metavar="SECONDS",
                            help="Wait this long before connecting again after a failure.")

    def handle(self, *args, once=False, idle=5.0, pause=30.0, **options):
        try:
            cfg = fiksio.config()
        except TransportError as error:
            raise CommandError(str(error)) from error
        queue = fiksio.queue_name(cfg.account_id)
        while True:
            try:
                # New parameters each time: the password carries a fresh token.
                receipts = consumer.ReceiptConsumer(
                    consumer.connection_parameters(cfg), queue, key=cfg.account_key)
                counts = receipts.run(idle_timeout=idle if once else None)
                self.stdout.write(f"receipts: {dict(counts)}")
                if once:
                    return
            except (pika.exceptions.AMQPError, TransportError, OSError) as error:
                if once:
                    raise CommandError(f"Fiks IO: {type(error).__name__}: {error}") from error
                log.warning("Fiks IO receipts: %s: %s; again in %ss", type(error).__name__,
                            error, pause)
            time.sleep(pause)
