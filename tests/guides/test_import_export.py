"""Importing and exporting whole guides against the database: export → import →
export is the identity, an import replaces the draft (or publishes), and a
broken file changes nothing at all."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings

from stafett.guides import loader
from stafett.guides.loader import (
    TEMPLATES,
    DraftChanged,
    GuideFormatError,
    current_guide,
    draft_from_template,
    dump_guide,
    export_guide,
    guide_data,
    import_guide,
    load_guide,
    load_guide_data,
    template_data,
    validate,
)
from stafett.guides.models import Guide, Level, Step, Tool
from tests.guides.test_yaml_format import guides

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "guide-example.yaml"


def counts():
    with scopes_disabled():
        return (
            tuple(model.objects.count() for model in (Guide, Level, Step, Tool)),
            Step.tools.through.objects.count(),
        )


def draft_of(municipality) -> Guide | None:
    with scope(municipality=municipality):
        return Guide.objects.filter(status=Guide.Status.DRAFT).first()


# --- the round trip -----------------------------------------------------------------


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=guides())
def test_export_import_export_through_the_database(world, raw):
    with scope(municipality=world.fjordvik):
        published = load_guide_data(world.fjordvik, raw, validate(raw)["template"])
        first = export_guide(published)
        assert first == dump_guide(validate(raw))  # stored exactly as checked
        draft = import_guide(world.fjordvik, first, user=world.coordinator)
        second = export_guide(draft)
        assert second == first
        assert guide_data(draft) == guide_data(published) == validate(raw)
        assert export_guide(import_guide(world.fjordvik, second)) == first


def test_export_is_deterministic_and_bounded(world):
    with scope(municipality=world.fjordvik):
        small = current_guide()
        with CaptureQueriesContext(connection) as queries:
            text = export_guide(small)
        assert export_guide(small) == text
        big = load_guide(world.fjordvik, "nittedal")
        with CaptureQueriesContext(connection) as big_queries:
            export_guide(big)
    assert len(queries) == len(big_queries) == 4


def test_texts_written_in_the_editor_are_exported_in_canonical_form(world):
    with scope(municipality=world.fjordvik):
        guide = current_guide()
        step = Step.objects.get(level__guide=guide, level__number=0, code="define")
        step.body = "Første linje\r\nandre linje  \n\n\n\ttredje"
        step.who = "  Den   ansatte\n"
        step.save()
        tool = Tool.objects.get(guide=guide, key="referat")
        tool.body = "## Referat\r\n\r\n\r\nTid: {meeting_time}   \n"
        tool.save()
        text = export_guide(guide)
        draft = import_guide(world.fjordvik, text)
        assert export_guide(draft) == text
        step = Step.objects.get(level__guide=draft, level__number=0, code="define")
        assert step.body == "Første linje\n\nandre linje\n\ntredje"
        assert step.who == "Den ansatte"
        assert Tool.objects.get(guide=draft, key="referat").body == "## Referat\n\nTid: {meeting_time}"


# --- importing ----------------------------------------------------------------------


def test_import_creates_the_draft(world):
    text = EXAMPLE.read_text(encoding="utf-8")
    with scope(municipality=world.fjordvik):
        published = current_guide()
        draft = import_guide(world.fjordvik, text, user=world.coordinator)
        assert draft.status == Guide.Status.DRAFT and draft.number is None
        assert draft.based_on == published and draft.created_by == world.coordinator
        assert draft.template == "" and draft.title == "Handlingsveileder for Eksempel kommune"
        assert current_guide() == published  # nobody works by a draft
        steps = Step.objects.filter(level__guide=draft)
        assert steps.filter(variant="voksen").count() == 6
        assert steps.get(level__number=0, variant="voksen", number=1).code == "children"
        start = steps.get(level__number=1, code="start")
        assert [t.key for t in start.tools.all()] == ["samtykkeskjema"]
        assert {row.municipality_id for row in [*steps, *draft.tools.all(), *draft.levels.all()]} \
            == {world.fjordvik.pk}


def test_import_replaces_the_draft_in_place(world):
    with scope(municipality=world.fjordvik):
        first = draft_from_template(world.fjordvik, "stord")
        old_steps = set(Step.objects.filter(level__guide=first).values_list("pk", flat=True))
        before = counts()
        text = EXAMPLE.read_text(encoding="utf-8")
        draft = import_guide(world.fjordvik, text, draft_version=first.lock_version)
        assert draft.pk == first.pk and draft.lock_version == first.lock_version + 1
        assert draft.language == "nb" and draft.template == ""
        assert Guide.objects.filter(status=Guide.Status.DRAFT).count() == 1
        assert not Step.objects.filter(pk__in=old_steps).exists()
        assert export_guide(draft) == dump_guide(template_data_from(text))
    assert counts()[0][0] == before[0][0]  # no new guide row


def template_data_from(text: str) -> dict:
    return loader.parse_guide(text)


def test_a_stale_draft_version_changes_nothing(world):
    with scope(municipality=world.fjordvik):
        draft = draft_from_template(world.fjordvik, "national")
        exported = export_guide(draft)
        before = counts()
        with pytest.raises(DraftChanged):
            import_guide(world.fjordvik, EXAMPLE.read_text(encoding="utf-8"),
                         draft_version=draft.lock_version - 1)
        with pytest.raises(DraftChanged):  # the page saw no draft, but there is one now
            draft_from_template(world.fjordvik, "stord", draft_version=0)
        assert counts() == before and export_guide(draft) == exported


def test_import_can_publish_at_once(world):
    with scope(municipality=world.fjordvik):
        guide = import_guide(world.fjordvik, EXAMPLE.read_text(encoding="utf-8"),
                             user=world.coordinator, as_draft=False)
        assert guide.status == Guide.Status.PUBLISHED and guide.number == 2
        assert guide.published_by == world.coordinator and current_guide() == guide
        assert draft_of(world.fjordvik) is None


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_can_start_the_draft(world, key):
    with scope(municipality=world.asheim):
        draft = draft_from_template(world.asheim, key, user=world.outsider)
        assert draft.template == key and draft.is_draft
        assert guide_data(draft) == {**template_data(key), "template": key}


def test_the_documented_example_imports(world):
    with scope(municipality=world.fjordvik):
        draft = import_guide(world.fjordvik, EXAMPLE.read_text(encoding="utf-8"))
        assert Level.objects.filter(guide=draft).count() == 4


# --- broken files change nothing ----------------------------------------------------

GOOD = EXAMPLE.read_text(encoding="utf-8")
BROKEN = {
    "wrong types": GOOD.replace("language: nb", "language: 7").replace(
        "        title: Første møte", "        title: {a: b}"),
    "unknown keys": GOOD.replace("    kind: meeting", "    knid: meeting"),
    "missing levels": GOOD[:GOOD.index("\n  - number: 3\n") + 1],
    "duplicate steps": GOOD.replace("      - number: 2\n        code: evaluate",
                                    "      - number: 1\n        code: evaluate"),
    "unknown tool": GOOD.replace("tools: [referat]", "tools: [referatet]"),
    "bad variant": GOOD.replace("variant: voksen\n        code: children",
                                "variant: adults\n        code: children"),
    "too long": GOOD.replace("title: Referat", "title: " + "R" * 201),
    "level-0 codes": GOOD.replace("      - code: talk", "      - code: speak"),
    "broken YAML": GOOD.replace("        tools: [samtykkeskjema]\n",
                                "        tools: [samtykkeskjema\n"),
    "tabs": GOOD.replace("  - number: 3\n", "\t- number: 3\n"),
    "not a guide": "- just\n- a list\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_refused_with_line_numbers_and_changes_nothing(world, name):
    with scope(municipality=world.fjordvik):
        draft = draft_from_template(world.fjordvik, "national")
        exported = export_guide(draft)
    before = counts()
    with scope(municipality=world.fjordvik), translation.override("en"), \
            pytest.raises(GuideFormatError) as excinfo:
        import_guide(world.fjordvik, BROKEN[name], user=world.coordinator)
    assert excinfo.value.problems
    for problem in excinfo.value.problems:
        assert problem.line is not None
        assert re.match(r"line \d+: ", str(problem)), problem
    assert counts() == before
    with scope(municipality=world.fjordvik):
        fresh = Guide.objects.get(pk=draft.pk)
        assert fresh.lock_version == draft.lock_version and export_guide(fresh) == exported


def test_a_database_failure_leaves_the_old_draft(world, monkeypatch):
    with scope(municipality=world.fjordvik):
        draft = draft_from_template(world.fjordvik, "stord")
        exported = export_guide(draft)
    before = counts()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader.Step.objects, "bulk_create", fail)
    with scope(municipality=world.fjordvik), pytest.raises(RuntimeError):
        import_guide(world.fjordvik, GOOD)
    assert counts() == before
    with scope(municipality=world.fjordvik):
        assert export_guide(Guide.objects.get(pk=draft.pk)) == exported


# --- management commands ------------------------------------------------------------


def test_export_command(world, tmp_path):
    out = StringIO()
    call_command("export_guide", municipality="9901", stdout=out)
    with scope(municipality=world.fjordvik):
        assert out.getvalue() == export_guide(current_guide())
        load_guide(world.fjordvik, "stord")
    path = tmp_path / "v1.yaml"
    call_command("export_guide", municipality="9901", version=1, output=str(path),
                 stderr=StringIO())
    assert path.read_text(encoding="utf-8") == out.getvalue()
    with pytest.raises(CommandError, match="no draft"):
        call_command("export_guide", municipality="9901", draft=True)
    with pytest.raises(CommandError, match="no published version 7"):
        call_command("export_guide", municipality="9901", version=7)
    with pytest.raises(CommandError, match="0000"):
        call_command("export_guide", municipality="0000")


def test_import_command(world, tmp_path):
    path = tmp_path / "guide.yaml"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_guide", str(path), municipality="9901", stdout=out)
    assert "as the draft: 15 steps, 2 tools" in out.getvalue()
    assert draft_of(world.fjordvik).title == "Handlingsveileder for Eksempel kommune"
    call_command("import_guide", str(path), municipality="9902", publish=True, stdout=out)
    with scope(municipality=world.asheim):
        assert current_guide().number == 2


def test_import_command_lists_every_problem_and_changes_nothing(world, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN["wrong types"], encoding="utf-8")
    before = counts()
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="2 problem"):
        call_command("import_guide", str(path), municipality="9901", stderr=err)
    lines = err.getvalue().strip().split("\n")
    assert len(lines) == 2 and all(re.match(rf"{re.escape(str(path))}: line \d+: ", line)
                                   for line in lines)
    assert counts() == before


def test_import_command_unreadable_file(world, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Bokmål".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_guide", str(path), municipality="9901")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_guide", str(tmp_path / "missing.yaml"), municipality="9901")
