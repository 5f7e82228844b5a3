"""The guide editor: only the BTI coordinator of the municipality edits the
draft; everyone else gets 404 and changes nothing; stale forms conflict."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.access.rules import Forbidden
from stafett.accounts.models import User
from stafett.guides import actions
from stafett.guides.loader import current_guide, load_guide_data, read_template
from stafett.guides.models import Guide, Level, Step, Tool
from stafett.guides.policy import may_edit_guide
from stafett.tenancy.models import MunicipalityRole
from tests.conftest import PASSWORD

# --- helpers (imported by the other editor tests) ------------------------------


def english(client: Client) -> Client:
    """New strings are not translated yet: read the pages in English."""
    client.cookies["django_language"] = "en"
    return client


def coordinator(world) -> Client:
    return english(world.client_for(world.coordinator))


def start(world) -> Guide:
    with scope(municipality=world.fjordvik):
        return actions.start_draft(world.actor(world.coordinator))


def draft_step(draft, level=0, code="define", variant="") -> Step:
    with scope(municipality=draft.municipality):
        return Step.objects.select_related("level").get(
            level__guide=draft, level__number=level, code=code, variant=variant
        )


def step_post(step: Step, lock_version: int, **changes) -> dict:
    """The step form as the browser posts it: every field, with some changed."""
    data = {name: getattr(step, name) for name in actions.STEP_TEXTS}
    with scopes_disabled():
        data["tools"] = [str(t.pk) for t in step.tools.all()]
    data["lock_version"] = str(lock_version)
    return data | changes


def lock(draft) -> int:
    with scopes_disabled():
        return Guide.objects.get(pk=draft.pk).lock_version


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def editor_urls(draft) -> list[str]:
    step = draft_step(draft, level=1, code="plan")
    return [
        reverse("guides_editor:index"),
        reverse("guides_editor:guide"),
        reverse("guides_editor:level", args=[0]),
        reverse("guides_editor:add_step", args=[0]),
        reverse("guides_editor:step", args=[step.pk]),
        reverse("guides_editor:remove_step", args=[step.pk]),
        reverse("guides_editor:discard"),
        reverse("guides_editor:history"),
        reverse("guides_editor:compare"),
    ]


# --- starting a draft -----------------------------------------------------------


def test_start_editing_copies_the_newest_published_version(world):
    with scope(municipality=world.fjordvik):
        published = current_guide()
        # A variant step in the published version, to see that it is copied too.
        level0 = published.levels.get(number=0)
        adult = Step.objects.create(
            municipality=world.fjordvik, level=level0, number=6, variant="voksen",
            title="Har klienten barn?", summary="Spør alltid.", who="Behandleren",
            summary_other="Spør alltid (nn).",
        )
        adult.tools.set(Tool.objects.filter(guide=published, key="kartleggingsskjema"))

    client = coordinator(world)
    response = client.post(reverse("guides_editor:start"))
    assert response.status_code == 302

    with scope(municipality=world.fjordvik):
        draft = Guide.objects.get(status=Guide.Status.DRAFT)
        assert draft.based_on == published and draft.number is None
        assert draft.created_by == world.coordinator
        assert (draft.title, draft.introduction, draft.language) == (
            published.title, published.introduction, published.language)

        def snapshot(guide):
            levels = [(lv.number, lv.title, lv.purpose, lv.audience)
                      for lv in Level.objects.filter(guide=guide).order_by("number")]
            steps = [
                (s.level.number, s.variant, s.number, s.code, s.title, s.summary, s.body, s.who,
                 s.summary_other, tuple(sorted(t.key for t in s.tools.all())))
                for s in Step.objects.filter(level__guide=guide).select_related("level")
                .prefetch_related("tools").order_by("level__number", "number", "variant")
            ]
            tools = [(t.key, t.kind, t.title, t.description, t.body)
                     for t in Tool.objects.filter(guide=guide).order_by("key")]
            return levels, steps, tools

        assert snapshot(draft) == snapshot(published)
        assert ("voksen", 6) in {(s.variant, s.number) for s in
                                 Step.objects.filter(level__guide=draft)}
        # The copy is a copy: no row is shared with the published version.
        assert not Step.objects.filter(level__guide=draft, pk=adult.pk).exists()

    # Starting again gives the same draft, not a second one.
    client.post(reverse("guides_editor:start"))
    with scope(municipality=world.fjordvik):
        assert Guide.objects.filter(status=Guide.Status.DRAFT).count() == 1
        # Nobody else's view changes: the published version is still the guide.
        assert current_guide() == published


def test_editor_front_page_without_and_with_a_draft(world):
    client = coordinator(world)
    html = main(client.get(reverse("guides_editor:index")))
    assert "Start editing" in html and html.count("<h1") == 1
    draft = start(world)
    response = client.get(reverse("guides_editor:index"))
    html = main(response)
    assert response.context["draft"] == draft
    with scope(municipality=world.fjordvik):
        for step in Step.objects.filter(level__guide=draft):
            assert reverse("guides_editor:step", args=[step.pk]) in html
            assert step.title in html
    for number in range(4):
        assert reverse("guides_editor:level", args=[number]) in html
        assert reverse("guides_editor:add_step", args=[number]) in html
    assert reverse("guides_editor:publish") in html and reverse("guides_editor:discard") in html
    assert "style=" not in html and "<script" not in html


def test_coordinator_gets_the_editor_link(world):
    html = coordinator(world).get(reverse("guides:overview")).content.decode()
    assert html.count(f'href="{reverse("guides_editor:index")}"') == 2  # menu and overview
    teacher = world.client_for(world.teacher).get(reverse("guides:overview")).content.decode()
    assert reverse("guides_editor:index") not in teacher


# --- editing --------------------------------------------------------------------


def test_coordinator_edits_a_step(world):
    draft = start(world)
    step = draft_step(draft)
    client = coordinator(world)
    url = reverse("guides_editor:step", args=[step.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = main(response)
    assert html.count("<h1") == 1 and "<fieldset" in html and "<textarea" in html
    assert 'lang="nn"' in html  # the other-language twins are marked as nynorsk
    assert step.summary in html

    with scope(municipality=world.fjordvik):
        consent = Tool.objects.get(guide=draft, key="samtykkeskjema")
        data = step_post(step, draft.lock_version, summary="Ny tekst.\r\n\r\nAndre avsnitt.",
                         summary_other="Ny tekst på nynorsk.", tools=[str(consent.pk)])
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("guides_editor:index")

    with scope(municipality=world.fjordvik):
        step.refresh_from_db()
        assert step.summary == "Ny tekst.\n\nAndre avsnitt."
        assert step.summary_other == "Ny tekst på nynorsk."
        assert [t.key for t in step.tools.all()] == ["samtykkeskjema"]
        assert step.code == "define" and step.number == 1
        published = current_guide()
        assert Step.objects.get(level__guide=published, level__number=0, code="define").summary \
            != step.summary
    assert lock(draft) == draft.lock_version + 1


def test_coordinator_edits_a_level_and_the_guide_texts(world):
    draft = start(world)
    client = coordinator(world)
    response = client.post(reverse("guides_editor:level", args=[2]), {
        "lock_version": draft.lock_version, "title": "Nivå 2 – samarbeid",
        "purpose": "Formål.", "audience": "", "title_other": "Nivå 2 – samarbeid (nn)",
        "purpose_other": "", "audience_other": "",
    })
    assert response.status_code == 302
    response = client.post(reverse("guides_editor:guide"), {
        "lock_version": draft.lock_version + 1, "title": "Fjordviks handlingsveileder",
        "introduction": "Innledning.", "title_other": "", "introduction_other": "Innleiing.",
    })
    assert response.status_code == 302
    with scope(municipality=world.fjordvik):
        level = Level.objects.get(guide=draft, number=2)
        assert (level.title, level.purpose, level.audience, level.title_other) == (
            "Nivå 2 – samarbeid", "Formål.", "", "Nivå 2 – samarbeid (nn)")
        draft.refresh_from_db()
        assert (draft.title, draft.introduction_other) == ("Fjordviks handlingsveileder",
                                                           "Innleiing.")
        assert current_guide().title != "Fjordviks handlingsveileder"


def test_a_title_is_required_and_nothing_is_saved_without_one(world):
    draft = start(world)
    step = draft_step(draft)
    client = coordinator(world)
    response = client.post(reverse("guides_editor:step", args=[step.pk]),
                           step_post(step, draft.lock_version, title="  ", summary="Endret"))
    assert response.status_code == 200
    html = main(response)
    assert 'class="error-summary"' in html and 'href="#id_title"' in html
    assert "Write a title." in html
    with scope(municipality=world.fjordvik):
        step.refresh_from_db()
    assert step.summary != "Endret" and lock(draft) == draft.lock_version


def test_add_a_variant_step_that_replaces_a_common_one(world):
    draft = start(world)
    client = coordinator(world)
    url = reverse("guides_editor:add_step", args=[0])
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"]["number"].initial == 6
    response = client.post(url, {
        "lock_version": draft.lock_version, "variant": "voksen", "number": 1,
        "title": "Har klienten barn?", "summary": "Spør om barn.", "body": "", "who": "",
        "title_other": "", "summary_other": "", "body_other": "", "who_other": "",
    })
    assert response.status_code == 302
    with scope(municipality=world.fjordvik):
        added = Step.objects.get(level__guide=draft, variant="voksen", number=1)
        # It replaces "define" for adult services, so it carries that code on.
        assert added.code == "define" and added.title == "Har klienten barn?"

    # The same place again is refused with a message on the number field.
    response = client.post(url, {
        "lock_version": lock(draft), "variant": "voksen", "number": 1, "title": "Igjen",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["number"]

    # An extra step for the help services, with a new number.
    response = client.post(url, {"lock_version": lock(draft), "variant": "hjelpe", "number": 7,
                                 "title": "Ekstra trinn"})
    assert response.status_code == 302
    with scope(municipality=world.fjordvik):
        extra = Step.objects.get(level__guide=draft, variant="hjelpe", number=7)
        assert extra.code == ""


def test_remove_a_step_asks_first_and_keeps_the_ones_the_app_needs(world):
    draft = start(world)
    client = coordinator(world)
    with scope(municipality=world.fjordvik):
        level1 = Level.objects.get(guide=draft, number=1)
        extra = actions.add_step(world.actor(world.coordinator), level1,
                                 lock_version=draft.lock_version, variant="", number=6,
                                 title="Ekstra")
    url = reverse("guides_editor:remove_step", args=[extra.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"lock_version": lock(draft)}).status_code == 302
    with scope(municipality=world.fjordvik):
        assert not Step.objects.filter(pk=extra.pk).exists()

    required = draft_step(draft, level=0, code="share")
    assert client.get(reverse("guides_editor:remove_step", args=[required.pk])).status_code == 404
    with scope(municipality=world.fjordvik), pytest.raises(actions.StepRequired):
        actions.remove_step(world.actor(world.coordinator), required,
                            lock_version=lock(draft))
    with scope(municipality=world.fjordvik):
        assert Step.objects.filter(pk=required.pk).exists()


# --- conflicts --------------------------------------------------------------------


def test_a_stale_form_conflicts_instead_of_overwriting(world):
    draft = start(world)
    step = draft_step(draft)
    client = coordinator(world)
    url = reverse("guides_editor:step", args=[step.pk])
    opened_at = client.get(url).context["form"]["lock_version"].value()

    # Another coordinator (here: the same one in another tab) saves first.
    with scope(municipality=world.fjordvik):
        actions.update_step(world.actor(world.coordinator), step, lock_version=opened_at,
                            summary="Den andres tekst.")

    response = client.post(url, step_post(step, opened_at, summary="Min tekst."))
    assert response.status_code == 200
    html = main(response)
    assert "Someone else changed the draft" in html
    assert "Min tekst." in html  # the person's own text is kept in the form
    assert "Den andres tekst." in html  # and what is saved now is shown
    with scope(municipality=world.fjordvik):
        step.refresh_from_db()
    assert step.summary == "Den andres tekst."
    # The form now carries the fresh lock_version: saving again goes through.
    fresh = response.context["form"]["lock_version"].value()
    assert int(fresh) == lock(draft)
    assert client.post(url, step_post(step, fresh, summary="Min tekst.")).status_code == 302


def test_actions_refuse_a_stale_lock_version(world):
    draft = start(world)
    actor = world.actor(world.coordinator)
    with scope(municipality=world.fjordvik):
        level = Level.objects.get(guide=draft, number=0)
        with pytest.raises(actions.Conflict):
            actions.update_level(actor, level, lock_version=draft.lock_version + 5, title="X")
        with pytest.raises(actions.Conflict):
            actions.publish_draft(actor, draft, lock_version=draft.lock_version - 1)
        with pytest.raises(actions.Conflict):
            actions.discard_draft(actor, draft, lock_version=draft.lock_version + 1)
        level.refresh_from_db()
        assert level.title != "X"
        assert Guide.objects.get(pk=draft.pk).is_draft


def test_editing_a_published_version_is_refused(world):
    with scope(municipality=world.fjordvik):
        published = current_guide()
        step = Step.objects.select_related("level").get(level__guide=published, code="define",
                                                       level__number=0)
        with pytest.raises(actions.DraftGone):
            actions.update_step(world.actor(world.coordinator), step,
                                lock_version=published.lock_version, summary="Endret")
    start(world)
    # The published step is not reachable through the editor's URLs.
    assert coordinator(world).get(
        reverse("guides_editor:step", args=[step.pk])).status_code == 404


# --- refusals ---------------------------------------------------------------------


def test_the_policy_rule(world):
    assert may_edit_guide(world.actor(world.coordinator))
    for who in ("teacher", "leader", "colleague", "other_employee", "other_leader"):
        assert not may_edit_guide(world.actor(getattr(world, who)))
    assert not may_edit_guide(world.actor(world.outsider, world.asheim))
    with scope(municipality=world.asheim):
        asheim_guide = current_guide()
    assert not may_edit_guide(world.actor(world.coordinator), asheim_guide)


REFUSED = ["teacher", "leader", "colleague", "other_employee", "other_leader", "outsider",
           "operator"]


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_but_the_coordinator_gets_404(world, who):
    draft = start(world)
    client = world.client_for(getattr(world, who))
    for url in editor_urls(draft):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(world):
    draft = start(world)
    for url in editor_urls(draft) + [reverse("guides_editor:start"),
                                     reverse("guides_editor:publish")]:
        response = Client().post(url) if "start" in url or "publiser" in url else Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def _state(draft):
    with scopes_disabled():
        return (
            list(Guide.objects.order_by("pk").values_list("pk", "status", "number",
                                                          "lock_version", "title")),
            list(Step.objects.order_by("pk").values_list("pk", "title", "summary")),
            list(Level.objects.order_by("pk").values_list("pk", "title")),
        )


@pytest.mark.parametrize("who", REFUSED)
def test_refused_posts_change_nothing(world, who):
    client = world.client_for(getattr(world, who))
    # With no draft: starting one is refused.
    before = _state(None)
    assert client.post(reverse("guides_editor:start")).status_code == 404
    assert _state(None) == before

    draft = start(world)
    step = draft_step(draft, level=1, code="plan")
    lv = str(draft.lock_version)
    before = _state(draft)
    posts = [
        (reverse("guides_editor:step", args=[step.pk]),
         step_post(step, draft.lock_version, summary="Hacket")),
        (reverse("guides_editor:level", args=[0]), {"lock_version": lv, "title": "Hacket"}),
        (reverse("guides_editor:guide"), {"lock_version": lv, "title": "Hacket"}),
        (reverse("guides_editor:add_step", args=[0]),
         {"lock_version": lv, "variant": "", "number": 9, "title": "Hacket"}),
        (reverse("guides_editor:remove_step", args=[step.pk]), {"lock_version": lv}),
        (reverse("guides_editor:publish"), {"lock_version": lv}),
        (reverse("guides_editor:discard"), {"lock_version": lv}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _state(draft) == before


def test_the_coordinator_of_another_municipality_cannot_reach_this_draft(world):
    with scopes_disabled():
        other = User.objects.create_user(username="asa", password=PASSWORD)
        MunicipalityRole.objects.create(municipality=world.asheim, user=other, role="coordinator")
    draft = start(world)
    step = draft_step(draft)
    client = english(world.client_for(other))
    # Her own editor works, on her own guide ...
    response = client.get(reverse("guides_editor:index"))
    assert response.status_code == 200 and response.context.get("draft") is None
    # ... but Fjordvik's draft is out of reach, and her actions refuse it.
    assert client.get(reverse("guides_editor:step", args=[step.pk])).status_code == 404
    before = _state(draft)
    assert client.post(reverse("guides_editor:step", args=[step.pk]),
                       step_post(step, draft.lock_version, summary="X")).status_code == 404
    with scope(municipality=world.asheim), pytest.raises(Forbidden):
        actions.update_step(world.actor(other, world.asheim), step,
                            lock_version=draft.lock_version, summary="X")
    assert _state(draft) == before


# --- queries ----------------------------------------------------------------------


def _big_guide(steps_per_level: int) -> dict:
    """The national guide with `steps_per_level` steps on levels 1-3 (level 0
    must keep its five codes) and a tool on every step."""
    data = read_template("national")
    for level in data["levels"]:
        if level["number"] != 0:
            base = level["steps"]
            level["steps"] = [
                {**base[i % len(base)], "code": f"s{i}", "title": f"Trinn {i}",
                 "tools": ["samtykkeskjema", "referat"]}
                for i in range(steps_per_level)
            ]
    return data


def _count(client, url) -> int:
    client.get(url)  # warm caches, so both counts compare like for like
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _draft_of(world, steps_per_level):
    """A fresh draft of a freshly published guide with that many steps."""
    actor = world.actor(world.coordinator)
    with scope(municipality=world.fjordvik):
        draft = actions.current_draft(actor)
        if draft is not None:
            actions.discard_draft(actor, draft, lock_version=draft.lock_version)
        load_guide_data(world.fjordvik, _big_guide(steps_per_level), "national")
        with CaptureQueriesContext(connection) as queries:
            draft = actions.start_draft(actor)
    return draft, len(queries)


def test_editor_pages_do_not_grow_with_the_guide(world):
    client = coordinator(world)
    small, small_start = _draft_of(world, 5)
    urls = lambda draft: [  # noqa: E731
        reverse("guides_editor:index"),
        reverse("guides_editor:step", args=[draft_step(draft, level=1, code="s2").pk]),
        reverse("guides_editor:add_step", args=[1]),
        reverse("guides_editor:compare") + "?fra=1&til=utkast",
    ]
    counts_small = [_count(client, url) for url in urls(small)]
    big, big_start = _draft_of(world, 30)
    with scope(municipality=world.fjordvik):
        assert Step.objects.filter(level__guide=big).count() == 5 + 3 * 30
    counts_big = [_count(client, url) for url in urls(big)]
    assert counts_small == counts_big
    assert small_start == big_start  # copying a guide is a constant number of queries
