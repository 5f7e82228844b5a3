"""The leadership view's periodic work (django.tasks, run by the db_worker).
Registered with the follow-up's periodic loop by stafett.core (insights sits
beside followup, so it cannot register itself): however often `run_followup
--every N` runs it, a municipality is refreshed when its figures are older
than snapshot.REFRESH_EVERY (15 minutes)."""

from django.tasks import task

from . import snapshot


@task
def refresh_insights() -> dict:
    return snapshot.refresh_all()
