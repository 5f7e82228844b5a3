"""The question bank Stafett ships, built on the BTI model's own areas.

Each question has a stable key and an English source text that gettext
translates: a municipality's bank gets a copy on first use (`ensure_bank`),
and a copied question keeps its source text, so it shows in the reader's
language until the coordinator rewrites it (then it is the coordinator's text,
shown as written).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Area, QuestionKind


@dataclass(frozen=True)
class Shipped:
    key: str
    area: str
    kind: str
    source: str  # the msgid: what is stored until the coordinator edits it


L, Y, F = QuestionKind.LIKERT, QuestionKind.YES_NO, QuestionKind.FREE_TEXT

_ = _  # the texts below are marked for makemessages; `source` keeps the msgid
SHIPPED = [
    Shipped("levels-know", Area.LEVELS, L, "I know the four levels of BTI and what each is for."),
    Shipped("levels-steps", Area.LEVELS, L, "I know which steps to take on level 0 when I am worried about a child."),
    Shipped("levels-guide", Area.LEVELS, Y, "I know where to find our municipality's action guide."),
    Shipped("talk-children", Area.CONVERSATIONS, L, "I feel confident talking with a child about what I am worried about."),
    Shipped("talk-parents", Area.CONVERSATIONS, L, "I feel confident sharing a worry with the parents."),
    Shipped("talk-tools", Area.CONVERSATIONS, Y, "I have used a conversation guide in a talk with parents or a child."),
    Shipped("consent-when", Area.CONSENT, L, "I know when I need consent to share information with another service."),
    Shipped("consent-form", Area.CONSENT, Y, "I know where to find the consent form and how to use it."),
    Shipped("consent-duty", Area.CONSENT, L, "I know when the duty to report to the child welfare service overrides confidentiality."),
    Shipped("holder-role", Area.HOLDER, L, "I know what a stafettholder does."),
    Shipped("holder-ready", Area.HOLDER, L, "I would be ready to be stafettholder for a child."),
    Shipped("holder-log", Area.HOLDER, Y, "I have worked with a stafettlogg."),
    Shipped("sharing-leader", Area.SHARING, L, "I know how to share a worry with my leader in my service."),
    Shipped("sharing-routine", Area.SHARING, Y, "My service has a written routine for sharing a worry."),
    Shipped("sharing-acute", Area.SHARING, L, "I know what to do the same day on suspicion of violence or abuse."),
    Shipped("coop-who", Area.COOPERATION, L, "I know which other services I can cooperate with about a child."),
    Shipped("coop-works", Area.COOPERATION, L, "Cooperation between the services works well for the children."),
    Shipped("coop-better", Area.COOPERATION, F, "What would make cooperation between the services better?"),
    Shipped("measures-know", Area.MEASURES, L, "I know the measures the municipality offers children and families."),
    Shipped("measures-find", Area.MEASURES, Y, "I know where to find the overview of measures."),
    Shipped("measures-need", Area.MEASURES, F, "Which measures are missing for the children and families you meet?"),
]
BY_KEY = {s.key: s for s in SHIPPED}

# makemessages reads these calls; the list above keeps plain strings so the
# stored text is always the untranslated source.
_marked = [
    _("I know the four levels of BTI and what each is for."),
    _("I know which steps to take on level 0 when I am worried about a child."),
    _("I know where to find our municipality's action guide."),
    _("I feel confident talking with a child about what I am worried about."),
    _("I feel confident sharing a worry with the parents."),
    _("I have used a conversation guide in a talk with parents or a child."),
    _("I know when I need consent to share information with another service."),
    _("I know where to find the consent form and how to use it."),
    _("I know when the duty to report to the child welfare service overrides confidentiality."),
    _("I know what a stafettholder does."),
    _("I would be ready to be stafettholder for a child."),
    _("I have worked with a stafettlogg."),
    _("I know how to share a worry with my leader in my service."),
    _("My service has a written routine for sharing a worry."),
    _("I know what to do the same day on suspicion of violence or abuse."),
    _("I know which other services I can cooperate with about a child."),
    _("Cooperation between the services works well for the children."),
    _("What would make cooperation between the services better?"),
    _("I know the measures the municipality offers children and families."),
    _("I know where to find the overview of measures."),
    _("Which measures are missing for the children and families you meet?"),
]


def display_text(text: str, key: str) -> str:
    """A shipped question the coordinator has not rewritten, in the reader's
    language; anything else as written."""
    shipped = BY_KEY.get(key) if key else None
    if shipped is not None and text == shipped.source:
        return gettext(shipped.source)
    return text
