"""The readable difference between two versions of the guide."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from stafett.guides import actions, diff
from stafett.guides.loader import current_guide
from stafett.guides.models import Level, Step, Tool

from .test_editor import coordinator, draft_step, lock, main, start


def test_word_diff_marks_removed_and_added_words():
    with translation.override("en"):
        old, new = diff.word_diff("Snakk med lederen din i dag.", "Snakk med foresatte i dag.")
    assert "<del>" in old and "lederen" in old and "<ins>" not in old
    assert "<ins>" in new and "foresatte" in new and "<del>" not in new
    # Unchanged words are there, unmarked; the marks carry text labels too.
    assert old.startswith("Snakk med ") and new.endswith(" i dag.")
    assert 'class="visually-hidden">[removed: ' in old
    assert 'class="visually-hidden">[added: ' in new


def test_word_diff_escapes_the_text_and_keeps_paragraphs():
    old, new = diff.word_diff("<b>A</b>\n\nB", "<script>x</script>\n\nB")
    assert "<b>" not in old and "&lt;b&gt;A&lt;/b&gt;" in old
    assert "<script>" not in new and "&lt;script&gt;" in new
    assert "\n\nB" in old and "\n\nB" in new


def test_word_diff_of_equal_texts_marks_nothing():
    old, new = diff.word_diff("Lik tekst", "Lik tekst")
    assert old == new == "Lik tekst"


def test_list_diff_marks_tools_in_and_out():
    old, new = diff.list_diff(["Referat", "Samtykkeskjema"], ["Referat", "Tiltaksplan"])
    assert "<del>" in old and "Samtykkeskjema" in old
    assert "<ins>" in new and "Tiltaksplan" in new
    assert old.startswith("Referat, ")


def _changed_draft(world):
    """A draft with a changed step, a changed level, an added and a removed step."""
    with scope(municipality=world.fjordvik):
        # An extra step (no code, so it may be removed) in the published version.
        Step.objects.create(municipality=world.fjordvik, number=6, title="Ekstra trinn",
                            summary="Bare i versjon 1.",
                            level=Level.objects.get(guide=current_guide(), number=2))
    draft = start(world)
    actor = world.actor(world.coordinator)
    with scope(municipality=world.fjordvik):
        step = draft_step(draft, level=0, code="talk")
        actions.update_step(actor, step, lock_version=lock(draft),
                            summary=step.summary + " Ta med tolk ved behov.",
                            tools=Tool.objects.filter(guide=draft, key="referat"))
        level = Level.objects.get(guide=draft, number=3)
        actions.update_level(actor, level, lock_version=lock(draft), title="Nivå 3 – BTI-team")
        actions.add_step(actor, Level.objects.get(guide=draft, number=0),
                         lock_version=lock(draft), variant="voksen", number=6,
                         title="Har klienten barn?", summary="Spør alltid.")
        removed = Step.objects.select_related("level").get(level__guide=draft,
                                                           level__number=2, number=6)
        actions.remove_step(actor, removed, lock_version=lock(draft))
    return draft


def test_compare_lists_only_what_changed_matched_by_level_variant_and_number(world):
    draft = _changed_draft(world)
    with scope(municipality=world.fjordvik), translation.override("en"):
        published = current_guide()
        changes = diff.compare(published, draft)
        unchanged = diff.compare(published, published)
    assert unchanged == []
    by_label = {c.label: c for c in changes}
    statuses = sorted((c.kind, c.status) for c in changes)
    assert statuses == [("level", "changed"), ("step", "added"), ("step", "changed"),
                        ("step", "removed")]

    talk = next(c for c in changes if c.kind == "step" and c.status == "changed")
    assert talk.label.startswith("Level 0, step 3: ")
    fields = {f.label: f for f in talk.fields}
    assert set(fields) == {"Summary", "Tools"}
    assert "<ins>" in fields["Summary"].new and "tolk" in fields["Summary"].new
    assert "<del>" not in fields["Summary"].old
    assert fields["Summary"].lang == "nb"
    assert "<del>" in fields["Tools"].old and "<ins>" not in fields["Tools"].old

    added = next(c for c in changes if c.status == "added")
    assert added.label == "Level 0, step 6 for adult services: Har klienten barn?"
    assert {f.label for f in added.fields} == {"Title", "Summary"}
    assert all(f.old == "" for f in added.fields)

    removed = next(c for c in changes if c.status == "removed")
    assert removed.label == "Level 2, step 6: Ekstra trinn"
    assert all(f.new == "" and "<del>" in f.old for f in removed.fields)

    level = next(c for c in changes if c.kind == "level")
    assert level.label == "Level 3: Nivå 3 – BTI-team"
    assert by_label[level.label].fields[0].label == "Title"
    # In guide order: level 0's steps before level 2's, level 3 last.
    order = [c.label for c in changes]
    assert order.index(talk.label) < order.index(removed.label) < order.index(level.label)


def test_other_language_texts_are_compared_with_their_language(world):
    draft = start(world)
    with scope(municipality=world.fjordvik):
        actions.update_guide(world.actor(world.coordinator), draft, lock_version=lock(draft),
                             introduction_other="Innleiing på nynorsk.")
        draft.refresh_from_db()
        with translation.override("en"):
            changes = diff.compare(current_guide(), draft)
    assert [c.kind for c in changes] == ["guide"]
    field = changes[0].fields[0]
    assert field.label == "Introduction (nynorsk)" and field.lang == "nn"


def test_the_compare_page_shows_a_two_column_table(world):
    draft = _changed_draft(world)
    client = coordinator(world)
    response = client.get(reverse("guides_editor:compare"), {"fra": "1", "til": "utkast"})
    assert response.status_code == 200
    html = main(response)
    assert html.count("<h1") == 1 and "What changed from version 1 to the draft" in html
    assert html.count('<table class="editor-diff">') == 4
    assert "Before: version 1" in html and "After: the draft" in html
    assert "<del>" in html and "<ins>" in html and "[removed: " in html and "[added: " in html
    for status in ("Added", "Removed", "Changed"):
        assert status in html
    assert "style=" not in html and "<script" not in html

    # With no choice made, the draft is compared with the version it is based on.
    default = client.get(reverse("guides_editor:compare"))
    assert default.context["old"].number == 1 and default.context["new"] == draft

    # Two published versions, chosen on the history page.
    client.post(reverse("guides_editor:publish"), {"lock_version": lock(draft)})
    response = client.get(reverse("guides_editor:compare"), {"fra": "2", "til": "1"})
    html = main(response)
    assert "What changed from version 2 to version 1" in html and "<ins>" in html


def test_an_unknown_version_is_a_form_error_not_a_crash(world):
    response = coordinator(world).get(reverse("guides_editor:compare"),
                                      {"fra": "1", "til": "99"})
    assert response.status_code == 200
    assert response.context["changes"] is None
    assert 'class="error-summary"' in main(response)


def test_the_same_version_twice_has_no_differences(world):
    response = coordinator(world).get(reverse("guides_editor:compare"), {"fra": "1", "til": "1"})
    assert response.status_code == 200
    assert response.context["changes"] == []
    assert "The two versions have the same texts." in main(response)


def test_the_compare_page_is_for_the_coordinator_only(world):
    start(world)
    url = reverse("guides_editor:compare") + "?fra=1&til=utkast"
    for who in (world.teacher, world.leader, world.outsider):
        assert world.client_for(who).get(url).status_code == 404
    with scope(municipality=world.fjordvik):
        assert Step.objects.exists()
