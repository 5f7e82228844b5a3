"""Write a Noark 5 v5.0 extract of a municipality's closed relays and worries.

    manage.py export_noark --municipality 9901 --output /tmp/uttrekk-9901

The folder must not exist or be empty. The run is audited (duty to archive)
as an extract with no person behind it; the coordinator's page runs the same
code in the worker.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from stafett.archive import extract_jobs
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Write the Noark 5 extract (avleveringsuttrekk) of one municipality's closed cases."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, metavar="NUMBER",
                            help="The municipality's four-digit number.")
        parser.add_argument("--output", required=True, type=Path, metavar="DIR",
                            help="A new (or empty) folder for the extract.")

    def handle(self, *args, municipality, output, **options):
        with scopes_disabled():
            found = Municipality.objects.filter(number=municipality).first()
        if found is None:
            raise CommandError(f"No municipality with number {municipality!r}.")
        if output.exists() and any(output.iterdir()):
            raise CommandError(f"{output} is not empty.")
        with scope(municipality=found):
            job = extract_jobs.record_command_run(found)
            result = extract_jobs.run_job(job, output)
        self.stdout.write(
            f"{output}: {result.folders} folders, {result.registrations} registrations, "
            f"{result.documents} documents, {result.corrections} corrections"
        )
