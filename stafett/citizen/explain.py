"""The level and the next step of a relay in words a parent understands.

Short, plain sentences (translated like every string); what staff wrote is
never rewritten here."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def level(relay) -> str:
    if not relay.is_open:
        return _("The log is closed. The services no longer work together on it, but you can still read it.")
    texts = {
        1: _("Level 1: one service (for example the kindergarten or the school) works with you and your "
             "child on what you are worried about, with the help it has itself."),
        2: _("Level 2: two or more services work together with you, for example the school and the "
             "health station. One person, the holder, keeps it all together."),
        3: _("Level 3: several services work closely together with you, because more help is needed. "
             "The holder keeps it all together and calls you to meetings."),
    }
    return texts.get(relay.level, "")


def next_step(context) -> str:
    """The next thing that happens, from what the log holds now."""
    relay = context["relay"]
    if not relay.is_open:
        return _("Nothing more is planned. Contact the service if you are worried again.")
    now = context["now"]
    ahead = [m for m in context["meetings"] if m.starts_at > now]
    if context["consent"] is None:
        return _("The services need your consent before they can work together. The holder will talk with you about it.")
    if ahead:
        first = min(ahead, key=lambda m: m.starts_at)
        when = formats.date_format(timezone.localtime(first.starts_at), "DATETIME_FORMAT")
        return _("The next meeting is %(when)s at %(place)s. You can tell us before it whether you will come, "
                 "and what your child wants us to know.") % {"when": when, "place": first.place}
    if not context["goals"]:
        return _("Next, you and the services agree on what should become better for your child (the goals).")
    if not context["measures"]:
        return _("Next, you agree on what will be done (the measures) and who does it.")
    today = timezone.localdate(now)
    evaluations = [m.evaluate_on for m in context["measures"] if m.evaluate_on >= today]
    if evaluations:
        day = formats.date_format(min(evaluations), "DATE_FORMAT")
        return _("The measures are under way. On %(date)s you will look together at how they have worked.") % {
            "date": day}
    return _("It is time to look together at how the measures have worked. The holder will contact you.")
