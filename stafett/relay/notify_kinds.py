"""The e-mails a family gets about their child's log (issue 9): only that
something happened, with a link to the family pages — no name, no content.
Families get no in-app notice (they have no notice page); the e-mail is
addressed to the address they gave on the family pages."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from stafett.notify.channels import Cancelled
from stafett.notify.kinds import Kind, register, sentence

from .actions import entry_withheld_from


def family_link() -> str:
    return settings.STAFETT_BASE_URL.rstrip("/") + reverse("citizen:home")


def family_email(message) -> tuple[str, str]:
    """Subject and body of a family e-mail, in the recipient's language."""
    if message.kind == "family_log_entry":
        # Checked again when it leaves: an entry withheld from this guardian
        # after it was written is never announced to them.
        with scopes_disabled():
            if entry_withheld_from(message.params.get("entry"), message.recipient.national_id):
                raise Cancelled("the entry is withheld from the recipient")
    context = {"sentence": sentence(message.kind), "link": family_link()}
    subject = render_to_string("citizen/email_subject.txt", context).strip()
    body = render_to_string("citizen/email_body.txt", context)
    return subject, body


for code, text in [
    ("family_log_entry", _("Something new has been written in your child's log in Stafett.")),
    ("family_meeting_planned", _("A meeting about your child has been planned in Stafett.")),
    ("family_consent_expiring", _("Your consent for your child's log in Stafett will soon run out.")),
    ("family_holder_changed", _("Your child's log in Stafett has a new holder (contact person).")),
]:
    register(Kind(code, text, in_app=False, render_email=family_email))
