"""Drafts are seen in the editor only; publishing freezes the next version;
a worry keeps the version it was started under and says when a newer exists."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.guides import actions
from stafett.guides.loader import current_guide
from stafett.guides.models import Guide, Level, Step, Tool
from tests.concerns.helpers import make_concern

from .test_editor import coordinator, draft_step, english, lock, main, start, step_post

OLD_OR_NEW = "Nytt sammendrag for trinn 1 i versjon 2."


def _edit_define_summary(world, draft, text=OLD_OR_NEW) -> Step:
    step = draft_step(draft)
    response = coordinator(world).post(reverse("guides_editor:step", args=[step.pk]),
                                       step_post(step, lock(draft), summary=text))
    assert response.status_code == 302
    return step


def _publish(world, draft):
    return coordinator(world).post(reverse("guides_editor:publish"),
                                   {"lock_version": lock(draft)})


def test_the_draft_is_invisible_until_published(world):
    with scope(municipality=world.fjordvik):
        first = current_guide()
        old_summary = Step.objects.get(level__guide=first, level__number=0, code="define").summary
    draft = start(world)
    _edit_define_summary(world, draft)

    for who in (world.teacher, world.coordinator):
        client = world.client_for(who)
        for url in (reverse("guides:overview"), reverse("guides:level", args=[0]),
                    reverse("guides:step", args=[0, 1])):
            html = client.get(url).content.decode()
            assert OLD_OR_NEW not in html, url
            assert old_summary in html, url

    response = _publish(world, draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("guides_editor:history")
    with scope(municipality=world.fjordvik):
        published = Guide.objects.get(pk=draft.pk)
        assert published.status == Guide.Status.PUBLISHED
        assert published.number == 2 and published.based_on == first
        assert published.published_by == world.coordinator and published.published_at
        assert current_guide() == published
        assert not Guide.objects.filter(status=Guide.Status.DRAFT).exists()
        # Version 1 is kept as it was.
        assert Step.objects.get(level__guide=first, level__number=0, code="define").summary \
            == old_summary

    html = world.client_for(world.teacher).get(reverse("guides:step", args=[0, 1])).content
    assert OLD_OR_NEW in html.decode()


def test_a_published_version_cannot_be_edited_any_more(world):
    draft = start(world)
    step = draft_step(draft)
    _publish(world, draft)
    client = coordinator(world)
    # The editor has no draft now: its pages for the old draft's parts are gone.
    assert client.get(reverse("guides_editor:step", args=[step.pk])).status_code == 404
    html = main(client.get(reverse("guides_editor:index")))
    assert "Start editing" in html


def test_versions_are_numbered_in_order_and_all_kept(world):
    for expected in (2, 3):
        draft = start(world)
        _edit_define_summary(world, draft, text=f"Versjon {expected}")
        assert _publish(world, draft).status_code == 302
        with scope(municipality=world.fjordvik):
            assert current_guide().number == expected
    with scope(municipality=world.fjordvik):
        versions = list(Guide.objects.order_by("number"))
        assert [g.number for g in versions] == [1, 2, 3]
        assert [g.based_on_id for g in versions] == [None, versions[0].pk, versions[1].pk]
        summaries = [Step.objects.get(level__guide=g, level__number=0, code="define").summary
                     for g in versions]
        assert summaries[1:] == ["Versjon 2", "Versjon 3"]
        # Every version still has its whole guide.
        for guide in versions:
            assert Level.objects.filter(guide=guide).count() == 4
            assert Tool.objects.filter(guide=guide).exists()


def test_a_stale_publish_is_refused(world):
    draft = start(world)
    stale = draft.lock_version
    _edit_define_summary(world, draft)
    client = coordinator(world)
    response = client.post(reverse("guides_editor:publish"), {"lock_version": stale})
    assert response.status_code == 302 and response["Location"] == reverse("guides_editor:index")
    with scope(municipality=world.fjordvik):
        assert Guide.objects.get(pk=draft.pk).is_draft
    page = client.get(reverse("guides_editor:index"))
    assert "was not published" in main(page)


def test_discard_asks_first_then_throws_the_draft_away(world):
    with scopes_disabled():
        counts = (Guide.objects.count(), Level.objects.count(), Step.objects.count(),
                  Tool.objects.count())
    draft = start(world)
    _edit_define_summary(world, draft)
    client = coordinator(world)
    response = client.get(reverse("guides_editor:discard"))
    assert response.status_code == 200
    html = main(response)
    assert html.count("<h1") == 1 and 'method="post"' in html
    with scope(municipality=world.fjordvik):
        assert Guide.objects.filter(pk=draft.pk).exists()  # a GET changes nothing

    response = client.post(reverse("guides_editor:discard"), {"lock_version": lock(draft)})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Guide.objects.filter(pk=draft.pk).exists()
        assert (Guide.objects.count(), Level.objects.count(), Step.objects.count(),
                Tool.objects.count()) == counts
    # Nothing to discard any more.
    assert client.get(reverse("guides_editor:discard")).status_code == 404


def test_a_form_on_a_discarded_draft_says_so(world):
    draft = start(world)
    step = draft_step(draft)
    with scope(municipality=world.fjordvik):
        actions.discard_draft(world.actor(world.coordinator), draft, lock_version=lock(draft))
    start(world)  # a new draft: the old step is not in it
    response = coordinator(world).post(reverse("guides_editor:step", args=[step.pk]),
                                       step_post(step, 1, summary="X"))
    assert response.status_code == 404


def test_history_lists_the_versions(world):
    draft = start(world)
    _publish(world, draft)
    response = coordinator(world).get(reverse("guides_editor:history"))
    assert response.status_code == 200
    html = main(response)
    assert html.count("<h1") == 1
    assert "Version 2" in html and "Version 1" in html
    assert world.coordinator.display_name in html
    assert reverse("guides_editor:compare") + "?fra=1&amp;til=2" in html
    assert "<caption>" in html and 'scope="col"' in html


# --- the worry keeps its version ------------------------------------------------


def test_a_worry_keeps_its_version_and_says_a_newer_one_exists(world):
    concern = make_concern(world)  # started under version 1
    with scope(municipality=world.fjordvik):
        old_summary = Step.objects.get(level__guide=concern.guide, level__number=0,
                                       code="define").summary
    client = english(world.client_for(world.teacher))
    before = main(client.get(reverse("concerns:detail", args=[concern.pk])))
    assert "This worry follows version" not in before  # nothing newer yet

    draft = start(world)
    _edit_define_summary(world, draft)
    # A draft is not a newer version.
    assert "This worry follows version" not in main(
        client.get(reverse("concerns:detail", args=[concern.pk])))
    _publish(world, draft)
    with scope(municipality=world.fjordvik):
        published = Guide.objects.get(pk=draft.pk)

    for url in (reverse("concerns:detail", args=[concern.pk]),
                reverse("concerns:step", args=[concern.pk, "define"]),
                reverse("concerns:history", args=[concern.pk]),
                reverse("concerns:acute", args=[concern.pk])):
        html = main(client.get(url))
        assert "This worry follows version 1 of the action guide; version 2 was published on" \
            in html, url
        assert published.published_at.strftime("%Y") in html
        assert f'href="{reverse("guides:overview")}"' in html
    define = main(client.get(reverse("concerns:step", args=[concern.pk, "define"])))
    assert old_summary in define and OLD_OR_NEW not in define

    # A worry started now follows version 2: no notice, the new text.
    newer = make_concern(world, name="Nils Nyesen", serial=1)
    assert newer.guide_id == published.pk
    html = main(client.get(reverse("concerns:step", args=[newer.pk, "define"])))
    assert "This worry follows version" not in html and OLD_OR_NEW in html


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_notice_costs_one_query_whatever_the_number_of_versions(world):
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    url = reverse("concerns:detail", args=[concern.pk])
    draft = start(world)
    _publish(world, draft)
    one_newer = _count(client, url)
    for _ in range(4):
        draft = start(world)
        _publish(world, draft)
    assert _count(client, url) == one_newer
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert sum('"guides_guide"' in q["sql"] and "FROM" in q["sql"] and
               'FROM "guides_guide"' in q["sql"] for q in queries.captured_queries) == 1
