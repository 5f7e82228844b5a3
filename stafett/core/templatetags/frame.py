"""`{% load frame %}`: the language switch and the log-out button that both
page frames (staff and family) show on every page, as HTML written in
Python. As template includes they were a third of the frame's cost, on
every page (docs/performance-notes.md). Their words are on family pages: they
are in every family language (tests/citizen/test_languages.py); the staff
frame's own words are in `menu`."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stafett.lib.rows import csrf_input, html_text

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
