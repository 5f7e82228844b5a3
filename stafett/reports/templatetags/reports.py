"""The report section on a worry's or a relay's page (and on the acute
path): the reports the reader may see, with their status, and the button to
write one. The worry and relay apps sit below reports, so their pages reach
it through this tag rather than an import."""

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.lib.rows import csrf_input, day_label, html_text
from stafett.reports.policy import (
    concern_reporting_service,
    relay_reporting_service,
    reports_on_case,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def report_section(context, concern=None, relay=None, acute=False, allowed=None) -> SafeString:
    """`allowed`: the actor's relay actions, where the page has them already.
    Written here, not as an included template: it is on every relay and
    worry page (each report's status line is still reports/_status.html,
    as on the leader's list)."""
    actor = context["request"].actor
    if concern is not None:
        may_write = concern_reporting_service(actor, concern) is not None
    else:
        may_write = relay_reporting_service(actor, relay, allowed) is not None
    reports = reports_on_case(actor, concern=concern, relay=relay)
    if not (may_write or reports):
        return SafeString("")
    heading = html_text(_("Report of concern to the child welfare service"))
    parts = [f'<section aria-labelledby="h-reports" id="bekymringsmelding">\n'
             f'  <h2 id="h-reports">{heading}</h2>\n']
    if reports:
        when, status = day_label("j. F Y"), get_template("reports/_status.html")
        items = []
        for report in reports:
            name = _("Report of %(when)s by %(who)s") % {
                "when": html_text(when(report.created_at)), "who": html_text(report.reporter.display_name)}
            url = html_text(reverse("reports:detail", args=[report.pk]))
            items.append(f'<li><a href="{url}">{name}</a>: {status.render({"report": report})}</li>')
        parts.append(f"  <ul>\n    {''.join(items)}\n  </ul>\n")
    if may_write:
        duty = html_text(_("If you believe the child is neglected or harmed, you have a duty to report to "
                           "the child welfare service. No consent is needed."))
        action = html_text(reverse("reports:create_from_concern", args=[concern.pk]) if concern
                           else reverse("reports:create_from_relay", args=[relay.pk]))
        button = html_text(_("Write a report of concern"))
        parts.append(
            f"  <p>{duty}</p>\n"
            f'  <form method="post" action="{action}">\n'
            f"    {csrf_input(context)}\n"
            + ('    <input type="hidden" name="acute" value="1">\n' if acute else "")
            + f'    <button type="submit" class="button{" button--acute" if acute else ""}">{button}</button>\n'
            f"  </form>\n")
    parts.append("</section>")
    return mark_safe("".join(parts))  # every text is escaped
