"""What the survey tells people (found by NotifyConfig.ready): that a survey
waits for their answer, with a link to its answer page. Nothing else."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stafett.notify import kinds
from stafett.notify.kinds import Kind, register


def survey_email(message) -> tuple[str, str]:
    link = settings.STAFETT_BASE_URL.rstrip("/") + reverse("surveys:answer", args=[message.params["wave"]])
    context = {"sentence": kinds.sentence(message.kind), "link": link}
    return (render_to_string("notify/email_subject.txt", context).strip(),
            render_to_string("surveys/email_body.txt", context))


SURVEY_INVITED = register(Kind(
    "survey_invited",
    _("You are invited to answer the municipality's BTI survey. Your answers are anonymous."),
    render_email=survey_email))
SURVEY_REMINDER = register(Kind(
    "survey_reminder",
    _("A reminder: the municipality's BTI survey waits for your answer. Your answers are anonymous."),
    render_email=survey_email))
