"""`{% load entries %}`: the timeline's entries as HTML written in Python.
A relay's page shows 25 entries, and in a template each cost about 0.25 ms
of CPU (a nested include and a partial per entry); written here they cost
a tenth of that (docs/performance-notes.md). The relay's page and the
guardians' copy use it; the author is `authors.author_html`, as on every
page that names an entry's author."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stafett.lib.rows import html_text

from .authors import author_html

register = template.Library()


@register.simple_tag
def timeline_entries(entries, tools: bool = False, allowed=(), user=None) -> SafeString:
    """The timeline's list items. Each entry carries what
    relay.views.label_entries worked out once per page (kind_label,
    created_iso, created_shown, correct_url, withhold_url, which). With
    `tools`, the actions of each entry: "Correct" for its author while they
    may change the content, on entries with wording of theirs that are not
    corrected yet (Entry.correctable, `is_corrected`); "Withhold from a
    guardian" for whoever may withhold (the holder)."""
    corrected, corrected_note = html_text(_("Corrected")), html_text(
        _("This entry has been corrected; the new wording is further up."))
    correct, withhold = html_text(_("Correct")), html_text(_("Withhold from a guardian"))
    may_correct = tools and "content" in allowed
    may_withhold = tools and "withhold" in allowed
    user_id = getattr(user, "pk", None)
    items = []
    for entry in entries:
        parts = [
            f'<li class="timeline__entry timeline__entry--{html_text(entry.kind)}">\n'
            f'    <p class="meta"><span class="badge">{html_text(entry.kind_label)}</span> '
            f'<time datetime="{html_text(entry.created_iso)}">{html_text(entry.created_shown)}</time> · '
            f"{author_html(entry)}</p>\n"]
        # is_corrected and corrects_withheld are the timeline queries' annotations.
        is_corrected = getattr(entry, "is_corrected", False)
        if entry.corrects_id and not getattr(entry, "corrects_withheld", False):
            parts.append(f'    <p class="correction">{corrected}: <del>{html_text(entry.corrects.display_text)}</del></p>\n')
        parts.append(f'    <p class="prose">{html_text(entry.display_text)}</p>\n')
        if is_corrected:
            parts.append(f'    <p class="meta">{corrected_note}</p>\n')
        if may_correct and entry.author_id == user_id and not is_corrected and entry.correctable:
            parts.append(f'<a class="entry-action" href="{html_text(entry.correct_url)}">{correct}'
                         f'<span class="visually-hidden"> {html_text(entry.which)}</span></a>\n')
        if may_withhold:
            parts.append(f'<a class="entry-action" href="{html_text(entry.withhold_url)}">{withhold}'
                         f'<span class="visually-hidden"> {html_text(entry.which)}</span></a>\n')
        parts.append("  </li>")
        items.append("".join(parts))
    return mark_safe("\n  ".join(items))  # every text above is escaped
