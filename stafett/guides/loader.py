"""Load a shipped action-guide template (YAML in `guides/data/`) into a
municipality's Guide → Level → Step → Tool rows.

The files are edited by people, not programs, so validation names the exact
place that is wrong. Nothing is written unless the whole file is valid, and
the writes are atomic, so a broken file never leaves half a guide behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.guides.models import Guide, Level, Step, Tool

DATA_DIR = Path(__file__).resolve().parent / "data"

TEMPLATES: dict[str, dict[str, Any]] = {
    "national": {
        "file": DATA_DIR / "national.yaml",
        "title": _("National BTI model (bokmål)"),
    },
    "stord": {
        "file": DATA_DIR / "stord.yaml",
        "title": _("Stord's action guide (nynorsk)"),
    },
}

LEVEL_NUMBERS = (0, 1, 2, 3)
# The level-0 journey (concerns app) attaches behaviour to these codes, in order.
LEVEL0_CODES = ("define", "share", "talk", "decide", "close")
LANGUAGES = {code for code, _label in Guide._meta.get_field("language").choices}


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _paragraphs(text: str) -> str:
    """One paragraph per line, as a folded YAML scalar gives them, stored with
    blank lines between so templates can render them with `linebreaks`."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


class _Validator:
    """Checks one parsed file and collects every problem, so an editor fixes
    them in one go instead of one per run."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, data: dict, key: str, where: str, *, required=True, max_length=None,
             long=False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(where, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.error(where, f"'{key}' must be text, not {type(value).__name__}")
            return ""
        value = _paragraphs(value) if long else " ".join(value.split())
        if max_length is not None and len(value) > max_length:
            self.error(where, f"'{key}' is longer than {max_length} characters")
        return value

    def slug(self, data: dict, key: str, where: str, *, required: bool, max_length: int) -> str:
        value = self.text(data, key, where, required=required, max_length=max_length)
        if value and not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
            self.error(where, f"'{key}' must use only a-z, 0-9, '-' and '_' (got {value!r})")
        return value

    def mapping(self, value, where: str) -> dict | None:
        if not isinstance(value, dict):
            self.error(where, f"must be a mapping, not {type(value).__name__}")
            return None
        return value

    def sequence(self, data: dict, key: str, where: str) -> list:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.error(where, f"'{key}' must be a non-empty list")
            return []
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            lines = "\n  - ".join(self.errors)
            raise ValueError(f"Invalid guide template {self.source}:\n  - {lines}")


def validate(data: Any, source: str = "<data>") -> dict:
    """Return a normalised copy of `data` or raise ValueError listing every problem."""
    v = _Validator(source)
    root = v.mapping(data, "file")
    v.raise_if_any()
    assert root is not None

    guide = {
        "title": v.text(root, "title", "guide", max_length=_max_length(Guide, "title")),
        "language": v.text(root, "language", "guide"),
        "introduction": v.text(root, "introduction", "guide", required=False, long=True),
    }
    if guide["language"] and guide["language"] not in LANGUAGES:
        v.error("guide", f"'language' must be one of {sorted(LANGUAGES)}")

    tools: list[dict] = []
    tool_keys: set[str] = set()
    for index, raw in enumerate(v.sequence(root, "tools", "guide")):
        where = f"tools[{index}]"
        item = v.mapping(raw, where)
        if item is None:
            continue
        key = v.slug(item, "key", where, required=True, max_length=_max_length(Tool, "key"))
        if key:
            where = f"tool '{key}'"
            if key in tool_keys:
                v.error(where, "key is used twice")
            tool_keys.add(key)
        tools.append({
            "key": key,
            "title": v.text(item, "title", where, max_length=_max_length(Tool, "title")),
            "description": v.text(item, "description", where, required=False, long=True),
        })

    levels: dict[int, dict] = {}
    for index, raw in enumerate(v.sequence(root, "levels", "guide")):
        where = f"levels[{index}]"
        item = v.mapping(raw, where)
        if item is None:
            continue
        number = item.get("number")
        if isinstance(number, bool) or number not in LEVEL_NUMBERS:
            v.error(where, f"'number' must be one of {list(LEVEL_NUMBERS)} (got {number!r})")
            continue
        where = f"level {number}"
        if number in levels:
            v.error(where, "appears twice")
            continue
        steps = []
        codes: set[str] = set()
        for step_index, step_raw in enumerate(v.sequence(item, "steps", where)):
            step_where = f"level {number}, step {step_index + 1}"
            step = v.mapping(step_raw, step_where)
            if step is None:
                continue
            code = v.slug(step, "code", step_where, required=False,
                          max_length=_max_length(Step, "code"))
            if code and code in codes:
                v.error(step_where, f"code '{code}' is used twice in this level")
            codes.add(code)
            step_tools = step.get("tools") or []
            if not isinstance(step_tools, list) or not all(isinstance(t, str) for t in step_tools):
                v.error(step_where, "'tools' must be a list of tool keys")
                step_tools = []
            for key in step_tools:
                if key not in tool_keys:
                    v.error(step_where, f"unknown tool '{key}' (not under 'tools')")
            steps.append({
                "number": step_index + 1,
                "code": code,
                "title": v.text(step, "title", step_where, max_length=_max_length(Step, "title")),
                "summary": v.text(step, "summary", step_where, required=False, long=True),
                "body": v.text(step, "body", step_where, required=False, long=True),
                "who": v.text(step, "who", step_where, required=False,
                              max_length=_max_length(Step, "who")),
                "tools": list(dict.fromkeys(step_tools)),
            })
        levels[number] = {
            "number": number,
            "title": v.text(item, "title", where, max_length=_max_length(Level, "title")),
            "purpose": v.text(item, "purpose", where, required=False, long=True),
            "audience": v.text(item, "audience", where, required=False, long=True),
            "steps": steps,
        }

    missing = [n for n in LEVEL_NUMBERS if n not in levels]
    if missing and root.get("levels"):
        v.error("guide", f"levels {missing} are missing (0, 1, 2 and 3 are all required)")
    if 0 in levels:
        codes = tuple(step["code"] for step in levels[0]["steps"])
        if codes != LEVEL0_CODES:
            v.error("level 0", f"step codes must be {list(LEVEL0_CODES)} in that order "
                               f"(got {list(codes)})")

    v.raise_if_any()
    guide["tools"] = tools
    guide["levels"] = [levels[n] for n in LEVEL_NUMBERS]
    return guide


def read_template(template_key: str) -> dict:
    """Parse a shipped template file (not yet validated)."""
    if template_key not in TEMPLATES:
        raise ValueError(
            f"Unknown guide template {template_key!r}; choose one of {sorted(TEMPLATES)}"
        )
    path = TEMPLATES[template_key]["file"]
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise ValueError(f"Invalid guide template {path.name}: not valid YAML: {exc}") from exc


def load_guide(municipality, template_key: str) -> Guide:
    """Create a new guide for `municipality` from a shipped template.

    Call inside `django_scopes.scope(municipality=...)`. The newest guide is
    the current one, so loading again publishes a new version; concerns keep
    pointing to the guide they were started under.
    """
    data = read_template(template_key)
    return load_guide_data(municipality, data, template_key,
                           source=TEMPLATES[template_key]["file"].name)


def load_guide_data(municipality, data: Any, template_key: str, *, source="<data>") -> Guide:
    """Create a guide from already-parsed data (same shape as the YAML files)."""
    clean = validate(data, source)
    with transaction.atomic():
        # A loaded template is published at once, as the next version.
        last = Guide.objects.filter(municipality=municipality).aggregate(
            last=models.Max("number"))["last"] or 0
        guide = Guide.objects.create(
            municipality=municipality,
            title=clean["title"],
            language=clean["language"],
            template=template_key,
            introduction=clean["introduction"],
            status=Guide.Status.PUBLISHED,
            number=last + 1,
            published_at=timezone.now(),
        )
        tools = Tool.objects.bulk_create([
            Tool(municipality=municipality, guide=guide, **item) for item in clean["tools"]
        ])
        tool_by_key = {tool.key: tool for tool in tools}
        levels = Level.objects.bulk_create([
            Level(municipality=municipality, guide=guide,
                  **{k: item[k] for k in ("number", "title", "purpose", "audience")})
            for item in clean["levels"]
        ])
        step_rows, step_tools = [], []
        for level, item in zip(levels, clean["levels"], strict=True):
            for step in item["steps"]:
                fields = {k: step[k] for k in ("number", "code", "title", "summary", "body", "who")}
                step_rows.append(Step(municipality=municipality, level=level, **fields))
                step_tools.append(step["tools"])
        steps = Step.objects.bulk_create(step_rows)
        Through = Step.tools.through
        Through.objects.bulk_create([
            Through(step_id=step.pk, tool_id=tool_by_key[key].pk)
            for step, keys in zip(steps, step_tools, strict=True)
            for key in keys
        ])
    return guide


def current_guide() -> Guide | None:
    """The active municipality's newest published guide (the scope filters by
    municipality); drafts are only ever seen in the editor."""
    return (
        Guide.objects.filter(status=Guide.Status.PUBLISHED).order_by("-number", "-pk").first()
    )
