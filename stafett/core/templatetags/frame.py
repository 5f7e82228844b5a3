"""`{% load frame %}`: the language switch and the log-out button that both
page frames (staff and family) show on every page, and the staff frame's
header, footer and static files, as HTML written in Python. As template
includes they were a third of the frame's cost, on every page; as template
nodes the rest of the staff frame cost 1.4 ms of every staff page on a slow
machine (docs/performance-notes.md). The language switch's and log-out
button's words are on family pages: they are in every family language
(tests/citizen/test_languages.py)."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stafett.lib.rows import csrf_input, html_text

from .menu import staff_menu
from .rows import route_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_form(context, languages) -> SafeString:
    """The language switch; `languages`: the (code, name) pairs the frame offers."""
    current = get_language()
    options = "".join(
        f'<option value="{html_text(code)}" lang="{html_text(code)}"'
        f'{" selected" if code == current else ""}>{html_text(name)}</option>'
        for code, name in languages)
    label, button = html_text(_("Language")), html_text(_("Change language"))
    return mark_safe(  # every text is escaped
        f'<form class="language-form" method="post" action="{route_url("core:set_language")}">\n'
        f"  {csrf_input(context)}\n"
        f'  <input type="hidden" name="next" value="{html_text(context["request"].get_full_path())}">\n'
        f'  <label for="language-select">{label}</label>\n'
        f'  <select id="language-select" name="language">\n'
        f"    {options}\n"
        f"  </select>\n"
        f'  <button type="submit" class="button button--small">{button}</button>\n'
        f"</form>\n")


@register.simple_tag(takes_context=True)
def logout_form(context, action: str) -> SafeString:
    """The log-out button; `action`: where this frame logs out (staff:
    accounts, families: ID-porten)."""
    button = html_text(_("Log out"))
    return mark_safe(  # every text is escaped
        f'<form method="post" action="{html_text(action)}">\n'
        f"  {csrf_input(context)}\n"
        f'  <button type="submit" class="button button--small button--secondary">{button}</button>\n'
        f"</form>\n")


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
