"""`{% load worries %}{% worry_rows rows show_author %}`: the rows of a list
of worries (my worries, the leader's inbox) as HTML written in Python, as
the timeline's entries are: in a template the 25 rows cost more than the
rest of the page's own work (docs/performance-notes.md). `{% journey_steps %}`:
the five steps at the top of every page of one worry, likewise (a URL tag
and three conditions per step cost a millisecond there)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.lib.rows import html_text, url_for_each

register = template.Library()


def _author_cell(row) -> str:
    """Who registered the worry, and in the inbox a way to give it to
    someone else when its author has left (or there is none)."""
    concern = row["concern"]
    parts = []
    if concern.raised_by_family:
        parts.append(f'<span class="badge">{html_text(_("Raised by the family"))}</span> ')
    if concern.author_id:
        parts.append(html_text(concern.author.display_name))
    if getattr(concern, "author_active", None) is False:
        gone = _("has left the service") if concern.author_id else _("Nobody works on it yet")
        give = _("Give the worry about %(name)s to someone else") % {
            "name": html_text(concern.child_name)}
        parts.append(f' – {html_text(gone)}. <a href="{html_text(row["reassign_url"])}">{give}</a>')
    return f"<td>{''.join(parts)}</td>"


@register.simple_tag
def worry_rows(rows, show_author: bool = False) -> SafeString:
    """One table row per worry; each row carries what concerns.views._rows
    worked out once per page (url, reassign_url, steps_done, days_idle, next)."""
    items = []
    for row in rows:
        concern = row["concern"]
        author = f"\n      {_author_cell(row)}" if show_author else ""
        following = html_text(row["next"].title) if row["next"] else "–"
        items.append(
            f"<tr>\n"
            f'      <td><a href="{html_text(row["url"])}">{html_text(concern.child_name)}</a></td>'
            f"{author}\n"
            f"      <td>{html_text(concern.service.name)}</td>\n"
            f"      <td>{html_text(row['steps_done'])}</td>\n"
            f"      <td>{html_text(row['days_idle'])}</td>\n"
            f"      <td>{following}</td>\n"
            f"    </tr>")
    return mark_safe("\n    ".join(items))  # every text above is escaped


_STEP_CLASS = {"done": ' class="is-done"', "next": ' class="is-next"', "open": ' class=""'}


@register.simple_tag
def journey_steps(journey, concern, current: str = "") -> SafeString:
    """The list items of the worry's steps on level 0 (concerns.journey), in
    order and numbered: each a link to its step's page, `current` marked as
    the step shown, with whether it is done or the suggested next one."""
    url = url_for_each("concerns:step", concern.pk)
    status = {"done": html_text(_("Done")), "next": html_text(_("Suggested next")),
              "open": html_text(_("Not done"))}
    items = []
    for number, item in enumerate(journey, 1):
        state = "done" if item.done else "next" if item.is_next else "open"
        marked = ' aria-current="step"' if item.code == current else ""
        items.append(
            f"<li{_STEP_CLASS[state]}>\n"
            f'      <a href="{html_text(url(item.code))}"{marked}>{number}. {html_text(item.title)}</a>\n'
            f'      <span class="status">{status[state]}</span>\n'
            f"    </li>")
    return mark_safe("\n    ".join(items))  # every text above is escaped
