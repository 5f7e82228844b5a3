"""The retention worker's task (django.tasks, run by django_tasks_db's
`db_worker`), registered with the follow-up's periodic loop: `manage.py
run_followup` enqueues it (or runs it with --now) with the other periodic
work. It is idempotent: what was done is in the ledger and is not done again,
so running it often costs a few queries per municipality."""

from django.tasks import task

from stafett.followup.tasks import periodic
from stafett.retention import engine


@periodic
@task
def apply_retention() -> dict:
    return engine.run()
