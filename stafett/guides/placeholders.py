"""Placeholders in a tool's printable text, such as "Samtykke for {child}".

Tool texts are written by BTI coordinators, so filling them in is plain,
literal substitution of `{name}` by a value: never the Django template engine,
never `str.format` (both would let a text reach into Python objects). The
result is plain text; escaping it is the template's job (autoescape).

A placeholder with no value, or a name outside the vocabulary, becomes a
visible blank line (`BLANK`), so a printed form can be filled in by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The vocabulary, in the order an editor is shown it.
PLACEHOLDERS: dict[str, str] = {
    "child": _("the child's name"),
    "child_birth_date": _("the child's date of birth (or expected date)"),
    "service": _("the service"),
    "municipality": _("the municipality"),
    "employee": _("the employee who prints the form"),
    "meeting_time": _("the time of the meeting"),
    "meeting_place": _("the place of the meeting"),
    "participants": _("who takes part"),
    "police_phone": _("the police's phone number"),
    "child_welfare_phone": _("the child welfare service's phone number"),
    "after_hours_name": _("the after-hours child welfare service"),
    "after_hours_phone": _("the after-hours service's phone number"),
    "today": _("today's date"),
}

# Room to write by hand on paper.
BLANK = "_" * 16

# `{name}` with a plain lower-case name; anything else (`{{ x }}`, `{ a b }`,
# `{0}`) is ordinary text and stays as it is.
PATTERN = re.compile(r"\{([a-z][a-z_]*)\}")

DATE_FORMAT = "%d.%m.%Y"  # Norwegian numeric dates: the same in bokmål and nynorsk


def fill(text: str, values: Mapping[str, object] | None = None, blank: str = BLANK) -> str:
    """`text` with every known placeholder replaced by its value.

    Unknown names and empty values become `blank`. Values are inserted as
    they are: a value that looks like a placeholder is not filled in again.
    """
    values = values or {}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return blank
        value = values.get(name)
        if value is None:
            return blank
        value = str(value).strip()
        return value or blank

    return PATTERN.sub(replace, text or "")


def names_in(text: str) -> list[str]:
    """The placeholder names used in `text`, in order, each once."""
    return list(dict.fromkeys(PATTERN.findall(text or "")))


def unknown_names(text: str) -> list[str]:
    """Names in `text` outside the vocabulary (for an editor to warn about)."""
    return [name for name in names_in(text) if name not in PLACEHOLDERS]


def format_date(value) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def values_for_municipality(municipality) -> dict[str, str]:
    """What a blank form knows: the municipality and its emergency numbers.

    `today` is left out on purpose: a blank form is printed now and filled in
    later, so its date is written by hand."""
    if municipality is None:
        return {}
    return {
        "municipality": municipality.name,
        "police_phone": municipality.police_phone,
        "child_welfare_phone": municipality.child_welfare_phone,
        "after_hours_name": municipality.after_hours_name,
        "after_hours_phone": municipality.after_hours_phone,
    }


def values_for_concern(concern, actor) -> dict[str, str]:
    """What a form filled in from a level-0 worry knows.

    Load the worry with `concerns.actions.read_concern` first (that checks
    access and audits the read); this only reads what is already loaded:
    the child and service (select_related by the policy layer) and the
    actor's municipality, which is the worry's. `employee` is the person
    printing the form. Meeting fields stay blank until a relay fills them.
    """
    child = concern.child
    return {
        **values_for_municipality(actor.municipality),
        # The child as the worry's author typed it (docs/one-child.md).
        "child": concern.child_name,
        "child_birth_date": format_date(child.birth_date or child.expected_date),
        "service": concern.service.name,
        "employee": _display_name(actor.user),
        "today": format_date(timezone.localdate()),
    }


def _display_name(user) -> str:
    if user is None:
        return ""
    name = getattr(user, "display_name", None)
    if name:
        return str(name)
    return user.get_full_name() or user.get_username()


# --- Layout of a tool's text ----------------------------------------------
#
# A tool's text is plain text with a light, documented layout so the printed
# form gets real headings and lists (and a tagged PDF gets their structure):
#   - a line starting with "## " is a heading;
#   - consecutive lines starting with "- " form a bullet list (a blank line
#     between two items does not end the list);
#   - other lines are paragraphs, separated by a blank line; a single line
#     break inside a paragraph is kept.
# The blocks hold plain text; templates escape it.

HEADING_PREFIX = "## "
ITEM_PREFIX = "- "


def blocks(text: str) -> list[dict]:
    """Split filled-in text into {"kind": "heading"|"list"|"paragraph", ...}."""
    result: list[dict] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            result.append({"kind": "paragraph", "text": "\n".join(lines)})
            lines.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            end_paragraph()
        elif line.startswith(HEADING_PREFIX) or line == HEADING_PREFIX.strip():
            end_paragraph()
            heading = line[len(HEADING_PREFIX):].strip()
            if heading:
                result.append({"kind": "heading", "text": heading})
        elif line.startswith(ITEM_PREFIX) or line == ITEM_PREFIX.strip():
            end_paragraph()
            item = line[len(ITEM_PREFIX):].strip()
            if not item:
                continue
            if result and result[-1]["kind"] == "list":
                result[-1]["items"].append(item)
            else:
                result.append({"kind": "list", "items": [item]})
        else:
            lines.append(line)
    end_paragraph()
    return result
