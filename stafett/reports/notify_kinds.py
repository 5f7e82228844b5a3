"""What a report of concern tells people (found by NotifyConfig.ready).
A notice links to the report, which only the reporter, her leader and the
relay's holder can open; the sentence names nobody."""

from django.utils.translation import gettext_lazy as _

from stafett.notify.kinds import Kind, register

REPORT_AWAITING_APPROVAL = register(Kind(
    "report_awaiting_approval",
    _("A report of concern to the child welfare service waits for your approval.")))
REPORT_SENT_BACK = register(Kind(
    "report_sent_back",
    _("A report of concern you wrote has been sent back to you with a comment.")))
REPORT_SENT_ACUTE = register(Kind(
    "report_sent_acute",
    _("A report of concern was sent to the child welfare service on the acute path, "
      "without waiting for your approval.")))
