"""The report section on a worry's or a relay's page (and on the acute
path): the reports the reader may see, with their status, and the button to
write one. The worry and relay apps sit below reports, so their pages reach
it through this tag rather than an import."""

from django import template

from stafett.reports.policy import (
    concern_reporting_service,
    relay_reporting_service,
    reports_on_case,
)

register = template.Library()


@register.inclusion_tag("reports/_section.html", takes_context=True)
def report_section(context, concern=None, relay=None, acute=False, allowed=None):
    """`allowed`: the actor's relay actions, where the page has them already."""
    actor = context["request"].actor
    if concern is not None:
        may_write = concern_reporting_service(actor, concern) is not None
    else:
        may_write = relay_reporting_service(actor, relay, allowed) is not None
    reports = reports_on_case(actor, concern=concern, relay=relay)
    return {
        "concern": concern, "relay": relay, "acute": acute, "may_write": may_write,
        "reports": reports,
        "csrf_token": context.get("csrf_token"),
    }
