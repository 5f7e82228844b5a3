"""`{% load authors %}{% entry_author entry %}`: who wrote a log entry, on
the relay's timeline, the guardians' copy, the family's own log, the PDF and
the correction pages alike. Its words are on a family page: they are in
every family language (tests/citizen/test_languages.py)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.lib.rows import html_text

register = template.Library()


def author_html(entry) -> str:
    """The family (marked) and the person, or the person and their service."""
    name = html_text(entry.author.display_name)
    if entry.by_family:
        badge = html_text(_("From the family"))  # not in the f-string: makemessages would miss it
        return f'<span class="badge badge--family">{badge}</span> {name}'
    return f"{name}, {html_text(entry.author_service.name)}"


@register.simple_tag
def entry_author(entry) -> SafeString:
    return mark_safe(author_html(entry))  # escaped in author_html
