"""The audit table's monthly partitions on PostgreSQL (docs/audit.md).

    manage.py audit_partitions                 list them; create the coming months
    manage.py audit_partitions --detach audit_auditevent_p2025_01
                                               detach a sealed month for the archive,
                                               recording where verification starts
"""

from django.core.management.base import BaseCommand, CommandError

from stafett.audit import archive, partitions


class Command(BaseCommand):
    help = "List the audit table's partitions, create the coming months, or detach an old month."

    def add_arguments(self, parser):
        parser.add_argument("--detach", metavar="PARTITION",
                            help="Detach this month's partition (then dump and drop it by hand).")

    def handle(self, *args, detach=None, **options):
        if not partitions.is_partitioned():
            self.stdout.write("The audit table is not partitioned (PostgreSQL only).")
            return
        if detach:
            try:
                checkpoints = archive.detach(detach)
            except archive.ArchiveError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"detached {detach}; checkpoints for {len(checkpoints)} "
                              f"municipalities. Dump it (pg_dump -t {detach}), then DROP TABLE it.")
            return
        for name in partitions.ensure_partitions():
            self.stdout.write(f"created {name}")
        for name, bounds in partitions.list_partitions():
            self.stdout.write(f"{name}  {bounds}")
