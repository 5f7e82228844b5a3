"""The survey's periodic work (django.tasks). Registered with the follow-up's
periodic loop by stafett.core (surveys sits below followup, so it cannot
register itself); pages also close due waves when they are opened."""

from django.tasks import task

from stafett.surveys import actions


@task
def close_survey_waves() -> dict:
    return {"closed": actions.close_due_waves()}
