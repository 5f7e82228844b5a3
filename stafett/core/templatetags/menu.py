"""`{% load menu %}{% staff_menu %}`: the staff frame's main menu, as HTML
written in Python. It is on every staff page, and as a template (a dozen
links, each a translation, a URL and a test of the current page, and the two
badges as includes) it cost more than the bare view's whole template
(docs/performance-notes.md)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from stafett.lib.rows import html_text

from .rows import route_url

register = template.Library()

# (route, the `nav` values that mark it current, label, who sees it); the
# two badges come after the first link.
_EVERYONE, _LEADER, _LEADER_OR_COORDINATOR, _COORDINATOR = range(4)
_LINKS = (
    ("concerns:mine", ("mine",), gettext_noop("My worries"), _EVERYONE),
    ("relay:mine", ("relays",), gettext_noop("My relays"), _EVERYONE),
    ("concerns:inbox", ("inbox",), gettext_noop("Leader's inbox"), _LEADER),
    ("reports:index", ("reports", "reports_settings"), gettext_noop("Reports of concern"),
     _LEADER_OR_COORDINATOR),
    ("insights:dashboard", ("insights",), gettext_noop("Leadership view"), _LEADER_OR_COORDINATOR),
    ("fullrecord:list", ("fullrecord",), gettext_noop("Requests for access"), _EVERYONE),
    ("guides:overview", ("guide",), gettext_noop("Action guide"), _EVERYONE),
    ("catalog:list", ("catalog",), gettext_noop("Catalogue of measures"), _EVERYONE),
    ("guides_editor:index", ("guide_editor",), gettext_noop("Edit the guide"), _COORDINATOR),
    ("archive_extract:index", ("extract",), gettext_noop("Archive extract"), _COORDINATOR),
    ("accounts:account", ("account",), gettext_noop("My account"), _EVERYONE),
)


_CURRENT = ' aria-current="page"'


def _link(route: str, label: str, current: bool, css: str = "") -> str:
    return f'<a href="{route_url(route)}"{_CURRENT if current else ""}{css}>{html_text(label)}</a>'


def _badges(nav, followup: int, notices: int) -> list[str]:
    """Needs attention (the follow-up list) and the notices, each with its count."""
    if followup:
        text = ngettext("%(n)s needs attention", "%(n)s need attention", followup) % {"n": followup}
        first = f'<a class="badge" href="{route_url("followup:list")}">{html_text(text)}</a>'
    else:
        first = f'<a href="{route_url("followup:list")}">{html_text(_("Needs attention"))}</a>'
    if notices:
        text = ngettext("%(n)s new notification", "%(n)s new notifications", notices) % {"n": notices}
    else:
        text = _("Notifications")
    second = _link("notify:list", text, nav == "notices", ' class="badge"' if notices else "")
    return [first, second]


@register.simple_tag(takes_context=True)
def staff_menu(context) -> SafeString:
    """The menu for the frame's actor: the links their roles open, the page's
    own marked current (`nav`), and the badges' counts (followup.context_processors)."""
    actor, nav = context.get("actor"), context.get("nav")
    leader, coordinator = bool(context.get("is_leader")), bool(actor and actor.is_coordinator)
    shown = {_EVERYONE: True, _LEADER: leader, _LEADER_OR_COORDINATOR: leader or coordinator,
             _COORDINATOR: coordinator}
    items = [_link(route, _(label), nav in navs) for route, navs, label, who in _LINKS if shown[who]]
    items[1:1] = _badges(nav, context.get("followup_badge") or 0, context.get("notice_badge") or 0)
    lines = "".join(f"          <li>{item}</li>\n" for item in items)
    return mark_safe(  # every text is escaped
        f'<nav aria-label="{html_text(_("Main menu"))}">\n'
        f'        <ul class="nav">\n{lines}        </ul>\n'
        f"      </nav>")
