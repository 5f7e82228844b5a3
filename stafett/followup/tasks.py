"""Background tasks (django.tasks, run by django_tasks_db's `db_worker`)."""

from django.tasks import task

from stafett.followup import engine


@task
def run_rules() -> dict:
    return engine.run_rules()


@task
def send_digests() -> dict:
    """Write today's digests into the outbox (at most one per person and
    day) and deliver everything due: the periodic sweep of the outbox."""
    return engine.send_digests()
