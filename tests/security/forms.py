"""Reading the forms a page offers, as a browser would, and judging the answer
to a post: which errors the person reads, whether any of them is English, and
whether anything was written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser

from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection


@dataclass
class Control:
    """One name in a form: a text box, a date, a select, a group of radio
    buttons or checkboxes, a hidden value or a named submit button."""

    name: str
    kind: str  # text, textarea, hidden, password, date, datetime-local, number, select, radio, checkbox, file, submit
    values: list[str] = field(default_factory=list)  # what the page sends as it is
    options: list[str] = field(default_factory=list)  # for select, radio and checkbox
    multiple: bool = False
    required: bool = False
    maxlength: int | None = None

    @property
    def is_boolean(self) -> bool:
        """A single checkbox: any value at all means "yes"."""
        return self.kind == "checkbox" and len(self.options) == 1 and self.options[0] in ("", "on")


@dataclass
class Form:
    method: str
    action: str | None
    enctype: str
    controls: dict[str, Control] = field(default_factory=dict)

    def add(self, name, kind, value=None, *, checked=False, required=False, multiple=False,
            maxlength=None):
        control = self.controls.get(name)
        if control is None:
            control = self.controls[name] = Control(name, kind, multiple=multiple, required=required,
                                                    maxlength=int(maxlength) if maxlength else None)
        if kind in ("radio", "checkbox"):
            control.options.append(value if value is not None else "on")
            if checked:
                control.values.append(value if value is not None else "on")
        elif kind == "submit":
            if not control.values:  # the first button is the one a person presses by default
                control.values = [value or ""]
        else:
            control.values = [value or ""]
        return control


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.text_into: list | None = None
        self.select: Control | None = None
        self.option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form((a.get("method") or "get").lower(), a.get("action"),
                             a.get("enctype") or "")
            self.forms.append(self.form)
            return
        if self.form is None or not a.get("name") and tag != "option":
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                kind = "submit"
            self.form.add(name, kind, a.get("value"), checked="checked" in a, required="required" in a,
                          maxlength=a.get("maxlength"))
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit":
                self.form.add(name, "submit", a.get("value"))
        elif tag == "textarea":
            control = self.form.add(name, "textarea", "", required="required" in a,
                                    maxlength=a.get("maxlength"))
            self.text_into = control.values
            control.values[:] = [""]
        elif tag == "select":
            self.select = self.form.add(name, "select", None, required="required" in a,
                                        multiple="multiple" in a)
            self.select.values = []
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def handle_data(self, data):
        if self.text_into is not None:
            self.text_into[0] += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            if self.text_into is not None and self.text_into[0].startswith("\n"):
                self.text_into[0] = self.text_into[0][1:]  # as browsers do
            self.text_into = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"]
            value = self.option["text"].strip() if value is None else value
            self.select.options.append(value)
            if self.option["selected"]:
                self.select.values.append(value)
            self.option = None
        elif tag == "select":
            self.select = None


def forms_in(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


class _Errors(HTMLParser):
    """The texts a person reads as errors: the error summary's items and the
    error messages at the top of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside an error container
        self.items: list[str] = []
        self.current: list[str] | None = None
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "html":
            self.lang = a.get("lang", "")
        if self.depth:
            self.depth += 1
            if tag == "li":
                self.current = []
            return
        if "error-summary" in classes or "errorlist" in classes:
            self.depth = 1
        elif tag == "p" and "message--error" in classes:
            self.depth = 1
            self.current = []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("li", "p") and self.current is not None:
            text = " ".join("".join(self.current).split())
            if text:
                self.items.append(text)
            self.current = None
        self.depth -= 1

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def page_errors(html: str) -> tuple[str, list[str]]:
    parser = _Errors()
    parser.feed(html)
    return parser.lang, parser.items


def redirect_errors(response) -> list[str]:
    """The error messages a redirect carries to the next page."""
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is None:
        return []
    return [str(m) for m in storage if m.level >= message_levels.ERROR]


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]|\{\w*\}")


@cache
def _english() -> re.Pattern:
    """Every English message id of more than one word, as one pattern
    (placeholders match anything). A message a bokmål page shows as its
    English id was not translated."""
    from django.utils.translation import trans_real

    ids: set[str] = set()
    for language in ("nb", "en"):
        catalog = trans_real.translation(language)._catalog
        for key in catalog.keys():
            msgid = key[0] if isinstance(key, tuple) else key
            if "\x04" in msgid:
                msgid = msgid.split("\x04", 1)[1]
            msgid = " ".join(msgid.split())
            # Only real sentences: two words outside the placeholders (so that
            # "%(label)s: %(error)s" does not match every message).
            if re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", _PLACEHOLDER.sub(" ", msgid)):
                ids.add(msgid)
    parts = ["".join(re.escape(piece) if i % 2 == 0 else ".+?"
                     for i, piece in enumerate(_interleave(m)))
             for m in sorted(ids)]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.DOTALL)


def _interleave(msgid: str) -> list[str]:
    """Literal pieces and placeholders, alternating (literal first)."""
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(msgid):
        out += [msgid[last:match.start()], match.group()]
        last = match.end()
    out.append(msgid[last:])
    return out


def english(texts) -> list[str]:
    """The texts (or their "label: message" halves) that are an English message."""
    pattern = _english()
    found = []
    for text in texts:
        pieces = [text, *text.split(": ", 1)]
        if any(pattern.fullmatch(piece.strip()) for piece in pieces if piece.strip()):
            found.append(text)
    return found


# --- what was written ----------------------------------------------------------------

READ_EVENTS = re.compile(r"^(read|list|view)(_|$)")


def snapshot() -> dict:
    """Every row of Stafett's own tables, except the audit trail's records of
    reading (a page that shows a form again is a read) and the chain head.

    Read with one plain SELECT per table, as the database stores the values
    (no model instances or converters): the sweep takes thousands of these."""
    rows = {}
    with connection.cursor() as cursor:
        for label, sql, action in _snapshot_queries():
            cursor.execute(sql)
            found = {tuple(_hashable(v) for v in row) for row in cursor.fetchall()}
            if action is not None:
                found = {row for row in found if not READ_EVENTS.match(row[action])}
            rows[label] = found
    return rows


@cache
def _snapshot_queries() -> list[tuple[str, str, int | None]]:
    """(model label, SELECT of every stored column, position of the audit
    event's action or None) for each of Stafett's own models."""
    queries = []
    for config in apps.get_app_configs():
        if not config.name.startswith("stafett."):
            continue
        for model in config.get_models():
            if model._meta.label in ("audit.AuditChain",):
                continue
            columns = [f.column for f in model._meta.concrete_fields]
            quote = connection.ops.quote_name
            sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
            action = columns.index("action") if model._meta.label == "audit.AuditEvent" else None
            queries.append((model._meta.label, sql, action))
    return queries


def _hashable(value):
    if isinstance(value, dict | list):
        return repr(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def changes(before: dict, after: dict) -> list[str]:
    out = []
    for label in before:
        added, removed = after[label] - before[label], before[label] - after[label]
        if added or removed:
            out.append(f"{label}: +{len(added)} -{len(removed)}")
    return out
