"""What a person can be told: a registry of kinds.

Each kind has a code (stored on `Notice.kind` and `OutboxMessage.kind`) and
one translated sentence that is shown in the app and sent by e-mail. The
sentence never holds personal data: the e-mail says *that* something needs
the person, and the app, behind login and the policy layer, shows what.

Adding a kind: `register(Kind("code", _("Sentence.")))` below if it belongs
to the relay or worry work, or in the app that owns the event, imported from
that app's `notify_kinds.py` (NotifyConfig.ready loads every app's), then run
makemessages and translate the sentence. A kind that is
only e-mailed (the daily digest) sets `in_app=False` and brings its own
`render_email(message) -> (subject, body)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Kind:
    code: str
    sentence: Promise | str
    # False for kinds that are only e-mailed (no Notice, e.g. the digest).
    in_app: bool = True
    # (message) -> (subject, body); None renders the sentence with a link to
    # the person's notices (templates/notify/email_*.txt).
    render_email: Callable | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if not CODE.match(kind.code):
        raise ValueError(f"a kind's code is a short lower-case code, not {kind.code!r}")
    known = KINDS.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"the kind {kind.code!r} is already registered differently")
    KINDS[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None


def sentence(code: str) -> str:
    """The sentence for `code` in the active language (a neutral one for a
    kind that is no longer registered, so old notices still show)."""
    kind = KINDS.get(code)
    return str(kind.sentence) if kind else str(_("You have a notification in Stafett."))


# The relay and worry work (issue 8). The relay's and worry's actions call
# `tell(..., kind=<code>)` with these codes.
HANDOVER_OFFERED = register(Kind(
    "handover_offered", _("You are asked to take over as holder of a relay.")))
HANDOVER_ACCEPTED = register(Kind(
    "handover_accepted", _("A handover of a relay you offered has been accepted.")))
HANDOVER_DECLINED = register(Kind(
    "handover_declined", _("A handover of a relay you offered has been declined.")))
PARTICIPANT_ADDED = register(Kind(
    "participant_added", _("You have been added as a participant in a relay.")))
CONSENT_WITHDRAWN = register(Kind(
    "consent_withdrawn", _("A consent for a relay you take part in has been withdrawn.")))
CONSENT_NARROWED = register(Kind(
    "consent_narrowed",
    _("A new consent for a relay you take part in no longer covers every service that took part.")))
MEETING_INVITED = register(Kind(
    "meeting_invited", _("You have been invited to a meeting about a relay.")))
HOLDER_APPOINTMENT = register(Kind(
    "holder_appointment",
    _("You have been appointed to take over as holder of a relay. Please accept or decline.")))
INCLUSION_REQUESTED = register(Kind(
    "inclusion_requested", _("A service asks to be included in a relay you hold.")))
INCLUSION_DECLINED = register(Kind(
    "inclusion_declined",
    _("The family did not consent to your service taking part in a child's stafettlogg.")))
