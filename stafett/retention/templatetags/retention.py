"""`{% legal_hold_link kind case %}`: the link to the legal hold page on a
relay or worry page, shown only to those the policy lets set a hold there
(the page itself asks the policy again)."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.lib.rows import html_text
from stafett.retention.policy import hold_basis

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_hold_link(context, kind: str, case) -> SafeString:
    """The link as HTML written here: on every relay and worry page, and as
    an included template it cost a relay's page a fifth of a millisecond."""
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or hold_basis(actor, kind, case) is None:
        return SafeString("")
    url = html_text(reverse(f"retention:{kind}_hold", args=[case.pk]))
    text = html_text(_("Legal hold: keep the child's data"))
    return mark_safe(f'<p><a href="{url}">{text}</a></p>')  # every text is escaped
