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


# Periodic work of the apps above this one (retention): `run_followup`
# enqueues each with the rules and the digests, or runs it with --now. An app
# registers its task from its AppConfig.ready(), so imports still point down.
PERIODIC: list = []


def periodic(work):
    if work not in PERIODIC:
        PERIODIC.append(work)
    return work
