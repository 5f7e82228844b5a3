"""What staff are told when the family acts on the family pages (in the app,
and by e-mail without personal data, like every staff notice)."""

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
