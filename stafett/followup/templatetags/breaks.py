"""`{% load breaks %}{% break_rows rows %}`: the rows of "Needs attention" as
HTML written in Python, as the timeline's entries are: in a template the 25
rows cost more than the rest of the page's own work
(docs/performance-notes.md)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from stafett.lib.rows import csrf_input, html_text

register = template.Library()


_WHERE = {"concern": gettext_noop("Worry about %(name)s"),
          "appoint": gettext_noop("Appoint a new holder for %(name)s"),
          "relay": gettext_noop("Relay for %(name)s")}


def _where(row) -> str:
    """The case the break is on (`shown`, chosen in the view), linked, or
    why it is not shown."""
    shown = row["shown"]
    if shown is None:
        return html_text(_("Not shown: you do not have access to this case."))
    text = _(_WHERE[shown]) % {"name": html_text(row[shown].child_name)}
    return f'<a href="{html_text(row["where_url"])}">{text}</a>'


@register.simple_tag(takes_context=True)
def break_rows(context, rows) -> SafeString:
    """One table row per notification; each row carries what
    followup.views.needs_attention worked out once per page (rule_label,
    since, shown, where_url, read_url)."""
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
