"""The report section on a worry's or a relay's page (and on the acute
path): the reports the reader may see, with their status, and the button to
write one. The worry and relay apps sit below reports, so their pages reach
it through this tag rather than an import."""

from django import template

from stafett.reports.policy import (
    SHOWN_ON_A_CASE,
    concern_reporting_service,
    relay_reporting_service,
    reports_on,
    reports_on_relay,
)

register = template.Library()


@register.inclusion_tag("reports/_section.html", takes_context=True)
def report_section(context, concern=None, relay=None, acute=False):
    actor = context["request"].actor
    if concern is not None:
        may_write = concern_reporting_service(actor, concern) is not None
        reports = list(reports_on(actor, concern=concern).select_related("reporter")
                       .order_by("-created_at", "-pk")[:SHOWN_ON_A_CASE])
    else:
        may_write = relay_reporting_service(actor, relay) is not None
        reports = reports_on_relay(actor, relay)
    return {
        "concern": concern, "relay": relay, "acute": acute, "may_write": may_write,
        "reports": reports,
        "csrf_token": context.get("csrf_token"),
    }
