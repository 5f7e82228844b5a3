"""`{% load menu %}`: the staff frame (base.html) as HTML written in Python:
its header with the main menu (`staff_header`, `staff_menu`), its footer
and its static files. It is on every staff page. As a template the menu
alone (a dozen links, each a translation, a URL and a test of the current
page, and the two badges as includes) cost more than the bare view's whole
template, and the rest of the frame's nodes 1.4 ms of every staff page on a
slow machine, against 0.9 ms written here (docs/performance-notes.md). The
family frame is citizen/base.html; the language switch and log-out button
both frames show are `frame`'s."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from stafett.lib.rows import csrf_input, html_text

from .frame import language_form, logout_form
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


@lru_cache(maxsize=32)
def _static(path: str, base: str) -> SafeString:
    # Keyed by STATIC_URL too: the URL depends on nothing else of a request.
    return mark_safe(html_text(static(path)))  # escaped


@register.simple_tag
def static_url(path: str) -> SafeString:
    """`{% static path %}` for the frame's own files, worked out once a process."""
    return _static(path, settings.STATIC_URL)


def _municipality_switch(context) -> str:
    """The form to act in another municipality, for someone who works in several."""
    actor = context.get("actor")
    municipalities = getattr(actor, "municipalities", ())
    if len(municipalities) <= 1:
        return ""
    current = getattr(actor.municipality, "pk", None)
    options = "".join(f'<option value="{html_text(pk)}"{" selected" if pk == current else ""}>'
                      f"{html_text(name)}</option>" for pk, name in municipalities)
    label, button = html_text(_("Municipality")), html_text(_("Switch municipality"))
    return (f'<form class="language-form" method="post" action="{route_url("switch_municipality")}">\n'
            f"  {csrf_input(context)}\n"
            f'  <label for="municipality-select">{label}</label>\n'
            f'  <select id="municipality-select" name="municipality">\n'
            f"    {options}\n"
            f"  </select>\n"
            f'  <button type="submit" class="button button--small">{button}</button>\n'
            f"</form>\n")


@register.simple_tag(takes_context=True)
def staff_header(context) -> SafeString:
    """The staff frame's header: the brand (with the municipality acted in),
    the main menu for staff, and but on error pages (which carry nothing per
    request: no token, no path, so a 404 reads the same for every object)
    the municipality switch, the language switch and the log-out button."""
    municipality, actor = context.get("municipality"), context.get("actor")
    brand = "Stafett"
    if municipality:
        brand += f' <span class="brand__municipality">{html_text(municipality.name)}</span>'
    parts = ['<header class="site-header">\n    <div class="site-header__inner">\n'
             f'      <a class="brand" href="{route_url("home")}">{brand}</a>\n']
    if getattr(actor, "is_staff_member", False):
        parts.append(f"      {staff_menu(context)}\n")
    if not context.get("error_page"):
        user = context.get("user")
        tools = [_municipality_switch(context), language_form(context, context.get("staff_languages") or ())]
        if getattr(user, "is_authenticated", False):
            tools.append(logout_form(context, route_url("accounts:logout")))
        parts.append('      <div class="header-tools">\n' + "".join(tools) + "      </div>\n")
    parts.append("    </div>\n  </header>")
    return mark_safe("".join(parts))  # every text is escaped


@register.simple_tag(takes_context=True)
def staff_footer(context) -> SafeString:
    """The staff frame's footer: the municipality's emergency numbers, when
    the page is in one, and the name of the work."""
    municipality = context.get("municipality")
    lines = []
    if municipality:
        def phone(number):
            number = html_text(number)
            return f'<a href="tel:{number}">{number}</a>'

        emergency, police, welfare = (html_text(_("Emergency")), html_text(_("Police")),
                                      html_text(_("Child welfare service")))
        lines.append(
            f"<p>{emergency}: {police} {phone(municipality.police_phone)} · "
            f"{welfare} {phone(municipality.child_welfare_phone)} · "
            f"{html_text(municipality.after_hours_name)} {phone(municipality.after_hours_phone)}</p>\n")
    work = html_text(_("Better interdisciplinary effort (BTI)"))
    lines.append(f"<p>Stafett – {work}</p>")
    return mark_safe('<footer class="site-footer">\n    ' + "    ".join(lines) + "\n  </footer>")
