"""The catalogue as a file: CSV (for spreadsheets) and YAML (of the same
family as the guide's format: a header with `kind` and `format`, then the
measures). Both carry the same columns, described in docs/catalog.md.

`read_file(name, data)` turns an uploaded file into rows, each with the line
it starts on; `check_rows(rows, services)` checks every row and returns the
normalised measures and *every* problem (line, column, what is wrong, in the
reader's language). `export_csv` and `export_yaml` write a catalogue back so
that it imports unchanged.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from .models import BTI_LEVELS, CatalogMeasure

KIND = "catalog"
FORMAT_VERSION = 1
COLUMNS = ("key", "name", "description", "age_from", "age_to", "groups", "levels", "steps",
           "service", "access", "contact", "active")
REQUIRED = ("key", "name", "service", "access")
GROUPS = {"unborn": "for_unborn", "child": "for_children", "young": "for_young",
          "parents": "for_parents"}
ACCESS = tuple(CatalogMeasure.Access.values)
YES = {"yes", "ja", "true", "1", "y", "j"}
NO = {"no", "nei", "false", "0", "n"}
MAX_ROWS = 2000
MAX_AGE = 30
MAX_STEP = 50
MAX_DESCRIPTION = 5000
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STEP = re.compile(r"([0-3])\.([0-9]{1,2})")
_SEPARATORS = re.compile(r"[\s,;]+")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return _("line %(line)s, column '%(column)s': %(problem)s") % {
                "line": self.line, "column": self.column, "problem": self.message}
        return _("line %(line)s: %(problem)s") % {"line": self.line, "problem": self.message}


class CatalogFormatError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class Row:
    """One measure as read from a file: its line and its raw values (text in
    CSV; text, numbers, lists or yes/no in YAML)."""

    line: int
    values: dict
    lines: dict = field(default_factory=dict)  # column → line (YAML)

    def line_of(self, column: str) -> int:
        return self.lines.get(column, self.line)


def _did_you_mean(word: str, choices) -> str:
    match = difflib.get_close_matches(str(word).lower(), list(choices), n=1, cutoff=0.6)
    return (" " + _("(did you mean '%(word)s'?)") % {"word": match[0]}) if match else ""


# --- Reading ------------------------------------------------------------------------


def decode(data: bytes) -> str:
    if not data.strip():
        raise CatalogFormatError([Problem(None, "", _("The file is empty."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogFormatError([Problem(None, "", _(
            "The file is not UTF-8 text. Save it as UTF-8 (in Excel: “CSV UTF-8”) and "
            "upload it again."))]) from None
    bad = _UNPRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise CatalogFormatError([Problem(line, "", _(
            "the file contains a character that is not allowed (U+%(code)04X)")
            % {"code": ord(bad.group())})])
    return text


def read_file(name: str, data: bytes) -> list[Row]:
    """The rows of an uploaded CSV or YAML file (by its name; CSV otherwise)."""
    text = decode(data)
    if name.lower().endswith((".yaml", ".yml")):
        return read_yaml(text)
    return read_csv(text)


def read_csv(text: str) -> list[Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise CatalogFormatError([Problem(1, "", _("The first line must name the columns."))])
        header = [h.strip().lower() for h in header]
        for column in header:
            if column not in COLUMNS:
                problems.append(Problem(1, column, _("unknown column") + _did_you_mean(column, COLUMNS)))
        for column in REQUIRED:
            if column not in header:
                problems.append(Problem(1, column, _("the column is missing")))
        seen = set()
        for column in header:
            if column in seen:
                problems.append(Problem(1, column, _("the column appears twice")))
            seen.add(column)
        if problems:
            raise CatalogFormatError(problems)
        rows = []
        line = reader.line_num + 1
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(value.strip() for value in record):
                continue
            if len(record) > len(header):
                problems.append(Problem(start, "", _(
                    "the line has %(found)s values, but there are %(expected)s columns")
                    % {"found": len(record), "expected": len(header)}))
                continue
            rows.append(Row(start, dict(zip(header, record, strict=False))))
            if len(rows) > MAX_ROWS:
                raise CatalogFormatError([Problem(None, "", _(
                    "The file has more than %(max)s measures.") % {"max": MAX_ROWS})])
    except csv.Error as error:
        problems.append(Problem(reader.line_num or None, "", _(
            "this is not valid CSV: %(problem)s") % {"problem": error}))
    if problems:
        raise CatalogFormatError(problems)
    return rows


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()


def _scalar(node):
    # Floats stay as written: a step "1.10" is not the number 1.1.
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:float"):
        return node.value
    build = _constructor.yaml_constructors.get(node.tag)
    try:
        return build(_constructor, node) if build else node.value
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value


def _plain(node):
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return _scalar(node)


def read_yaml(text: str) -> list[Row]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise CatalogFormatError([Problem(mark.line + 1 if mark else None, "", _(
            "this is not valid YAML: %(problem)s") % {"problem": error.problem or ""})]) from None
    except (yaml.YAMLError, RecursionError):
        raise CatalogFormatError([Problem(None, "", _("this is not valid YAML"))]) from None
    if not isinstance(node, yaml.MappingNode):
        raise CatalogFormatError([Problem(1, "", _(
            "the file must start with 'kind: catalog', 'format: 1' and 'measures:'"))])
    top = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    problems = []
    for name, (key, _value) in top.items():
        if name not in ("kind", "format", "municipality", "measures"):
            problems.append(Problem(key.start_mark.line + 1, name, _("unknown key")
                                    + _did_you_mean(name, ("kind", "format", "measures"))))
    if "kind" not in top or _scalar(top["kind"][1]) != KIND:
        problems.append(Problem(1, "kind", _("the file must say 'kind: %(kind)s'") % {"kind": KIND}))
    if "format" in top and _scalar(top["format"][1]) != FORMAT_VERSION:
        problems.append(Problem(top["format"][0].start_mark.line + 1, "format", _(
            "only format %(version)s is known") % {"version": FORMAT_VERSION}))
    measures = top.get("measures", (None, None))[1]
    if measures is None or not isinstance(measures, yaml.SequenceNode):
        problems.append(Problem(1, "measures", _("the file must list its measures under 'measures:'")))
    if problems:
        raise CatalogFormatError(problems)
    if len(measures.value) > MAX_ROWS:
        raise CatalogFormatError([Problem(None, "", _(
            "The file has more than %(max)s measures.") % {"max": MAX_ROWS})])
    rows = []
    for item in measures.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(line, "", _("a measure must be a mapping (key: value)")))
            continue
        values, lines = {}, {}
        for key, value in item.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name not in COLUMNS:
                problems.append(Problem(key.start_mark.line + 1, str(name), _("unknown key")
                                        + _did_you_mean(name, COLUMNS)))
                continue
            values[name], lines[name] = _plain(value), key.start_mark.line + 1
        rows.append(Row(line, values, lines))
    if problems:
        raise CatalogFormatError(problems)
    return rows


# --- Checking -----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split()) if not isinstance(value, list) else ""


def _words(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [w for w in _SEPARATORS.split(str(value).strip()) if w]


class _ServiceIndex:
    def __init__(self, services):
        self.by_name = {s.name.casefold(): s for s in services}
        self.by_number = {s.organisation_number: s for s in services if s.organisation_number}

    def find(self, text: str):
        return self.by_number.get(text.replace(" ", "")) or self.by_name.get(text.casefold())


def check_rows(rows: list[Row], services) -> tuple[list[dict], list[Problem]]:
    """Every row normalised to the model's fields (with `line`), and every problem."""
    index = _ServiceIndex(services)
    problems: list[Problem] = []
    measures: list[dict] = []
    first_line_of_key: dict[str, int] = {}

    for row in rows:
        v = row.values
        found: list[Problem] = []

        def bad(column, message, row=row, found=found):
            found.append(Problem(row.line_of(column), column, message))

        key = _text(v.get("key"))
        if not key:
            bad("key", _("a key is required (a short word such as 'icdp-kurs')"))
        elif len(key) > 80 or not _KEY.fullmatch(key):
            bad("key", _("'%(value)s' is not a valid key: use small letters a–z, digits and "
                         "hyphens, at most 80") % {"value": key[:80]})
        elif key in first_line_of_key:
            bad("key", _("the key '%(key)s' is used on line %(line)s too; each measure needs its "
                         "own key") % {"key": key, "line": first_line_of_key[key]})
        else:
            first_line_of_key[key] = row.line

        name = _text(v.get("name"))
        if not name:
            bad("name", _("a name is required"))
        elif len(name) > 200:
            bad("name", _("the name is longer than %(max)s characters") % {"max": 200})
        raw_description = v.get("description")
        description = "" if raw_description is None else str(raw_description).strip()
        description = description.replace("\r\n", "\n")
        if len(description) > MAX_DESCRIPTION:
            bad("description", _("the text is longer than %(max)s characters") % {"max": MAX_DESCRIPTION})

        ages = {}
        for column in ("age_from", "age_to"):
            text = _text(v.get(column))
            ages[column] = None
            if text:
                if not text.isdigit() or int(text) > MAX_AGE:
                    bad(column, _("'%(value)s' is not an age: write whole years from 0 to %(max)s, "
                                  "or leave it empty") % {"value": text[:20], "max": MAX_AGE})
                else:
                    ages[column] = int(text)
        if ages["age_from"] is not None and ages["age_to"] is not None and ages["age_from"] > ages["age_to"]:
            bad("age_to", _("the age range ends (%(to)s) before it starts (%(from)s)")
                % {"from": ages["age_from"], "to": ages["age_to"]})

        groups = set()
        for word in _words(v.get("groups")):
            if word.lower() in GROUPS:
                groups.add(word.lower())
            else:
                bad("groups", _("'%(value)s' is not a group: use unborn, child, young or parents")
                    % {"value": word[:30]} + _did_you_mean(word, GROUPS))

        levels = set()
        for word in _words(v.get("levels")):
            if word.isdigit() and int(word) in BTI_LEVELS:
                levels.add(int(word))
            else:
                bad("levels", _("'%(value)s' is not a BTI level: use 0, 1, 2 or 3") % {"value": word[:20]})

        steps = []
        for word in _words(v.get("steps")):
            match = _STEP.fullmatch(word)
            if not match or not 1 <= int(match.group(2)) <= MAX_STEP:
                bad("steps", _("'%(value)s' is not a guide step: write level.step, such as 1.3")
                    % {"value": word[:20]})
            elif (code := f"{match.group(1)}.{int(match.group(2))}") not in steps:
                steps.append(code)

        service_text = _text(v.get("service"))
        service = None
        if not service_text:
            bad("service", _("the service that offers the measure is required"))
        else:
            service = index.find(service_text)
            if service is None:
                bad("service", _("there is no service '%(value)s' in the municipality (give its "
                                 "name or organisation number)") % {"value": service_text[:120]}
                    + _did_you_mean(service_text.casefold(), index.by_name))

        access = _text(v.get("access")).lower()
        if access not in ACCESS:
            bad("access", _("'%(value)s' is not a way to get the measure: use low_threshold, "
                            "referral or meeting") % {"value": access[:30]})
        contact = _text(v.get("contact"))
        if len(contact) > 300:
            bad("contact", _("the contact is longer than %(max)s characters") % {"max": 300})

        raw_active = v.get("active")
        if raw_active is None or raw_active == "":
            active = True
        elif isinstance(raw_active, bool):
            active = raw_active
        elif str(raw_active).strip().lower() in YES:
            active = True
        elif str(raw_active).strip().lower() in NO:
            active = False
        else:
            bad("active", _("write yes or no"))
            active = True

        problems.extend(found)
        if not found:
            measures.append({
                "line": row.line, "key": key, "name": name, "description": description,
                "age_from": ages["age_from"], "age_to": ages["age_to"],
                **{attr: group in groups for group, attr in GROUPS.items()},
                "levels": "".join(str(n) for n in sorted(levels)),
                "steps": " ".join(sorted(steps, key=_step_order)),
                "service": service, "access": access, "contact": contact, "active": active,
            })
    return measures, problems


def _step_order(code: str):
    level, step = code.split(".")
    return int(level), int(step)


FIELDS = ("name", "description", "age_from", "age_to", *GROUPS.values(), "levels", "steps",
          "access", "contact", "active")


def differs(measure: CatalogMeasure, data: dict) -> bool:
    return (any(getattr(measure, f) != data[f] for f in FIELDS)
            or measure.service_id != data["service"].pk)


# --- Writing ------------------------------------------------------------------------


def _groups(measure) -> list[str]:
    return [group for group, attr in GROUPS.items() if getattr(measure, attr)]


def _service_ref(measure) -> str:
    return measure.service.name


# Semicolons and CRLF, after a BOM: what Norwegian Excel opens as columns.
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n"}
BOM = "\ufeff"


def csv_rows(measures):
    """The header, then one record per measure (read as they come: a
    queryset's `.iterator()` streams)."""
    yield COLUMNS
    for m in measures:
        yield [
            m.key, m.name, m.description,
            "" if m.age_from is None else m.age_from, "" if m.age_to is None else m.age_to,
            " ".join(_groups(m)), " ".join(m.levels), m.steps, _service_ref(m), m.access,
            m.contact, "yes" if m.active else "no",
        ]


def export_csv(measures) -> str:
    """The catalogue as CSV with a BOM and semicolons, one measure per record."""
    out = io.StringIO(newline="")
    csv.writer(out, **CSV_DIALECT).writerows(csv_rows(measures))
    return BOM + out.getvalue()


HEADER = """\
# Stafett: tiltaksoversikt (catalogue of measures), format 1.
# The columns are described in docs/catalog.md in Stafett's source code.
# Keep the keys: a measure is matched by its key when the file is uploaded.
"""


def export_yaml(measures, municipality_number: str = "") -> str:
    return "".join(yaml_pieces(measures, municipality_number))


def _yaml(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100)


def yaml_pieces(measures, municipality_number: str = ""):
    """The catalogue as YAML, one measure at a time: the same text as
    dumping the whole document at once (a block list under a key is written
    at the key's own indentation, so each measure dumps alone as it would
    inside the list)."""
    document = {"kind": KIND, "format": FORMAT_VERSION}
    if municipality_number:
        document["municipality"] = municipality_number
    yield HEADER + _yaml(document)
    empty = True
    for m in measures:
        if empty:
            yield "measures:\n"
            empty = False
        yield _yaml([_yaml_item(m)])
    if empty:
        yield _yaml({"measures": []})


def _yaml_item(m) -> dict:
    item = {"key": m.key, "name": m.name}
    if m.description:
        item["description"] = m.description
    if m.age_from is not None:
        item["age_from"] = m.age_from
    if m.age_to is not None:
        item["age_to"] = m.age_to
    item["groups"] = _groups(m)
    item["levels"] = [int(c) for c in m.levels]
    item["steps"] = m.step_codes
    item["service"] = _service_ref(m)
    item["access"] = m.access
    if m.contact:
        item["contact"] = m.contact
    item["active"] = m.active
    return item
