"""The guide file format, without the database: reading with line numbers,
checking everything at once, and writing the canonical form.

`guides()` generates valid guide data within the format's rules; the property
tests here (and the database round trip in test_import_export.py) use it.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stafett.guides.loader import (
    LEVEL0_CODES,
    MAX_PRINT,
    GuideFormatError,
    dump_guide,
    parse_guide,
    template_data,
    validate,
)
from stafett.guides.placeholders import PLACEHOLDERS

# The format's messages are checked in their English source form.
pytestmark = pytest.mark.usefixtures("english")

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "guide-example.yaml"


# --- generated guides ---------------------------------------------------------------

# Letters (with æøå), digits, punctuation YAML cares about, symbols, odd spaces
# (no-break, ideographic) and characters outside the basic plane.
_ALPHABET = (string.ascii_letters + "æøåÆØÅéü0123456789" + " " * 8
             + ":#-,[]&*!|>%@`?'\"\\/()–«»…§½" + "\xa0\u3000\u200b😀𝄞ŋ")
_chars = st.sampled_from(_ALPHABET)
_short = st.text(_chars, min_size=1, max_size=40).filter(lambda s: s.strip())
_words = st.sampled_from(["yes", "no", "null", "123", "1_0", "0x1F", "1e3", "on", "-", "True",
                          "0o17", "-1"])
_slug = st.one_of(st.from_regex(r"[-a-zA-Z0-9_]{1,20}", fullmatch=True), _words)
_line = st.text(st.one_of(_chars, st.just("\t")), max_size=60)
_prose = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_printable_line = st.one_of(
    st.text(st.one_of(_chars, st.just("\t"), st.just("{")), max_size=50)
    .map(lambda s: s.replace("{", "{ ")),  # braces, but never an unknown {name}
    st.sampled_from([f"{{{name}}}" for name in PLACEHOLDERS]),
    st.just(""),
    st.builds(lambda n, s: " " * n + s, st.integers(1, 4), st.sampled_from(["- ja", "innrykk"])),
)
_printable = st.lists(_printable_line, min_size=1, max_size=6).map("\n".join)


def _optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def _texts(draw, fields: dict[str, st.SearchStrategy]) -> dict:
    result = {}
    for key, strategy in fields.items():
        value = draw(_optional(strategy))
        if value is not None:
            result[key] = value
    return result


STEP_TEXTS = {"title_other": _short, "summary": _prose, "summary_other": _prose,
              "body": _prose, "body_other": _prose, "who": _short, "who_other": _short}


@st.composite
def _steps(draw, level: int, tool_keys: list[str]) -> list[dict]:
    extra_codes = draw(st.lists(_slug.filter(lambda c: c not in LEVEL0_CODES), max_size=3,
                                unique=True))
    if level == 0:
        codes = list(LEVEL0_CODES)
        for code in extra_codes:  # other steps may come before, between or after
            codes.insert(draw(st.integers(0, len(codes))), code)
    else:
        codes = draw(st.lists(st.one_of(st.just(""), _slug), min_size=1, max_size=5))
        seen: set[str] = set()
        codes = [c if c and not (c in seen or seen.add(c)) else "" for c in codes]
    explicit = draw(st.booleans())
    steps = []
    for number, code in enumerate(codes, start=1):
        step = {"title": draw(_short), **draw(_texts(STEP_TEXTS))}
        if explicit:
            step["number"] = number
        if code:
            step["code"] = code
        if tool_keys:
            step["tools"] = draw(st.lists(st.sampled_from(tool_keys), unique=True, max_size=3))
        steps.append(step)
    # Variant steps: replace a common step (keeping its code) or add one.
    for variant in draw(st.lists(st.sampled_from(["basis", "hjelpe", "voksen"]), unique=True,
                                 max_size=2)):
        numbers = draw(st.lists(st.integers(1, len(codes) + 2), unique=True, min_size=1,
                                max_size=3))
        for number in numbers:
            step = {"number": number, "variant": variant, "title": draw(_short)}
            if number <= len(codes) and codes[number - 1]:
                step["code"] = codes[number - 1]
            steps.append(step)
    return draw(st.permutations(steps)) if explicit else steps


TOOL_TEXTS = {"title_other": _short, "description": _prose, "description_other": _prose,
              "body": _printable, "body_other": _printable}


@st.composite
def guides(draw) -> dict:
    """Raw guide data as a person might write it (unnormalised texts, numbers
    sometimes left out, steps in any order), valid by the format's rules."""
    tool_keys = draw(st.lists(_slug, unique=True, max_size=4))
    tools = []
    for key in tool_keys:
        tool = {"key": key, "title": draw(_short), **draw(_texts(TOOL_TEXTS))}
        kind = draw(_optional(st.sampled_from(["consent", "mapping", "conversation", "meeting",
                                               "other"])))
        if kind:
            tool["kind"] = kind
        tools.append(tool)
    levels = []
    for number in draw(st.permutations([0, 1, 2, 3])):
        level = {"number": number, "title": draw(_short),
                 **draw(_texts({"title_other": _short, "purpose": _prose,
                                "purpose_other": _prose, "audience": _prose,
                                "audience_other": _prose})),
                 "steps": draw(_steps(number, tool_keys))}
        levels.append(level)
    data = {"title": draw(_short), "language": draw(st.sampled_from(["nb", "nn"])),
            **draw(_texts({"title_other": _short, "introduction": _prose,
                           "introduction_other": _prose, "template": _slug})),
            "levels": levels}
    if tools or draw(st.booleans()):
        data["tools"] = tools
    if draw(st.booleans()):
        data["format"] = 1
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guides())
def test_export_import_export_is_the_identity(raw):
    clean = validate(raw)
    text = dump_guide(clean)
    again = parse_guide(text)
    assert again == clean
    assert dump_guide(again) == text


@settings(max_examples=30, deadline=None)
@given(guides())
def test_any_yaml_writer_is_read_the_same(raw):
    """A file written by another program (PyYAML's own style) reads the same."""
    import yaml

    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=True)
    assert parse_guide(text) == validate(raw)


# --- checking: every problem, with its line -----------------------------------------


def problems(text: str) -> list[str]:
    with translation.override("en"), pytest.raises(GuideFormatError) as excinfo:
        parse_guide(text, "test.yaml")
    return [str(problem) for problem in excinfo.value.problems]


GOOD = EXAMPLE.read_text(encoding="utf-8")


def test_the_example_is_valid():
    data = parse_guide(GOOD)
    assert [level["number"] for level in data["levels"]] == [0, 1, 2, 3]


def _lines_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(line for line in text.split("\n") if needle in line)) + 1


def _replace(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_wrong_types_are_named_with_their_line():
    text = _replace("title: Handlingsveileder for Eksempel kommune", "title: 2024")
    text = _replace("    title: Nivå 1 – Innsats i egen tjeneste", "    title: [a, b]", text)
    text = _replace("        tools: [referat]", "        tools: referat", text)
    text = _replace("\n  - number: 2\n", "\n  - number: two\n", text)
    found = problems(text)
    assert (f"line {_lines_of(text, 'title: 2024')}: guide: 'title' must be text, not a number; "
            "put it in quotes if you mean the text") in found
    assert any(p.startswith(f"line {_lines_of(text, 'title: [a, b]')}: level 1: 'title' must be "
                            "text, not a list") for p in found)
    assert any(p.startswith(f"line {_lines_of(text, 'tools: referat')}: level 1, step 2: 'tools' "
                            "must be a list of tool keys") for p in found)
    assert any(p.startswith(f"line {_lines_of(text, 'number: two')}: level no. 3 in the list: "
                            "'number' must be a whole number from 0 to 3, not 'two'")
               for p in found)


def test_yes_and_no_are_not_text():
    found = problems(_replace("        title: Grunn til å gå videre?\n",
                              "        title: yes\n"))
    assert any("'title' must be text, not yes/no (true/false)" in p for p in found)


def test_unknown_keys_suggest_the_right_one():
    text = _replace("    kind: meeting\n    title: Referat", "    kind: meeting\n    titel: Referat")
    text = _replace("        who: Den ansatte som undrer seg",
                    "        who: Den ansatte som undrer seg\n        colour: red", text)
    found = problems(text)
    line = _lines_of(text, "titel: Referat")
    assert f"line {line}: tool 'referat': unknown key 'titel' (did you mean 'title'?)" in found
    assert f"line {line}: tool 'referat': 'title' is required" not in found  # the mapping's line
    assert any(p.startswith(f"line {_lines_of(text, 'colour: red')}: level 0, step 1: unknown "
                            "key 'colour'; the keys here are: number, variant") for p in found)


def test_missing_levels():
    text = GOOD[:GOOD.index("\n  - number: 2\n") + 1]
    found = problems(text)
    assert found == [f"line {_lines_of(text, 'levels:')}: guide: levels 2, 3 are missing: a "
                     "guide has the levels 0, 1, 2 and 3"]


def test_duplicate_step_numbers_for_the_same_services():
    text = _replace("      - number: 2\n        code: evaluate",
                    "      - number: 1\n        code: evaluate")
    first = _lines_of(text, "code: start") - 1
    found = problems(text)
    assert any(p.startswith(f"line {first + 4}: level 1, step 1: another step has the number 1 "
                            f"for the same services (line {first})") for p in found), found


def test_the_same_number_for_other_services_is_fine():
    text = _replace("      - number: 2\n        code: evaluate",
                    "      - number: 1\n        variant: hjelpe\n        code: start")
    parse_guide(text)


def test_unknown_tools_bad_variant_bad_language_and_too_long_texts():
    text = _replace("        tools: [samtykkeskjema]", "        tools: [samtykkeskema]")
    text = _replace("        variant: voksen\n        code: children",
                    "        variant: adult\n        code: children", text)
    text = _replace("language: nb", "language: se", text)
    text = _replace("        who: Den ansatte som undrer seg", "        who: " + "x" * 301, text)
    found = problems(text)
    assert (f"line {_lines_of(text, '[samtykkeskema]')}: level 1, step 1: unknown tool "
            "'samtykkeskema' (not under 'tools') (did you mean 'samtykkeskjema'?)") in found
    assert any(f"line {_lines_of(text, 'variant: adult')}: " in p and "'variant' must be basis, "
               "hjelpe or voksen (or left out: for all services), not 'adult'" in p
               for p in found)
    assert (f"line {_lines_of(text, 'language: se')}: guide: 'language' must be nb (bokmål) or "
            "nn (nynorsk), not 'se'") in found
    assert (f"line {_lines_of(text, 'who: xxx')}: level 0, step 1: 'who' is longer than 300 "
            "characters (it has 301)") in found


def test_a_tool_text_too_long():
    text = _replace("      ## Referat\n", "      ## Referat\n\n      " + "x" * MAX_PRINT + "\n")
    assert any(f"'body' is longer than {MAX_PRINT} characters" in p for p in problems(text))


def test_level0_must_keep_the_journeys_codes_for_every_service_kind():
    text = _replace("        variant: voksen\n        code: talk", "        variant: voksen\n"
                    "        code: chat")
    found = problems(text)
    assert any("level 0, the steps for adult services (voksen): the steps must carry the codes "
               "define, share, talk, decide, close, each once and in this order" in p
               for p in found), found
    text = _replace("      - code: share\n", "      - code: shared\n")
    assert any(p.startswith(f"line {_lines_of(text, '  - number: 0')}: level 0: the steps must "
                            "carry the codes") for p in problems(text))


def test_a_code_twice_for_the_same_services():
    text = _replace("        code: evaluate", "        code: start")
    assert any("level 1: the code 'start' is on more than one step (steps 1, 2)" in p
               for p in problems(text))


def test_unknown_placeholders():
    text = _replace("      Tid: {meeting_time}", "      Tid: {meeting_tme} {nonsense}")
    line = _lines_of(text, "{meeting_tme}")
    found = problems(text)
    assert any(p.startswith(f"line {line}: tool 'referat': 'body' uses the unknown placeholder "
                            "{meeting_tme} (did you mean {meeting_time}?)") for p in found)
    assert any("{nonsense}; the placeholders are: {child}" in p for p in found)


@pytest.mark.parametrize("text, line, message", [
    ("title: [unclosed\nlevels: -", 2, "this is not valid YAML"),
    ("title: a\n  language: nb\n", 2, "this is not valid YAML: mapping values are not allowed"),
    ("title: a\nlevels:\n\t- number: 0\n", 3, "(indent with spaces, not tabs)"),
    ("title: a\n---\ntitle: b\n", 2, "this is not valid YAML: expected a single document"),
    ("", 1, "the file is empty"),
    ("# only a comment\n", 1, "the file is empty"),
    ("title: a\x07\n", 1, "the file contains a character that is not allowed (U+0007)"),
    ("title: &t a\nlanguage: *t\n", 1, "anchors and aliases (& and *) are not supported"),
    ("title: !python/object a\n", 1, "the tag !python/object is not supported here"),
    ("- title: a\n", 1, "guide: must be a mapping (key: value), not a list"),
    ("format: 2\n", 1, "guide: 'format' must be 1"),
])
def test_broken_files(text, line, message):
    found = problems(text)
    assert any(p.startswith(f"line {line}: ") and message in p for p in found), found


def test_a_key_twice():
    text = _replace("language: nb\n", "language: nb\nlanguage: nn\n")
    first = _lines_of(text, "language: nb")
    assert (f"line {first + 1}: 'language' appears twice in the same place (first on line "
            f"{first})") in problems(text)


def test_every_problem_at_once_in_file_order():
    text = _replace("language: nb", "language: sv")
    text = _replace("        title: Første møte", "        titel: Første møte", text)
    text = _replace("      Foresatt: ______________________",
                    "      Foresatt: {guardian}", text)
    found = problems(text)
    lines = [int(re.match(r"line (\d+):", p).group(1)) for p in found]
    assert lines == sorted(lines) and len(found) == 4  # titel: unknown + title required


def test_long_runs_of_problems_are_all_reported():
    steps = "".join(f"      - number: {n}\n        titel: x\n" for n in range(1, 31))
    text = _replace("    steps:\n      - number: 1\n        title: Første møte\n",
                    "    steps:\n" + steps)
    text = text[:text.index("        tools: [samtykkeskjema, referat]", text.index("titel: x"))]
    assert len(problems(text)) == 60


# --- texts --------------------------------------------------------------------------


def _one_step_guide(**step) -> dict:
    codes = [{"code": code, "title": code} for code in LEVEL0_CODES]
    codes[0].update(step)
    return {"title": "G", "language": "nb", "levels": [
        {"number": 0, "title": "L0", "steps": codes},
        *({"number": n, "title": f"L{n}", "steps": [{"title": "S"}]} for n in (1, 2, 3)),
    ]}


def test_running_text_is_paragraphs():
    clean = validate(_one_step_guide(summary="  Første   avsnitt\n\n\nAndre\tavsnitt \n"))
    assert clean["levels"][0]["steps"][0]["summary"] == "Første avsnitt\n\nAndre avsnitt"


def test_a_line_is_one_line():
    clean = validate(_one_step_guide(title=" Beskriv\n  undringen  "))
    assert clean["levels"][0]["steps"][0]["title"] == "Beskriv undringen"


def test_printable_text_keeps_its_lines():
    data = _one_step_guide(tools=["t"])
    data["tools"] = [{"key": "t", "title": "T",
                      "body": "\n\n## Tittel\r\n\r\nNavn: {child}  \nDato: {today}\n\n\n\n  - inn\n"}]
    body = validate(data)["tools"][0]["body"]
    assert body == "## Tittel\n\nNavn: {child}\nDato: {today}\n\n  - inn"
    text = dump_guide(validate(data))
    assert "    body: |\n      ## Tittel\n\n      Navn: {child}\n" in text
    assert parse_guide(text)["tools"][0]["body"] == body


def test_a_printable_text_starting_with_spaces():
    data = _one_step_guide()
    data["tools"] = [{"key": "t", "title": "T", "body": "   innrykk\nvanlig"}]
    text = dump_guide(validate(data))
    assert "    body: |2\n         innrykk\n      vanlig\n" in text
    assert parse_guide(text)["tools"][0]["body"] == "   innrykk\nvanlig"


# --- the canonical form -------------------------------------------------------------


def test_canonical_form():
    text = dump_guide(parse_guide(GOOD))
    assert text.startswith("# Stafett: handlingsveileder")
    keys = [line.split(":")[0] for line in text.split("\n") if line and line[0].isalpha()]
    assert keys == ["format", "title", "title_other", "language", "introduction", "tools",
                    "levels"]
    assert "  - key: samtykkeskjema\n    kind: consent\n    title: Samtykkeskjema\n" in text
    assert "variant: ''" not in text and "title_other: ''" not in text  # empty: left out
    # Common steps first, then the adult services' own, each by number.
    level0 = text[text.index("\n  - number: 0"):text.index("\n  - number: 1\n")]
    numbers = re.findall(r"\n      - number: (\d+)", level0)
    assert numbers == [str(n) for n in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6)]
    assert all(len(line) <= 80 for line in text.split("\n") if not line.strip().startswith(
        ("- ", "Ved mistanke", "Har du grunn")))
    assert dump_guide(parse_guide(text)) == text


def test_words_yaml_would_misread_are_quoted():
    data = _one_step_guide(tools=["yes", "123", "null"])
    data["tools"] = [{"key": key, "title": key} for key in ("yes", "123", "null")]
    data["levels"][0]["title"] = "Nivå 0: start"
    text = dump_guide(validate(data))
    assert "tools: ['yes', '123', 'null']" in text
    assert "  - key: 'yes'\n" in text and "title: 'Nivå 0: start'" in text
    assert parse_guide(text) == validate(data)


@pytest.mark.parametrize("key", ["national", "stord", "nittedal"])
def test_shipped_templates_survive_the_round_trip(key):
    clean = template_data(key)
    text = dump_guide(clean)
    assert parse_guide(text) == clean and dump_guide(parse_guide(text)) == text
