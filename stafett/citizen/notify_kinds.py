"""What staff are told when the family acts on the family pages (loaded by
NotifyConfig.ready like every app's notify_kinds). Sentences hold no
personal data; the link leads to the relay behind login and the policy."""

from django.utils.translation import gettext_lazy as _

from stafett.notify.kinds import Kind, register

FAMILY_WROTE = register(Kind(
    "family_wrote", _("The family has written in a relay you take part in.")))
FAMILY_CHILD_VIEW = register(Kind(
    "family_child_view", _("The child's own view has been written before a meeting in a relay you take part in.")))
FAMILY_MEETING_REPLY = register(Kind(
    "family_meeting_reply", _("The family has answered a meeting invitation in a relay you take part in.")))
FAMILY_WORRY_RAISED = register(Kind(
    "family_worry_raised", _("A family has asked your service to start the BTI work for their child.")))
FAMILY_CONSENT_SIGNED = register(Kind(
    "family_consent_signed",
    _("A family member has signed a consent in the family pages; others must still sign.")))
FAMILY_CONSENT_RECORDED = register(Kind(
    "family_consent_recorded",
    _("The family has signed a consent in the family pages, and it is now in force.")))
FAMILY_WITHDREW_CONSENT = register(Kind(
    "family_withdrew_consent",
    _("The family has withdrawn consent for a relay you take part in.")))
