"""Background tasks (django.tasks, run by django_tasks_db's `db_worker`)."""

from django.tasks import task

from stafett.followup import engine


@task
def run_rules() -> dict:
    return engine.run_rules()


@task
def send_digests() -> int:
    return engine.send_digests()
