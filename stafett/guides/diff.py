"""What changed between two versions of an action guide, in a form people read.

Levels are matched by number, steps by (level number, variant, step number),
tools of a step by key. Changed texts are compared word by word (difflib), and
rendered as two cells: the old text with the removed words in <del>, the new
one with the added words in <ins>. Each marked part also carries a visually
hidden text label, so the change is not told by colour or strike-through alone.

Four queries for any two versions of any size (levels, steps, their tools).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Guide, Level, Step, Tool, Variant, other_language

# The written standards' names inside a label ("Summary (nynorsk)").
LANGUAGE_NAMES = {"nb": gettext_lazy("bokmål"), "nn": gettext_lazy("nynorsk")}
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    label: str
    old: SafeString
    new: SafeString
    lang: str


@dataclass
class ItemChange:
    """One guide, level or step that was added, removed or changed."""

    kind: str  # "guide" | "level" | "step"
    status: str  # "added" | "removed" | "changed"
    label: str
    sort_key: tuple
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}[self.status]


def _marked(tag: str, hidden: str, text: str) -> str:
    return (f'<{tag}><span class="visually-hidden">[{escape(hidden)} </span>{escape(text)}'
            f'<span class="visually-hidden">]</span></{tag}>')


def _merge_short_equals(opcodes, a_tokens: list[str]) -> list[tuple]:
    """Fold an unchanged run of at most one word between two changes into the
    change around it, so a rewritten sentence reads as one removed and one
    added phrase instead of a confetti of single words."""
    merged: list[list] = []
    for i, (op, a1, a2, b1, b2) in enumerate(opcodes):
        between = 0 < i < len(opcodes) - 1
        words = sum(1 for token in a_tokens[a1:a2] if not token.isspace())
        if op == "equal" and between and words <= 1:
            op = "replace"
        if merged and op != "equal" and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1], a2, merged[-1][3], b2]
        else:
            merged.append([op, a1, a2, b1, b2])
    return [tuple(item) for item in merged]


def _render(a_tokens: list[str], b_tokens: list[str], sep: str = "") -> tuple[SafeString, SafeString]:
    """The old and new text as HTML, with what was removed in <del> and what
    was added in <ins>."""
    old, new = [], []
    matcher = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in _merge_short_equals(matcher.get_opcodes(), a_tokens):
        a_text, b_text = sep.join(a_tokens[a1:a2]), sep.join(b_tokens[b1:b2])
        if op == "equal":
            old.append(escape(a_text))
            new.append(escape(b_text))
            continue
        if a_text:
            old.append(_marked("del", _("removed:"), a_text))
        if b_text:
            new.append(_marked("ins", _("added:"), b_text))
    return mark_safe(sep.join(old)), mark_safe(sep.join(new))  # noqa: S308 (parts escaped above)


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """`old` and `new` as HTML, marked word by word (whitespace is kept)."""
    return _render(_TOKENS.findall(old or ""), _TOKENS.findall(new or ""))


def list_diff(old: list[str], new: list[str]) -> tuple[SafeString, SafeString]:
    """Two lists (e.g. tool titles) as comma-separated HTML, marked item by item."""
    return _render(old, new, sep=", ")


def _field_labels(language: str) -> dict[str, tuple[str, str]]:
    """Field name -> (label, lang of its text)."""
    other = other_language(language)
    other_name = LANGUAGE_NAMES.get(other, other)
    base = {
        "title": _("Title"),
        "introduction": _("Introduction"),
        "purpose": _("Purpose"),
        "audience": _("Who it is for"),
        "summary": _("Summary"),
        "body": _("Read more"),
        "who": _("Who does it"),
    }
    labels = {name: (label, language) for name, label in base.items()}
    labels |= {f"{name}_other": (f"{label} ({other_name})", other) for name, label in base.items()}
    return labels


GUIDE_FIELDS = ("title", "introduction", "title_other", "introduction_other")
LEVEL_FIELDS = ("title", "purpose", "audience", "title_other", "purpose_other", "audience_other")
STEP_FIELDS = ("title", "summary", "body", "who", "title_other", "summary_other", "body_other",
               "who_other")


def _changes(old, new, fields, labels, *, tools=None) -> list[FieldChange]:
    """The fields that differ; for an added or removed item (`old` or `new`
    None), every field that has text."""
    changes = []
    for name in fields:
        a = getattr(old, name) if old is not None else ""
        b = getattr(new, name) if new is not None else ""
        if a == b:
            continue
        label, lang = labels[name]
        changes.append(FieldChange(label, *word_diff(a, b), lang=lang))
    if tools is not None:
        a, b = tools
        if a != b:
            label, lang = _("Tools"), labels["title"][1]
            changes.append(FieldChange(label, *list_diff(a, b), lang=lang))
    return changes


def _status(old, new) -> str:
    return "added" if old is None else "removed" if new is None else "changed"


def _load(guides: list[Guide]):
    """Levels by (guide, number) and steps by (guide, level, variant, number)."""
    ids = [g.pk for g in guides]
    levels = {(lv.guide_id, lv.number): lv for lv in Level.objects.filter(guide_id__in=ids)}
    steps_qs = (
        Step.objects.filter(level__guide_id__in=ids)
        .select_related("level")
        .prefetch_related(Prefetch("tools", queryset=Tool.objects.order_by("title")))
    )
    steps = {(s.level.guide_id, s.level.number, s.variant, s.number): s for s in steps_qs}
    return levels, steps


def _step_label(level_number: int, variant: str, number: int, step: Step) -> str:
    if variant:
        return _("Level %(level)s, step %(step)s for %(variant)s: %(title)s") % {
            "level": level_number, "step": number, "variant": Variant(variant).label,
            "title": step.title,
        }
    return _("Level %(level)s, step %(step)s: %(title)s") % {
        "level": level_number, "step": number, "title": step.title,
    }


def compare(old: Guide, new: Guide) -> list[ItemChange]:
    """Everything that differs from `old` to `new`, in guide order."""
    labels = _field_labels(new.language)
    items: list[ItemChange] = []

    guide_changes = _changes(old, new, GUIDE_FIELDS, labels)
    if guide_changes:
        items.append(ItemChange("guide", "changed", _("The guide's title and introduction"),
                                (-1,), guide_changes))

    levels, steps = _load([old, new])
    for number in sorted({n for _g, n in levels}):
        a, b = levels.get((old.pk, number)), levels.get((new.pk, number))
        if a is None and b is None:
            continue
        changes = _changes(a, b, LEVEL_FIELDS, labels)
        if changes:
            title = (b or a).title
            items.append(ItemChange(
                "level", _status(a, b),
                _("Level %(level)s: %(title)s") % {"level": number, "title": title},
                (number, -1, ""), changes,
            ))

    for level_number, variant, number in {key[1:] for key in steps}:
        a = steps.get((old.pk, level_number, variant, number))
        b = steps.get((new.pk, level_number, variant, number))
        tools = ([t.title for t in a.tools.all()] if a else [],
                 [t.title for t in b.tools.all()] if b else [])
        changes = _changes(a, b, STEP_FIELDS, labels, tools=tools)
        if changes:
            items.append(ItemChange(
                "step", _status(a, b), _step_label(level_number, variant, number, b or a),
                (level_number, number, variant), changes,
            ))
    # Guide order: the guide's own texts, then each level followed by its steps.
    return sorted(items, key=lambda item: item.sort_key)
