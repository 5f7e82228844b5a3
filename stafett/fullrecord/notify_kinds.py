"""The e-mail the requester gets when their record is ready in the family
pages: only that, with a link — no name, nothing of the record (the same
renderer as the family's other e-mails, stafett.relay.notify_kinds)."""

from django.utils.translation import gettext_lazy as _

from stafett.notify.kinds import Kind, register
from stafett.relay.notify_kinds import family_email

FAMILY_RECORD_READY = register(Kind(
    "family_record_ready",
    _("The record you asked to see is ready for you in Stafett's family pages."),
    in_app=False, render_email=family_email,
))
