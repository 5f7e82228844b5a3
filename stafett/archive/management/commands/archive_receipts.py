"""Collect the archive's receipts from the file drop.

    manage.py archive_receipts              hand every new kvittering to the archive app
    manage.py archive_receipts --stand-in   first answer every unanswered arkivmelding
                                            as a stand-in archive would (demo only)

With the file drop, the archive (or whoever carries its folders to it)
writes `kvittering.json` into each message's folder; run this after it, or
every few minutes. Over Fiks IO the receipts arrive as messages instead.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from stafett.archive import standin
from stafett.transport import filedrop


class Command(BaseCommand):
    help = "Collect the archive's receipts from the file drop."

    def add_arguments(self, parser):
        parser.add_argument("--stand-in", action="store_true",
                            help="answer unanswered messages as a stand-in archive (demo only)")

    def handle(self, *args, stand_in=False, **options):
        if stand_in:
            answered = standin.answer_all(case_year=timezone.localdate().year)
            self.stdout.write(f"The stand-in archive answered {answered} message(s).")
        handled = filedrop.collect_receipts("archive")
        self.stdout.write(f"{handled} archive receipt(s) recorded.")
