"""`{% load relays %}{% relay_rows rows %}`: the rows of "My relays" as HTML
written in Python, as the timeline's entries are: in a template the 25 rows
cost more than the rest of the page's own work (docs/performance-notes.md)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from stafett.lib.rows import html_text

register = template.Library()


@register.simple_tag
def relay_rows(rows) -> SafeString:
    """One table row per relay; each row carries what relay.views.mine
    worked out once per page (url, role, when)."""
    items = []
    for row in rows:
        relay = row["relay"]
        items.append(
            f"<tr>\n"
            f'        <td><a href="{html_text(row["url"])}">{html_text(relay.child_name)}</a></td>\n'
            f"        <td>{html_text(relay.level)}</td>\n"
            f"        <td>{html_text(relay.holder.display_name)}, {html_text(relay.holder_service.name)}</td>\n"
            f"        <td>{html_text(row['role'])}</td>\n"
            f"        <td>{html_text(row['when'])}</td>\n"
            f"      </tr>")
    return mark_safe("\n      ".join(items))  # every text above is escaped
