"""The shipped guide templates load, and a broken one fails loudly and leaves nothing behind."""

import copy
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from stafett.guides import loader
from stafett.guides.loader import (
    LEVEL0_CODES,
    TEMPLATES,
    GuideFormatError,
    available_templates,
    current_guide,
    load_guide,
    load_guide_data,
    read_template,
    template_data,
    validate,
)
from stafett.guides.models import Guide, Level, Step, Tool, steps_for_variant
from stafett.guides.placeholders import PLACEHOLDERS

# The format's messages are checked in their English source form.
pytestmark = pytest.mark.usefixtures("english")

REQUIRED_TOOLS = {
    "samtykkeskjema", "kartleggingsskjema", "samtaleguide-barn", "samtaleguide-foresatte",
    "moteinnkalling", "agenda", "referat",
}


def counts():
    with scopes_disabled():
        return tuple(model.objects.count() for model in (Guide, Level, Step, Tool))


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_validates(key):
    data = template_data(key)
    assert data["language"] == TEMPLATES[key]["language"]
    assert [level["number"] for level in data["levels"]] == [0, 1, 2, 3]
    assert REQUIRED_TOOLS <= {tool["key"] for tool in data["tools"]}
    for level in data["levels"]:
        common = [step for step in level["steps"] if not step["variant"]]
        assert [step["number"] for step in common] == [1, 2, 3, 4, 5]
        assert level["title"] and level["purpose"] and level["audience"]
        for step in level["steps"]:
            assert step["code"] and step["title"] and step["summary"] and step["body"]
            assert step["who"]
    level0 = data["levels"][0]["steps"]
    assert tuple(s["code"] for s in level0 if not s["variant"]) == LEVEL0_CODES
    # Every tool is used somewhere, so the tools page never lists an orphan,
    # and every tool has a printable text of its kind.
    used = {key for level in data["levels"] for step in level["steps"] for key in step["tools"]}
    assert used == {tool["key"] for tool in data["tools"]}
    for tool in data["tools"]:
        assert tool["body"].startswith("## ") and "{" in tool["body"], tool["key"]
    kinds = {tool["key"]: tool["kind"] for tool in data["tools"]}
    assert kinds["samtykkeskjema"] == "consent" and kinds["kartleggingsskjema"] == "mapping"
    assert kinds["samtaleguide-barn"] == kinds["samtaleguide-foresatte"] == "conversation"
    assert kinds["moteinnkalling"] == kinds["agenda"] == kinds["referat"] == "meeting"


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_uses_only_known_placeholders(key):
    text = TEMPLATES[key]["file"].read_text(encoding="utf-8")
    names = set(re.findall(r"\{([a-z_]+)\}", text))
    assert names and names <= set(PLACEHOLDERS), names - set(PLACEHOLDERS)


def test_nittedal_gives_the_adult_services_their_own_level_0():
    data = template_data("nittedal")
    level0 = data["levels"][0]["steps"]
    adult = [s["code"] for s in level0 if s["variant"] == "voksen"]
    assert adult == ["children", *LEVEL0_CODES]
    assert all(s["variant"] in ("", "voksen") for level in data["levels"]
               for s in level["steps"])
    assert {"kartlegging-barn", "samtaleguide-forelder"} <= {t["key"] for t in data["tools"]}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_has_no_phone_numbers(key):
    # The seeds name real people and numbers; the shipped text must not.
    text = TEMPLATES[key]["file"].read_text(encoding="utf-8")
    assert not re.search(r"\d{2} ?\d{2} ?\d{2} ?\d{2}", text)


@pytest.mark.parametrize("key, language, first_step", [
    ("national", "nb", "Beskriv undringen"),
    ("stord", "nn", "Definer uroa for eit barn"),
    ("nittedal", "nb", "Beskriv undringen"),
])
def test_load_guide_creates_rows_for_the_municipality(world, key, language, first_step):
    with scope(municipality=world.fjordvik):
        guide = load_guide(world.fjordvik, key)
        assert current_guide() == guide
        assert guide.language == language and guide.template == key
        assert guide.status == Guide.Status.PUBLISHED and guide.number == 2
        levels = list(guide.levels.all())
        assert [level.number for level in levels] == [0, 1, 2, 3]
        steps = list(Step.objects.filter(level__guide=guide).select_related("level"))
        assert len([s for s in steps if not s.variant]) == 20
        level0 = [s for s in steps if s.level_id == levels[0].pk and not s.variant]
        assert [s.code for s in level0] == list(LEVEL0_CODES)
        assert [s.number for s in level0] == [1, 2, 3, 4, 5]
        assert level0[0].title == first_step
        tools = list(guide.tools.all())
        assert REQUIRED_TOOLS <= {tool.key for tool in tools}
        talk = level0[2]
        assert {t.key for t in talk.tools.all()} == {"samtaleguide-barn", "samtaleguide-foresatte"}
        rows = [guide, *levels, *steps, *tools]
        assert {row.municipality_id for row in rows} == {world.fjordvik.pk}
        # Every service kind finds the journey's five codes on level 0, in order.
        for kind in ("basis", "hjelpe", "voksen", "spesialist"):
            codes = [s.code for s in steps_for_variant(level0 + [
                s for s in steps if s.level_id == levels[0].pk and s.variant], kind)]
            assert [c for c in codes if c in LEVEL0_CODES] == list(LEVEL0_CODES)


def test_the_adult_services_start_by_asking_about_children(world):
    with scope(municipality=world.fjordvik):
        guide = load_guide(world.fjordvik, "nittedal")
        steps = list(Step.objects.filter(level__guide=guide, level__number=0)
                     .select_related("level"))
        adult = steps_for_variant(steps, "voksen")
        school = steps_for_variant(steps, "basis")
    assert [s.code for s in adult] == ["children", *LEVEL0_CODES]
    assert adult[0].title.startswith("Har brukeren barn")
    assert [s.code for s in school] == list(LEVEL0_CODES)


def test_available_templates():
    templates = available_templates()
    assert [t["key"] for t in templates] == list(TEMPLATES)
    assert {t["language"] for t in templates} == {"nb", "nn"}
    assert all(str(t["title"]) and str(t["description"]) for t in templates)


def test_paragraphs_are_kept(world):
    with scope(municipality=world.fjordvik):
        step = Step.objects.get(level__guide=current_guide(), level__number=0, code="define")
    assert "\n\n" in step.body and "\n\n\n" not in step.body


def test_current_guide_is_the_newest_of_the_scope(world):
    with scope(municipality=world.fjordvik):
        old = current_guide()
        new = load_guide(world.fjordvik, "stord")
        assert current_guide() == new != old
    with scope(municipality=world.asheim):
        assert current_guide().municipality == world.asheim


def _national():
    return copy.deepcopy(read_template("national"))


def _broken(change):
    data = _national()
    change(data)
    return data


@pytest.mark.parametrize("change, message", [
    (lambda d: d["levels"].pop(), "levels 3 are missing"),
    (lambda d: d["levels"][0]["steps"].reverse(), "level 0: the steps must carry the codes"),
    (lambda d: d["levels"][0]["steps"].pop(), "level 0: the steps must carry the codes"),
    (lambda d: d["levels"][1]["steps"][0]["tools"].append("fax"), "unknown tool 'fax'"),
    (lambda d: d["levels"][2]["steps"][1].pop("title"), "level 2, step 2: 'title' is required"),
    (lambda d: d.update(language="sv"), "'language' must be nb (bokmål) or nn (nynorsk)"),
    (lambda d: d["levels"].append(copy.deepcopy(d["levels"][1])), "level 1 appears twice"),
    (lambda d: d["levels"][3].update(number=7), "'number' must be a whole number from 0 to 3"),
    (lambda d: d["tools"].append(dict(d["tools"][0])), "another tool has the key"),
    (lambda d: d["tools"][0].update(key="Samtykke skjema"), "may only use the letters"),
    (lambda d: d["levels"][0]["steps"][0].update(who="x" * 301), "longer than 300"),
    (lambda d: d["levels"][1].update(steps=[]), "'steps' must be a list of at least one step"),
])
def test_broken_data_names_the_problem_and_creates_nothing(world, change, message):
    before = counts()
    with scope(municipality=world.fjordvik), pytest.raises(GuideFormatError, match=re.escape(message)):
        load_guide_data(world.fjordvik, _broken(change), "national")
    assert counts() == before


def test_not_a_mapping(world):
    with scope(municipality=world.fjordvik), pytest.raises(ValueError, match="must be a mapping"):
        load_guide_data(world.fjordvik, ["levels"], "national")


def test_every_problem_is_reported_at_once():
    data = _national()
    data["levels"][0]["steps"][0]["tools"] = ["nope"]
    data.pop("title")
    with pytest.raises(GuideFormatError) as excinfo:
        validate(data, "national.yaml")
    text = str(excinfo.value)
    assert "national.yaml" in text and "unknown tool 'nope'" in text and "'title' is required" in text
    assert len(excinfo.value.problems) == 2
    # Data without a file has no line numbers.
    assert all(problem.line is None for problem in excinfo.value.problems)


def test_broken_yaml_file(world, tmp_path, monkeypatch):
    path = tmp_path / "broken.yaml"
    path.write_text("title: [unclosed\nlevels: -", encoding="utf-8")
    monkeypatch.setitem(TEMPLATES, "broken", {"file": path, "title": "Broken", "language": "nb"})
    before = counts()
    with scope(municipality=world.fjordvik), pytest.raises(GuideFormatError) as excinfo:
        load_guide(world.fjordvik, "broken")
    assert "broken.yaml" in str(excinfo.value)
    assert excinfo.value.problems[0].line == 2
    assert counts() == before


def test_unknown_template(world):
    with scope(municipality=world.fjordvik), pytest.raises(ValueError, match="Unknown guide"):
        load_guide(world.fjordvik, "nowhere")


def test_database_failure_rolls_everything_back(world, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    before = counts()
    monkeypatch.setattr(loader.Step.objects, "bulk_create", fail)
    with scope(municipality=world.fjordvik), pytest.raises(RuntimeError):
        load_guide(world.fjordvik, "national")
    assert counts() == before


def test_management_command(world, capsys):
    call_command("load_guide", municipality="9901", template="stord")
    assert "20 steps" in capsys.readouterr().out
    with scope(municipality=world.fjordvik):
        assert current_guide().language == "nn"
    with scope(municipality=world.asheim):
        assert current_guide().language == "nb"


def test_management_command_unknown_municipality(world):
    with pytest.raises(CommandError, match="0000"):
        call_command("load_guide", municipality="0000", template="national")
