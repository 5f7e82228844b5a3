"""Background task (django.tasks, run by django_tasks_db's `db_worker`)."""

from django.tasks import task

from stafett.notify import outbox


@task
def deliver_outbox() -> dict:
    """Deliver everything that is due. Enqueued after every commit that
    wrote an outbox message, and periodically by `run_followup`."""
    return dict(outbox.deliver_all(f"task:{outbox.default_worker_id()}"))
