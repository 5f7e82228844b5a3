"""The action guide pages: staff only, own municipality only, bounded queries."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from stafett.guides.loader import current_guide, load_guide, load_guide_data, read_template
from stafett.guides.models import Step

PAGES = [
    ("guides:overview", []),
    ("guides:level", [0]),
    ("guides:level", [3]),
    ("guides:step", [0, 1]),
    ("guides:step", [2, 5]),
    ("guides:tools", []),
]


def _main(response):
    """The page's main landmark (the header's language picker carries lang= too)."""
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


@pytest.mark.parametrize("name, args", PAGES)
def test_staff_see_the_page(world, name, args):
    response = world.client_for(world.teacher).get(reverse(name, args=args))
    assert response.status_code == 200
    assert response.context["nav"] == "guide"
    assert response.context["guide"].municipality == world.fjordvik
    html = _main(response)
    assert html.count("<h1") == 1
    assert '<nav class="breadcrumbs" aria-label="' in html
    assert "style=" not in html and "<script" not in html  # strict CSP


@pytest.mark.parametrize("name, args", PAGES)
def test_anonymous_is_sent_to_login(world, name, args):
    url = reverse(name, args=args)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_overview_lists_every_level_and_step_in_order(world):
    html = world.client_for(world.teacher).get(reverse("guides:overview")).content.decode()
    with scope(municipality=world.fjordvik):
        guide = current_guide()
        titles = [level.title for level in guide.levels.all()]
        steps = [s.title for s in Step.objects.filter(level__guide=guide)]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    level0 = [html.index(t) for t in steps[:5]]
    assert level0 == sorted(level0)
    for title in steps:
        assert title in html
    assert guide.title in html


def test_step_page_shows_text_who_and_tools(world):
    response = world.client_for(world.colleague).get(reverse("guides:step", args=[0, 3]))
    html = response.content.decode()
    step = response.context["step"]
    assert step.code == "talk"
    assert step.title in html and step.who in html
    assert "Samtaleguide – samtale med barn og unge" in html
    assert html.count("<p>") >= step.body.count("\n\n") + 1  # paragraphs kept
    assert reverse("guides_tools:tool", args=["samtaleguide-barn"]) in html
    assert response.context["previous_step"].code == "share"
    assert response.context["next_step"].code == "decide"


def test_tools_page_lists_tools_with_their_steps(world):
    response = world.client_for(world.teacher).get(reverse("guides:tools"))
    html = response.content.decode()
    assert 'id="tool-samtykkeskjema"' in html
    # The consent form belongs to the first step of levels 1, 2 and 3.
    for level in (1, 2, 3):
        assert reverse("guides:step", args=[level, 1]) in html


def test_level_page(world):
    response = world.client_for(world.teacher).get(reverse("guides:level", args=[1]))
    html = response.content.decode()
    level = response.context["level"]
    assert level.number == 1 and level.title in html
    assert response.context["previous_level"] == 0 and response.context["next_level"] == 2
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("name, args", [
    ("guides:level", [4]),
    ("guides:level", [99]),
    ("guides:step", [0, 6]),
    ("guides:step", [0, 0]),
    ("guides:step", [7, 1]),
])
def test_missing_level_or_step_is_404(world, name, args):
    assert world.client_for(world.teacher).get(reverse(name, args=args)).status_code == 404


def test_person_without_a_municipality_gets_404(world):
    assert world.client_for(world.operator).get(reverse("guides:overview")).status_code in (
        302, 404,
    )


def test_each_municipality_sees_only_its_own_guide(world):
    with scope(municipality=world.asheim):
        asheim_guide = load_guide(world.asheim, "stord")
    with scope(municipality=world.fjordvik):
        fjordvik_guide = current_guide()

    outsider = world.client_for(world.outsider)
    for name, args in PAGES:
        response = outsider.get(reverse(name, args=args))
        assert response.context["guide"] == asheim_guide
    html = _main(outsider.get(reverse("guides:step", args=[0, 1])))
    assert "Definer uroa for eit barn" in html and "Beskriv undringen" not in html
    # The UI is bokmål, the guide nynorsk: the guide text says so.
    assert 'lang="nn"' in html

    html = _main(world.client_for(world.teacher).get(reverse("guides:overview")))
    assert fjordvik_guide.title in html and asheim_guide.title not in html
    assert 'lang="nn"' not in html  # same language as the UI: no extra lang attribute


def _big_guide(steps_per_level=25, tools=40):
    """The national guide blown up to many more steps and tools."""
    data = read_template("national")
    data["tools"] = [
        {"key": f"tool-{i}", "title": f"Verktøy {i}", "description": f"Beskrivelse {i}"}
        for i in range(tools)
    ]
    for level in data["levels"]:
        base = level["steps"]
        if level["number"] != 0:
            level["steps"] = [
                {**base[i % 5], "code": f"s{i}", "title": f"Trinn {i}",
                 "tools": [f"tool-{(i + k) % tools}" for k in range(4)]}
                for i in range(steps_per_level)
            ]
        else:
            for i, step in enumerate(base):
                step["tools"] = [f"tool-{(i + k) % tools}" for k in range(6)]
    return data


@pytest.mark.parametrize("name, args", [
    ("guides:overview", []),
    ("guides:level", [1]),
    ("guides:step", [0, 1]),
    ("guides:step", [1, 2]),
    ("guides:tools", []),
])
def test_query_count_does_not_grow_with_the_guide(world, name, args):
    client = world.client_for(world.teacher)
    url = reverse(name, args=args)
    client.get(url)  # warm caches (content types, session) so both counts compare like for like
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    with scope(municipality=world.fjordvik):
        load_guide_data(world.fjordvik, _big_guide(), "national")
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.status_code == 200
    if name == "guides:level":
        assert len(response.context["level"].steps.all()) == 25
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]


def test_step_box_include(world):
    with scope(municipality=world.fjordvik):
        step = Step.objects.select_related("level__guide").get(
            level__guide=current_guide(), level__number=0, code="define"
        )
        with CaptureQueriesContext(connection) as queries:
            html = render_to_string(
                "guides/_step_box.html", {"step": step, "LANGUAGE_CODE": "nb"}
            )
        english = render_to_string(
            "guides/_step_box.html", {"step": step, "LANGUAGE_CODE": "en"}
        )
    assert len(queries) == 1  # the tool list
    assert f'aria-labelledby="guide-step-{step.pk}-kicker guide-step-{step.pk}-title"' in html
    assert f'id="guide-step-{step.pk}-title">{step.title}<' in html
    assert "<details" in html and "<summary>" in html
    assert step.who in html and reverse("guides_tools:tool", args=["kartleggingsskjema"]) in html
    assert 'lang="nb"' not in html
    assert 'lang="nb"' in english
