"""What a named sender of feedback is told when the coordinator answers:
only that there is news, never what they wrote (loaded by NotifyConfig.ready).
Staff get a notice and an e-mail; a family member, who has no notice page,
an e-mail to the address they gave on the family pages, linking there."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stafett.notify.kinds import Kind, register, sentence


def family_email(message) -> tuple[str, str]:
    context = {"sentence": sentence(message.kind),
               "link": settings.STAFETT_BASE_URL.rstrip("/") + reverse("feedback_family:mine")}
    subject = render_to_string("feedback/family_email_subject.txt", context).strip()
    body = render_to_string("feedback/family_email_body.txt", context)
    return subject, body


FEEDBACK_ANSWERED = register(Kind(
    "feedback_answered", _("Your feedback on how BTI works has a new status or answer.")))
FEEDBACK_ANSWERED_FAMILY = register(Kind(
    "feedback_answered_family", _("Your feedback to the municipality has a new status or answer in Stafett."),
    in_app=False, render_email=family_email))
