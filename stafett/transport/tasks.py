"""Background tasks (django.tasks, run by django_tasks_db's `db_worker`)."""

from django.conf import settings
from django.tasks import task

from stafett.transport import filedrop


def collect_filedrop_receipts_now() -> dict:
    """Hand on the receipts a receiver has written into the file drop, for
    every record kind that goes by file drop."""
    return {record: filedrop.collect_receipts(record)
            for record, name in sorted(settings.STAFETT_TRANSPORTS.items()) if name == "filedrop"}


@task
def collect_filedrop_receipts() -> dict:
    """Run from `run_followup` (every few minutes in `make run`), so a receipt
    written into the drop folder shows on the case soon after."""
    return collect_filedrop_receipts_now()
