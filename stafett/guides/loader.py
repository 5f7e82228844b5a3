"""Action guides as files: a documented, human-editable YAML format
(docs/guide-format.md), read with line numbers, checked completely, and
written back in one canonical form.

- `parse_guide(text)` reads a file and returns its normalised data, or raises
  `GuideFormatError` listing *every* problem with its line number, so whoever
  edits the file fixes them in one go.
- `import_guide(municipality, text)` replaces the municipality's draft with
  the file (the coordinator reviews and publishes it in the editor);
  `draft_from_template` does the same from a shipped template.
- `load_guide(municipality, template_key)` publishes a shipped template
  (`guides/data/*.yaml`) as the next version (demo data, tests, setup).
- `export_guide(guide)` writes a guide in the same format. The same guide
  always gives the same text, and export → import → export is identical.

Nothing is written unless the whole file is valid, and every write is atomic,
so a broken file never leaves half a guide behind.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett.guides.models import GUIDE_LANGUAGES, Guide, Level, Step, Tool, Variant
from stafett.guides.placeholders import PLACEHOLDERS, unknown_names
from stafett.lib.errors import Conflict
from stafett.lib.prepared import Columns, Prepared
from stafett.tenancy.models import Municipality

DATA_DIR = Path(__file__).resolve().parent / "data"

# The shipped templates a new municipality picks from (`available_templates`).
TEMPLATES: dict[str, dict[str, Any]] = {
    "national": {
        "file": DATA_DIR / "national.yaml",
        "title": gettext_lazy("National BTI model (bokmål)"),
        "description": gettext_lazy(
            "The four levels and their steps as described in the national BTI binder, "
            "for all services."
        ),
        "language": "nb",
    },
    "stord": {
        "file": DATA_DIR / "stord.yaml",
        "title": gettext_lazy("Stord's action guide (nynorsk)"),
        "description": gettext_lazy(
            "The steps of Stord's guide, for all services."
        ),
        "language": "nn",
    },
    "nittedal": {
        "file": DATA_DIR / "nittedal.yaml",
        "title": gettext_lazy("Guide with steps for adult services, after Nittedal (bokmål)"),
        "description": gettext_lazy(
            "The national steps for the services for children, and Nittedal's own steps "
            "for the adult services, starting with: does the client have children?"
        ),
        "language": "nb",
    },
}

FORMAT_VERSION = 1
LEVEL_NUMBERS = (0, 1, 2, 3)
# The level-0 journey (concerns app) attaches behaviour to these codes, in order.
LEVEL0_CODES = ("define", "share", "talk", "decide", "close")
LANGUAGES = tuple(code for code, _label in GUIDE_LANGUAGES)
VARIANTS = tuple(value for value in Variant.values if value)  # basis, hjelpe, voksen
VARIANT_ORDER = {"": 0, **{value: index + 1 for index, value in enumerate(VARIANTS)}}
TOOL_KINDS = tuple(Tool.Kind.values)
MAX_STEP_NUMBER = 50  # as the editor's add_step
MAX_TOOLS = 100
MAX_PROSE = 10_000  # characters of one running text (introduction, summary, …)
MAX_PRINT = 20_000  # characters of one tool's printable text
MAX_FILE_CHARS = 1_000_000

# The keys of each part, in the order an exported file writes them.
GUIDE_KEYS = ("format", "title", "title_other", "language", "template", "introduction",
              "introduction_other", "tools", "levels")
TOOL_KEYS = ("key", "kind", "title", "title_other", "description", "description_other",
             "body", "body_other")
LEVEL_KEYS = ("number", "title", "title_other", "purpose", "purpose_other", "audience",
              "audience_other", "steps")
STEP_KEYS = ("number", "variant", "code", "title", "title_other", "summary", "summary_other",
             "body", "body_other", "who", "who_other", "tools")

# Three kinds of text:
#   SHORT  one line (titles, who does it): runs of white space become one space;
#   PROSE  running text: every line is a paragraph (a folded ">" block gives one
#          line per paragraph); stored with a blank line between paragraphs;
#   PRINT  a tool's printable text: line breaks are kept as written.
SHORT, PROSE, PRINT = "short", "prose", "print"
GUIDE_TEXTS = {"title": SHORT, "title_other": SHORT, "introduction": PROSE,
               "introduction_other": PROSE}
TOOL_TEXTS = {"title": SHORT, "title_other": SHORT, "description": PROSE,
              "description_other": PROSE, "body": PRINT, "body_other": PRINT}
LEVEL_TEXTS = {"title": SHORT, "title_other": SHORT, "purpose": PROSE, "purpose_other": PROSE,
               "audience": PROSE, "audience_other": PROSE}
STEP_TEXTS = {"title": SHORT, "title_other": SHORT, "summary": PROSE, "summary_other": PROSE,
              "body": PROSE, "body_other": PROSE, "who": SHORT, "who_other": SHORT}

SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")  # Django's slug, as the model fields
# What YAML (1.1, as PyYAML reads it) accepts in a file.
_UNPRINTABLE = re.compile("[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


# --- Normalising text ---------------------------------------------------------


def _short(value: str) -> str:
    return " ".join(value.replace("\ufeff", "").split())


def _prose(value: str) -> str:
    """One paragraph per line, stored with blank lines between them, so
    templates render them with `linebreaks`."""
    lines = _BREAKS.sub("\n", value.replace("\ufeff", "")).split("\n")
    return "\n\n".join(p for p in (" ".join(line.split()) for line in lines) if p)


def _printable(value: str) -> str:
    """Line breaks kept; trailing spaces, blank lines at either end and runs of
    blank lines dropped; tabs become spaces."""
    lines = [
        line.rstrip()
        for line in _BREAKS.sub("\n", value.replace("\ufeff", "")).expandtabs(4).split("\n")
    ]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


NORMALISE = {SHORT: _short, PROSE: _prose, PRINT: _printable}


# --- Problems -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a guide file: where (line, and the part of the guide)
    and what, in the reader's language."""

    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.line is None:
            return text
        return _("line %(line)s: %(problem)s") % {"line": self.line, "problem": text}


class GuideFormatError(ValueError):
    """A guide file or data with problems; `problems` lists every one, in file order."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        self.source = source
        listed = "\n  - ".join(str(p) for p in self.problems)
        super().__init__(f"Invalid guide {source}:\n  - {listed}")

    def __str__(self) -> str:
        return self.args[0]


def _type_name(value) -> str:
    if value is None:
        return _("empty")
    if isinstance(value, bool):
        return _("yes/no (true/false)")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, datetime.date):
        return _("a date")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping (key: value)")
    if isinstance(value, str):
        return _("text")
    return type(value).__name__


def _did_you_mean(word: str, choices) -> str | None:
    if not isinstance(word, str):
        return None
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


# --- Checking -------------------------------------------------------------------

Path_ = tuple  # a place in the data: ("levels", 2, "steps", 0, "title")


class _Checker:
    """Walks parsed data, collects every problem with its line, and builds the
    normalised guide (the same shape `guide_data` gives for a stored guide)."""

    def __init__(self, lines: dict | None = None, key_lines: dict | None = None,
                 problems: list[Problem] | None = None, literal: set | None = None):
        self.lines = lines or {}
        self.key_lines = key_lines or {}
        self.problems: list[Problem] = list(problems or [])
        # Literal blocks ("|") keep their lines, so a problem inside one can
        # name its own line: the block's lines start after the "|" line.
        self.literal = literal or set()

    def line(self, path: Path_, *, key: bool = False) -> int | None:
        if key and path in self.key_lines:
            return self.key_lines[path]
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def add(self, path: Path_, where: str, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.line(path, key=key), where, message))

    # Pieces ---------------------------------------------------------------------

    def mapping(self, value, path: Path_, where: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.add(path, where, _("must be a mapping (key: value), not %(type)s")
                 % {"type": _type_name(value)})
        return None

    def keys(self, data: dict, allowed: tuple[str, ...], path: Path_, where: str) -> None:
        for key in data:
            if key in allowed:
                continue
            match = _did_you_mean(key, allowed)
            if match:
                message = _("unknown key '%(key)s' (did you mean '%(match)s'?)") % {
                    "key": key, "match": match}
            else:
                message = _("unknown key '%(key)s'; the keys here are: %(keys)s") % {
                    "key": key, "keys": ", ".join(allowed)}
            self.add((*path, key), where, message, key=True)

    def text(self, data: dict, key: str, kind: str, path: Path_, where: str, *,
             required: bool = False, max_length: int | None = None) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add((*path, key) if key in data else path, where,
                         _("'%(key)s' is required") % {"key": key})
            return ""
        if not isinstance(value, str):
            self.add((*path, key), where,
                     _("'%(key)s' must be text, not %(type)s; put it in quotes if you mean "
                       "the text") % {"key": key, "type": _type_name(value)})
            return ""
        value = NORMALISE[kind](value)
        bad = _UNPRINTABLE.search(value.replace("\n", " "))
        if bad:
            self.add((*path, key), where,
                     _("'%(key)s' contains a character that is not allowed (U+%(code)04X)")
                     % {"key": key, "code": ord(bad.group())})
        if max_length is None:
            max_length = MAX_PRINT if kind == PRINT else MAX_PROSE
        if len(value) > max_length:
            self.add((*path, key), where,
                     _("'%(key)s' is longer than %(max)s characters (it has %(length)s)")
                     % {"key": key, "max": max_length, "length": len(value)})
        if kind == PRINT:
            self.placeholders(data[key], value, key, path, where)
        return value

    def placeholders(self, raw: str, value: str, key: str, path: Path_, where: str) -> None:

        for name in unknown_names(value):
            line = self.line((*path, key))
            at = raw.find("{" + name + "}")
            if (*path, key) in self.literal and line is not None and at >= 0:
                line += 1 + raw.count("\n", 0, at)
            match = _did_you_mean(name, PLACEHOLDERS)
            if match:
                message = _("'%(key)s' uses the unknown placeholder {%(name)s} "
                            "(did you mean {%(match)s}?)")
            else:
                message = _("'%(key)s' uses the unknown placeholder {%(name)s}; "
                            "the placeholders are: %(names)s")
            self.problems.append(Problem(line, where, message % {
                "key": key, "name": name, "match": match,
                "names": ", ".join("{" + n + "}" for n in PLACEHOLDERS)}))

    def slug(self, data: dict, key: str, path: Path_, where: str, *, required: bool,
             max_length: int) -> str:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            self.add((*path, key), where,
                     _("'%(key)s' must be text, not %(type)s; put it in quotes if you mean "
                       "the text") % {"key": key, "type": _type_name(value)})
            return ""
        value = self.text(data, key, SHORT, path, where, required=required,
                          max_length=max_length)
        if value and not SLUG.match(value):
            self.add((*path, key), where,
                     _("'%(key)s' may only use the letters a–z, digits, '-' and '_' "
                       "(found '%(value)s')") % {"key": key, "value": value})
            return ""
        return value

    def choice(self, data: dict, key: str, choices: tuple[str, ...], path: Path_, where: str,
               *, default: str | None, explain: str) -> str | None:
        """The value if it is one of `choices`; `default` if left out; None
        (after reporting) if it is something else."""
        value = data.get(key)
        if value is None or value == "":
            if default is None:
                self.add(path, where, _("'%(key)s' is required") % {"key": key})
                return ""
            return default
        if isinstance(value, str) and value in choices:
            return value
        if isinstance(value, str):
            match = _did_you_mean(value, choices)
            found = f"'{value}'"
        else:
            match, found = None, _type_name(value)
        message = _("'%(key)s' must be %(choices)s, not %(found)s") % {
            "key": key, "choices": explain, "found": found}
        if match:
            message += " " + _("(did you mean '%(match)s'?)") % {"match": match}
        self.add((*path, key), where, message)
        return None

    def integer(self, data: dict, key: str, path: Path_, where: str, *, low: int,
                high: int) -> int | None:
        value = data.get(key)
        if value is None:
            self.add(path, where, _("'%(key)s' is required") % {"key": key})
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            found = repr(value) if isinstance(value, int | str) and not isinstance(value, bool) \
                else _type_name(value)
            self.add((*path, key), where,
                     _("'%(key)s' must be a whole number from %(low)s to %(high)s, "
                       "not %(found)s") % {"key": key, "low": low, "high": high, "found": found})
            return None
        return value

    def texts(self, data: dict, fields: dict[str, str], model, path: Path_, where: str,
              required: tuple[str, ...] = ("title",)) -> dict[str, str]:
        result = {}
        for key, kind in fields.items():
            max_length = _max_length(model, key) if kind == SHORT else None
            result[key] = self.text(data, key, kind, path, where, required=key in required,
                                    max_length=max_length)
        return result

    # The guide --------------------------------------------------------------------

    def guide(self, data) -> dict | None:
        where = _("guide")
        root = self.mapping(data, (), where)
        if root is None:
            return None
        self.keys(root, GUIDE_KEYS, (), where)
        if "format" in root and (isinstance(root["format"], bool)
                                 or root["format"] != FORMAT_VERSION):
            self.add(("format",), where,
                     _("'format' must be %(version)s: this version of Stafett reads format "
                       "%(version)s") % {"version": FORMAT_VERSION})
        texts = self.texts(root, GUIDE_TEXTS, Guide, (), where)
        language = self.choice(root, "language", LANGUAGES, (), where, default=None,
                               explain=_("nb (bokmål) or nn (nynorsk)")) or ""
        template = self.slug(root, "template", (), where, required=False,
                             max_length=_max_length(Guide, "template"))
        tools = self.tools(root)
        levels = self.levels(root, {tool["key"] for tool in tools})
        return {
            "title": texts["title"],
            "title_other": texts["title_other"],
            "language": language,
            "template": template,
            "introduction": texts["introduction"],
            "introduction_other": texts["introduction_other"],
            "tools": tools,
            "levels": levels,
        }

    def tools(self, root: dict) -> list[dict]:
        raw = root.get("tools")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(("tools",), _("guide"), _("'tools' must be a list, not %(type)s")
                     % {"type": _type_name(raw)})
            return []
        if len(raw) > MAX_TOOLS:
            self.add(("tools",), _("guide"), _("a guide has at most %(max)s tools")
                     % {"max": MAX_TOOLS})
        tools: list[dict] = []
        seen: dict[str, int | None] = {}
        for index, item in enumerate(raw):
            path = ("tools", index)
            where = _("tool no. %(number)s") % {"number": index + 1}
            item = self.mapping(item, path, where)
            if item is None:
                continue
            key = self.slug(item, "key", path, where, required=True,
                            max_length=_max_length(Tool, "key"))
            if key:
                where = _("tool '%(key)s'") % {"key": key}
            self.keys(item, TOOL_KEYS, path, where)
            if key in seen:
                self.duplicate(path + ("key",), where, seen[key],
                               _("another tool has the key '%(key)s' too") % {"key": key})
                key = ""
            elif key:
                seen[key] = self.line(path)
            kind = self.choice(item, "kind", TOOL_KINDS, path, where, default=Tool.Kind.OTHER,
                               explain=", ".join(TOOL_KINDS)) or Tool.Kind.OTHER
            texts = self.texts(item, TOOL_TEXTS, Tool, path, where)
            if key:
                tools.append({"key": key, "kind": kind, **{k: texts[k] for k in TOOL_KEYS[2:]}})
        return tools

    def duplicate(self, path: Path_, where: str, first_line: int | None, message: str) -> None:
        if first_line is not None:
            message = _("%(message)s (line %(line)s)") % {"message": message, "line": first_line}
        self.add(path, where, message)

    def levels(self, root: dict, tool_keys: set[str]) -> list[dict]:
        raw = root.get("levels")
        if raw is None:
            self.add((), _("guide"), _("'levels' is required: the levels 0, 1, 2 and 3, "
                                       "each with its steps"))
            return []
        if not isinstance(raw, list):
            self.add(("levels",), _("guide"), _("'levels' must be a list, not %(type)s")
                     % {"type": _type_name(raw)})
            return []
        levels: dict[int, dict] = {}
        seen: dict[int, int | None] = {}
        for index, item in enumerate(raw):
            path = ("levels", index)
            where = _("level no. %(number)s in the list") % {"number": index + 1}
            item = self.mapping(item, path, where)
            if item is None:
                continue
            number = self.integer(item, "number", path, where, low=0, high=3)
            if number is not None:
                where = _("level %(number)s") % {"number": number}
            self.keys(item, LEVEL_KEYS, path, where)
            if number in seen:
                self.duplicate(path + ("number",), where, seen[number],
                               _("level %(number)s appears twice") % {"number": number})
                number = None
            elif number is not None:
                seen[number] = self.line(path)
            texts = self.texts(item, LEVEL_TEXTS, Level, path, where)
            steps = self.steps(item, path, where, number, tool_keys)
            if number is not None:
                levels[number] = {"number": number, **texts, "steps": steps}
        missing = [str(n) for n in LEVEL_NUMBERS if n not in levels and n not in seen]
        if missing:
            self.add(("levels",), _("guide"),
                     _("levels %(missing)s are missing: a guide has the levels 0, 1, 2 and 3")
                     % {"missing": ", ".join(missing)}, key=True)
        return [levels[n] for n in LEVEL_NUMBERS if n in levels]

    def steps(self, level: dict, level_path: Path_, level_where: str, level_number: int | None,
              tool_keys: set[str]) -> list[dict]:
        raw = level.get("steps")
        if not isinstance(raw, list) or not raw:
            found = _type_name(raw) if not isinstance(raw, list) else _("an empty list")
            self.add((*level_path, "steps") if "steps" in level else level_path, level_where,
                     _("'steps' must be a list of at least one step, not %(found)s")
                     % {"found": found})
            return []
        steps: list[dict] = []
        seen: dict[tuple[str, int], int | None] = {}
        previous: dict[str, int] = {}
        for index, item in enumerate(raw):
            path = (*level_path, "steps", index)
            where = _("%(level)s, step no. %(number)s in the list") % {
                "level": level_where, "number": index + 1}
            item = self.mapping(item, path, where)
            if item is None:
                continue
            variant = self.choice(item, "variant", VARIANTS, path, where, default="",
                                  explain=_("basis, hjelpe or voksen (or left out: for all "
                                            "services)"))
            if variant is None:
                # For which services is unknown: check its texts, leave it out of the rest.
                self.keys(item, STEP_KEYS, path, where)
                self.texts(item, STEP_TEXTS, Step, path, where)
                self.step_tools(item, path, where, tool_keys)
                continue
            if item.get("number") is None:
                # Left out: the number after the previous step for the same services.
                number = previous.get(variant, 0) + 1
                if number > MAX_STEP_NUMBER:
                    self.add(path, where, _("a level has at most %(max)s steps")
                             % {"max": MAX_STEP_NUMBER})
                    number = None
            else:
                number = self.integer(item, "number", path, where, low=1,
                                      high=MAX_STEP_NUMBER)
            if number is not None:
                previous[variant] = number
            if number is not None:
                where = _("%(level)s, step %(number)s") % {"level": level_where, "number": number}
                if variant:
                    where = _("%(step)s for %(services)s (%(variant)s)") % {
                        "step": where, "services": Variant(variant).label, "variant": variant}
            self.keys(item, STEP_KEYS, path, where)
            if number is not None and (variant, number) in seen:
                self.duplicate((*path, "number"), where, seen[(variant, number)],
                               _("another step has the number %(number)s for the same "
                                 "services") % {"number": number})
                number = None
            elif number is not None:
                seen[(variant, number)] = self.line(path)
            code = self.slug(item, "code", path, where, required=False,
                             max_length=_max_length(Step, "code"))
            texts = self.texts(item, STEP_TEXTS, Step, path, where)
            tools = self.step_tools(item, path, where, tool_keys)
            if number is not None:
                steps.append({"number": number, "variant": variant, "code": code, **texts,
                              "tools": tools})
        steps.sort(key=lambda s: (VARIANT_ORDER[s["variant"]], s["number"]))
        if steps:
            self.codes(steps, seen, level_path, level_where, level_number)
        return steps

    def step_tools(self, item: dict, path: Path_, where: str, tool_keys: set[str]) -> list[str]:
        raw = item.get("tools")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add((*path, "tools"), where,
                     _("'tools' must be a list of tool keys, such as [consent, agenda], not "
                       "%(type)s") % {"type": _type_name(raw)})
            return []
        keys: list[str] = []
        for index, key in enumerate(raw):
            item_path = (*path, "tools", index)
            if not isinstance(key, str):
                self.add(item_path, where, _("'tools' must list tool keys, not %(type)s")
                         % {"type": _type_name(key)})
            elif key not in tool_keys:
                match = _did_you_mean(key, tool_keys)
                message = _("unknown tool '%(key)s' (not under 'tools')") % {"key": key}
                if match:
                    message += " " + _("(did you mean '%(match)s'?)") % {"match": match}
                self.add(item_path, where, message)
            elif key in keys:
                self.add(item_path, where, _("the tool '%(key)s' is listed twice")
                         % {"key": key})
            else:
                keys.append(key)
        return keys

    def codes(self, steps: list[dict], line_of: dict, level_path: Path_, level_where: str,
              level_number: int | None) -> None:
        """Per service kind, the steps it works by (its variant's where there is
        one, else the common ones) carry each code once; on level 0 they carry
        the journey's codes in order. `line_of`: (variant, number) → line."""
        for variant in ("", *VARIANTS):
            if variant and not any(s["variant"] == variant for s in steps):
                continue  # the same steps as the common ones, already checked
            chosen = _resolve(steps, variant)
            where = level_where
            if variant:
                where = _("%(level)s, the steps for %(services)s (%(variant)s)") % {
                    "level": level_where, "services": Variant(variant).label, "variant": variant}
            # A problem with one kind's steps is shown at its first own step.
            line = next((line_of.get((s["variant"], s["number"])) for s in steps
                         if s["variant"] == variant), None)
            by_code: dict[str, list[dict]] = {}
            for step in chosen:
                if step["code"]:
                    by_code.setdefault(step["code"], []).append(step)
            for code, holders in by_code.items():
                if len(holders) > 1 and (not variant or any(s["variant"] for s in holders)):
                    second = holders[1]
                    self.problems.append(Problem(
                        line_of.get((second["variant"], second["number"])), where,
                        _("the code '%(code)s' is on more than one step (steps %(numbers)s)")
                        % {"code": code,
                           "numbers": ", ".join(str(s["number"]) for s in holders)}))
            if level_number == 0:
                codes = [s["code"] for s in chosen if s["code"] in LEVEL0_CODES]
                if codes != list(LEVEL0_CODES):
                    self.problems.append(Problem(
                        line if variant and line else self.line(level_path), where,
                        _("the steps must carry the codes %(codes)s, each once and in this "
                          "order, since the level-0 journey hangs on them (found: %(found)s)")
                        % {"codes": ", ".join(LEVEL0_CODES),
                           "found": ", ".join(s["code"] or "–" for s in chosen)}))


def _resolve(steps: list[dict], variant: str) -> list[dict]:
    """As `models.steps_for_variant`, on clean data."""
    chosen: dict[int, dict] = {}
    for step in steps:
        if step["variant"] == variant or (step["variant"] == "" and step["number"] not in chosen):
            chosen[step["number"]] = step
    return [chosen[n] for n in sorted(chosen)]


def validate(data: Any, source: str = "<data>", *, lines: dict | None = None,
             key_lines: dict | None = None, problems: list[Problem] | None = None,
             literal: set | None = None) -> dict:
    """The normalised guide in `data` (as parsed from a file), or
    `GuideFormatError` listing every problem, with line numbers where known."""
    checker = _Checker(lines, key_lines, problems, literal)
    clean = checker.guide(data)
    if checker.problems or clean is None:
        raise GuideFormatError(checker.problems, source)
    return clean


# --- Reading YAML with line numbers ----------------------------------------------

# libyaml when installed (much faster), else PyYAML's own parser; both give marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


@dataclass
class _Read:
    data: Any
    lines: dict  # path → line (1-based) of each value
    key_lines: dict  # path → line of each mapping key
    literal: set  # paths of text written as literal blocks ("|")
    problems: list[Problem]


def _read_yaml(text: str) -> _Read:
    """Parse `text` into data, remembering where each part was. Raise
    `GuideFormatError` when the text is not YAML at all."""
    if len(text) > MAX_FILE_CHARS:
        raise GuideFormatError([Problem(None, "", _(
            "the file is too large (more than %(max)s characters)") % {"max": MAX_FILE_CHARS})])
    bad = _UNPRINTABLE.search(text.replace("\r", "\n"))
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise GuideFormatError([Problem(line, "", _(
            "the file contains a character that is not allowed (U+%(code)04X)")
            % {"code": ord(bad.group())})])
    try:
        aliases = [
            Problem(event.start_mark.line + 1, "",
                    _("anchors and aliases (& and *) are not supported here; write the text "
                      "out in full"))
            for event in yaml.parse(text, Loader=_Loader)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)
        ]
        if aliases:
            raise GuideFormatError(aliases)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise GuideFormatError([_syntax_problem(exc, text)]) from None
    except RecursionError:
        raise GuideFormatError([Problem(None, "", _("the file is nested too deeply"))]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors are caught above
        raise GuideFormatError([Problem(None, "", _("this is not valid YAML: %(problem)s")
                                        % {"problem": exc})]) from None
    if node is None:
        raise GuideFormatError([Problem(1, "", _("the file is empty"))])
    read = _Read(None, {}, {}, set(), [])
    read.data = _build(node, (), read)
    return read


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    detail = exc.problem or ""
    if exc.context:  # e.g. "while parsing a flow mapping (line 3), expected ',' or '}'"
        context_line = exc.context_mark.line + 1 if exc.context_mark else None
        if context_line is not None and mark is not None and context_line != mark.line + 1:
            detail = f"{exc.context} (line {context_line}), {detail}"
        else:
            detail = f"{exc.context}, {detail}"
    message = _("this is not valid YAML: %(problem)s") % {"problem": detail}
    line = mark.line + 1 if mark else None
    if line is not None:
        source_line = (text.split("\n")[line - 1:line] or [""])[0]
        if "\t" in source_line[:len(source_line) - len(source_line.lstrip())]:
            message += " " + _("(indent with spaces, not tabs)")
    return Problem(line, "", message)


def _build(node, path: Path_, read: _Read):
    read.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                read.problems.append(Problem(line, "", _(
                    "a key must be a plain word such as 'title', not a list or mapping")))
                continue
            key = key_node.value
            if key in result:
                read.problems.append(Problem(line, "", _(
                    "'%(key)s' appears twice in the same place (first on line %(line)s)")
                    % {"key": key, "line": read.key_lines[(*path, key)]}))
                continue
            read.key_lines[(*path, key)] = line
            result[key] = _build(value_node, (*path, key), read)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), read) for index, item in enumerate(node.value)]
    if node.tag == _STR:
        if node.style == "|":
            read.literal.add(path)
        return node.value
    constructor = _constructor.yaml_constructors.get(node.tag)
    if constructor is None:
        read.problems.append(Problem(read.lines[path], "", _(
            "the tag %(tag)s is not supported here") % {"tag": node.tag}))
        return None
    try:
        return constructor(_constructor, node)
    except (yaml.YAMLError, ValueError, TypeError):
        read.problems.append(Problem(read.lines[path], "", _(
            "the value '%(value)s' cannot be read") % {"value": node.value}))
        return None


def parse_guide(text: str, source: str = "<text>") -> dict:
    """The normalised guide in a YAML text, or `GuideFormatError` with every problem."""
    try:
        read = _read_yaml(text)
    except GuideFormatError as exc:
        raise GuideFormatError(exc.problems, source) from None
    return validate(read.data, source, lines=read.lines, key_lines=read.key_lines,
                    problems=read.problems, literal=read.literal)


# --- Templates ------------------------------------------------------------------


def available_templates() -> list[dict]:
    """The shipped guides a municipality may start from: key, title, language
    (and a short description), for a "pick one" page."""
    return [
        {"key": key, "title": spec["title"], "language": spec["language"],
         "description": spec.get("description", "")}
        for key, spec in TEMPLATES.items()
    ]


def _template_text(template_key: str) -> tuple[str, str]:
    if template_key not in TEMPLATES:
        raise ValueError(
            f"Unknown guide template {template_key!r}; choose one of {sorted(TEMPLATES)}"
        )
    path = TEMPLATES[template_key]["file"]
    return path.read_text(encoding="utf-8"), path.name


def read_template(template_key: str) -> dict:
    """A shipped template, parsed but not yet checked (raw data)."""
    text, name = _template_text(template_key)
    read = _read_yaml(text)
    if read.problems:
        raise GuideFormatError(read.problems, name)
    return read.data


def template_data(template_key: str) -> dict:
    """A shipped template, parsed and checked."""
    text, name = _template_text(template_key)
    return parse_guide(text, name)


# --- Writing to the database ----------------------------------------------------


def _create_contents(guide: Guide, clean: dict) -> None:
    """Tools, levels, steps and which tools each step uses: five queries."""
    municipality = guide.municipality_id
    tools = Tool.objects.bulk_create([
        Tool(municipality_id=municipality, guide=guide, **item) for item in clean["tools"]
    ])
    tool_by_key = {tool.key: tool for tool in tools}
    levels = Level.objects.bulk_create([
        Level(municipality_id=municipality, guide=guide,
              **{k: item[k] for k in LEVEL_KEYS if k != "steps"})
        for item in clean["levels"]
    ])
    step_rows, step_tools = [], []
    for level, item in zip(levels, clean["levels"], strict=True):
        for step in item["steps"]:
            step_rows.append(Step(municipality_id=municipality, level=level,
                                  **{k: step[k] for k in STEP_KEYS if k != "tools"}))
            step_tools.append(step["tools"])
    steps = Step.objects.bulk_create(step_rows)
    Through = Step.tools.through
    Through.objects.bulk_create([
        Through(step_id=step.pk, tool_id=tool_by_key[key].pk)
        for step, keys in zip(steps, step_tools, strict=True)
        for key in keys
    ])


def _guide_fields(clean: dict) -> dict:
    return {k: clean[k] for k in ("title", "title_other", "language", "introduction",
                                  "introduction_other")}


def lock_municipality(municipality) -> None:
    """Serialise writes to one municipality's guides (version numbers, the one
    draft). A no-op on SQLite, which writes one transaction at a time anyway."""

    list(Municipality.objects.select_for_update().filter(pk=municipality.pk).values("pk"))


def _publish_new(municipality, clean: dict, template: str, user=None) -> Guide:
    with transaction.atomic():
        lock_municipality(municipality)
        last = Guide.objects.filter(municipality=municipality).aggregate(
            last=models.Max("number"))["last"] or 0
        guide = Guide.objects.create(
            municipality=municipality,
            template=template,
            status=Guide.Status.PUBLISHED,
            number=last + 1,
            created_by=user,
            published_at=timezone.now(),
            published_by=user,
            **_guide_fields(clean),
        )
        _create_contents(guide, clean)
    return guide


# The draft was started, changed, published or discarded since the page that
# asks to replace it was shown: the same refusal as any other stale save.
DraftChanged = Conflict


def _replace_draft(municipality, clean: dict, template: str, *, user=None,
                   draft_version: int | None = None) -> Guide:
    """Make `clean` the municipality's draft: the existing draft is emptied and
    refilled (same row, `lock_version` bumped, so an editor page opened before
    is refused), or a new draft is made."""
    with transaction.atomic():
        lock_municipality(municipality)
        draft = (Guide.objects.select_for_update()
                 .filter(municipality=municipality, status=Guide.Status.DRAFT).first())
        if draft_version is not None and (draft.lock_version if draft else 0) != draft_version:
            raise DraftChanged
        based_on = (Guide.objects.filter(municipality=municipality,
                                         status=Guide.Status.PUBLISHED)
                    .order_by("-number", "-pk").first())
        if draft is None:
            draft = Guide.objects.create(
                municipality=municipality, template=template, status=Guide.Status.DRAFT,
                number=None, based_on=based_on, created_by=user, **_guide_fields(clean),
            )
        else:
            Level.objects.filter(guide=draft).delete()  # and their steps
            Tool.objects.filter(guide=draft).delete()
            for field, value in _guide_fields(clean).items():
                setattr(draft, field, value)
            draft.template = template
            draft.based_on = based_on
            draft.lock_version += 1
            draft.save()
        _create_contents(draft, clean)
    return draft


def load_guide(municipality, template_key: str) -> Guide:
    """Publish a shipped template as the municipality's next guide version.

    Call inside `django_scopes.scope(municipality=...)`. The newest published
    guide is the current one; worries keep the version they were started under.
    """
    return _publish_new(municipality, template_data(template_key), template_key)


def load_guide_data(municipality, data: Any, template_key: str, *, source="<data>") -> Guide:
    """Publish a guide from already-parsed data (the same shape as the files)."""
    return _publish_new(municipality, validate(data, source), template_key)


def import_guide(municipality, text: str, *, user=None, as_draft: bool = True,
                 draft_version: int | None = None, source: str = "<upload>") -> Guide:
    """Import a guide file for `municipality` (inside its scope).

    As a draft (the default), it replaces the municipality's draft, or becomes
    it, for the coordinator to review and publish; with `as_draft=False` it is
    published at once as the next version. Raises `GuideFormatError` (nothing
    written) or, with `draft_version`, `DraftChanged` if the draft moved on."""
    clean = parse_guide(text, source)
    if as_draft:
        return _replace_draft(municipality, clean, clean["template"], user=user,
                              draft_version=draft_version)
    return _publish_new(municipality, clean, clean["template"], user=user)


def draft_from_template(municipality, template_key: str, *, user=None,
                        draft_version: int | None = None) -> Guide:
    """Make a shipped template the municipality's draft (replacing any draft)."""
    return _replace_draft(municipality, template_data(template_key), template_key, user=user,
                          draft_version=draft_version)


_GUIDE = Columns(Guide)
# Asked on every page of a worry (is a newer guide out?): compiled once per process.
_CURRENT = Prepared(Guide, lambda: (
    Guide.objects.filter(status=Guide.Status.PUBLISHED).order_by("-number", "-pk")
    .values_list(*_GUIDE.names)[:1]), plan_each_time=False)


def current_guide() -> Guide | None:
    """The active municipality's newest published guide (the scope filters by
    municipality); drafts are only ever seen in the editor."""
    rows = _CURRENT.rows()
    return _GUIDE.instance(rows[0], router.db_for_read(Guide)) if rows else None


# --- Export ---------------------------------------------------------------------


def guide_data(guide: Guide) -> dict:
    """A stored guide in the normalised shape `validate` returns. Four queries."""
    tools = list(Tool.objects.filter(guide=guide).order_by("pk"))
    levels = list(Level.objects.filter(guide=guide).order_by("number"))
    steps = list(Step.objects.filter(level__guide=guide).order_by("pk"))
    links: dict[int, list[str]] = {}
    rows = (Step.tools.through.objects.filter(step__level__guide=guide).order_by("pk")
            .values_list("step_id", "tool__key"))
    for step_id, key in rows:
        links.setdefault(step_id, []).append(key)

    def texts(obj, fields: dict[str, str]) -> dict[str, str]:
        return {key: NORMALISE[kind](getattr(obj, key) or "") for key, kind in fields.items()}

    steps_by_level: dict[int, list[dict]] = {}
    for step in steps:
        steps_by_level.setdefault(step.level_id, []).append({
            "number": step.number, "variant": step.variant or "", "code": step.code or "",
            **texts(step, STEP_TEXTS), "tools": links.get(step.pk, []),
        })
    for items in steps_by_level.values():
        items.sort(key=lambda s: (VARIANT_ORDER.get(s["variant"], 9), s["variant"],
                                  s["number"]))
    return {
        "title": _short(guide.title or ""),
        "title_other": _short(guide.title_other or ""),
        "language": guide.language,
        "template": guide.template or "",
        "introduction": _prose(guide.introduction or ""),
        "introduction_other": _prose(guide.introduction_other or ""),
        "tools": [{"key": tool.key, "kind": tool.kind or Tool.Kind.OTHER,
                   **texts(tool, TOOL_TEXTS)} for tool in tools],
        "levels": [{"number": level.number, **texts(level, LEVEL_TEXTS),
                    "steps": steps_by_level.get(level.pk, [])} for level in levels],
    }


def export_guide(guide: Guide) -> str:
    """The guide as a YAML file in the documented format; canonical: the same
    guide always gives the same text."""
    return dump_guide(guide_data(guide))


HEADER = """\
# Stafett: handlingsveileder (action guide), format 1.
# The format is described in docs/guide-format.md in Stafett's source code.
# Edit the texts, keep the keys; upload the file as the guide's new draft.
"""
WIDTH = 80
INDENT = 2


def _inline(value) -> str:
    """One scalar on one line, quoted where YAML needs it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = yaml.dump([value], Dumper=_Dumper, allow_unicode=True, width=10**9)
    return text[2:].rstrip("\n")


def _flow(values: list[str]) -> str:
    return yaml.dump(values, Dumper=_Dumper, allow_unicode=True,
                     default_flow_style=True, width=10**9).rstrip("\n")


def _wrap(paragraph: str, width: int) -> list[str]:
    """Greedy wrap at single spaces (normalised text has no other white space),
    never breaking a word; a folded block joins the lines with single spaces."""
    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


class _Writer:
    def __init__(self):
        self.out: list[str] = []

    def blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def raw(self, indent: int, text: str) -> None:
        self.out.append(" " * indent + text)

    def field(self, indent: int, key: str, value, kind: str = SHORT, lead: str = "") -> None:
        """`key: value` at `indent`; `lead` ("- ") starts a list item."""
        prefix = " " * indent + lead + key + ":"
        inner = indent + len(lead) + INDENT  # where a block's lines go
        if kind == SHORT:
            inline = _inline(value)
            if len(prefix) + 1 + len(inline) <= WIDTH or " " not in str(value):
                self.out.append(f"{prefix} {inline}")
                return
            paragraphs = [value]
            style = ">"
        elif kind == PROSE:
            paragraphs = value.split("\n\n")
            style = ">"
        else:  # PRINT: line by line, as written
            style = "|2" if value.startswith(" ") else "|"
            self.out.append(f"{prefix} {style}")
            self.out.extend(" " * inner + line if line else "" for line in value.split("\n"))
            return
        self.out.append(f"{prefix} {style}")
        width = max(40, WIDTH - inner)
        for index, paragraph in enumerate(paragraphs):
            if index:
                self.out.append("")
            for line in _wrap(paragraph, width):
                self.out.append(" " * inner + line)

    def texts(self, indent: int, item: dict, order: tuple[str, ...], kinds: dict[str, str],
              required: tuple[str, ...] = ("title",)) -> None:
        for key in order:
            if key in kinds and (item[key] or key in required):
                self.field(indent, key, item[key], kinds[key])


def dump_guide(clean: dict) -> str:
    """Normalised guide data (from `validate` or `guide_data`) as YAML text."""
    w = _Writer()
    w.out.extend(HEADER.rstrip("\n").split("\n"))
    w.blank()
    w.field(0, "format", FORMAT_VERSION)
    w.field(0, "title", clean["title"])
    if clean["title_other"]:
        w.field(0, "title_other", clean["title_other"])
    w.field(0, "language", clean["language"])
    if clean["template"]:
        w.field(0, "template", clean["template"])
    w.texts(0, clean, ("introduction", "introduction_other"), GUIDE_TEXTS, required=())
    if clean["tools"]:
        w.blank()
        w.raw(0, "tools:")
        for index, tool in enumerate(clean["tools"]):
            if index:
                w.blank()
            w.field(INDENT, "key", tool["key"], lead="- ")
            item_indent = INDENT * 2
            if tool["kind"] != Tool.Kind.OTHER:
                w.field(item_indent, "kind", tool["kind"])
            w.texts(item_indent, tool, TOOL_KEYS, TOOL_TEXTS)
    w.blank()
    w.raw(0, "levels:")
    for index, level in enumerate(clean["levels"]):
        if index:
            w.blank()
        w.field(INDENT, "number", level["number"], lead="- ")
        level_indent = INDENT * 2
        w.texts(level_indent, level, LEVEL_KEYS, LEVEL_TEXTS)
        w.raw(level_indent, "steps:")
        for index, step in enumerate(level["steps"]):
            if index:
                w.blank()
            w.field(level_indent + INDENT, "number", step["number"], lead="- ")
            step_indent = level_indent + INDENT * 2
            if step["variant"]:
                w.field(step_indent, "variant", step["variant"])
            if step["code"]:
                w.field(step_indent, "code", step["code"])
            w.texts(step_indent, step, STEP_KEYS, STEP_TEXTS)
            if step["tools"]:
                w.raw(step_indent, f"tools: {_flow(step['tools'])}")
    return "\n".join(w.out) + "\n"
