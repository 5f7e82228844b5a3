"""`{% load breaks %}{% break_rows rows %}`: the rows of "Needs attention" as
HTML written in Python, as the timeline's entries are: in a template the 25
rows cost more than the rest of the page's own work
(docs/performance-notes.md)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.core.templatetags.frame import csrf_input
from stafett.lib.rows import html_text

register = template.Library()


def _where(row) -> str:
    """The case the break is on, linked, or why it is not shown."""
    for key, label in (("concern", _("Worry about %(name)s")),
                       ("appoint", _("Appoint a new holder for %(name)s")),
                       ("relay", _("Relay for %(name)s"))):
        if row.get(key):
            text = label % {"name": html_text(row[key].child_name)}
            return f'<a href="{html_text(row["where_url"])}">{text}</a>'
    return html_text(_("Not shown: you do not have access to this case."))


@register.simple_tag(takes_context=True)
def break_rows(context, rows) -> SafeString:
    """One table row per notification; each row carries what
    followup.views.needs_attention worked out once per page (rule_label,
    since, where_url, read_url)."""
    token = csrf_input(context)
    read, mark = html_text(_("Read")), html_text(_("Mark as read"))
    items = []
    for row in rows:
        notification = row["notification"]
        if notification.read_at:
            unread, state = "", read
        else:
            unread = ' class="unread"'
            state = (f'<form method="post" action="{html_text(row["read_url"])}">{token}'
                     f'<button type="submit" class="button button--secondary">{mark}</button></form>')
        items.append(
            f"<tr{unread}>\n"
            f"      <td>{html_text(row['rule_label'])}</td>\n"
            f"      <td>{_where(row)}</td>\n"
            f"      <td>{html_text(notification.brk.service.name)}</td>\n"
            f"      <td>{html_text(row['since'])}</td>\n"
            f"      <td>{state}</td>\n"
            f"    </tr>")
    return mark_safe("\n    ".join(items))  # every text above is escaped
