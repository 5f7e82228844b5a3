"""`{% legal_hold_link kind case %}`: the link to the legal hold page on a
relay or worry page, shown only to those the policy lets set a hold there
(the page itself asks the policy again)."""

from django import template
from django.urls import reverse

from stafett.retention.policy import hold_basis

register = template.Library()


@register.inclusion_tag("retention/_hold_link.html", takes_context=True)
def legal_hold_link(context, kind: str, case):
    actor = getattr(context.get("request"), "actor", None)
    url = None
    if actor is not None and hold_basis(actor, kind, case) is not None:
        url = reverse(f"retention:{kind}_hold", args=[case.pk])
    return {"url": url}
