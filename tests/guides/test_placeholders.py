"""Placeholders in tool texts: plain, literal substitution, blanks for the unknown."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope

from stafett.guides.placeholders import (
    BLANK,
    PLACEHOLDERS,
    blocks,
    fill,
    names_in,
    unknown_names,
    values_for_concern,
    values_for_municipality,
)
from tests.concerns.helpers import make_concern

VOCABULARY = {
    "child", "child_birth_date", "service", "municipality", "employee", "meeting_time",
    "meeting_place", "participants", "police_phone", "child_welfare_phone",
    "after_hours_name", "after_hours_phone", "today",
}


def test_the_vocabulary_is_exactly_the_agreed_names():
    assert set(PLACEHOLDERS) == VOCABULARY


def test_fill_replaces_known_placeholders():
    text = "Samtykke for {child}, født {child_birth_date}, i {service}."
    values = {"child": "Ella", "child_birth_date": "01.02.2020", "service": "Solsikken"}
    assert fill(text, values) == "Samtykke for Ella, født 01.02.2020, i Solsikken."


def test_missing_empty_and_unknown_placeholders_become_a_blank_line():
    text = "Barn: {child}. Tid: {meeting_time}. Sted: {meeting_place}. Annet: {shoe_size}."
    filled = fill(text, {"meeting_time": "  ", "meeting_place": None})
    assert filled == f"Barn: {BLANK}. Tid: {BLANK}. Sted: {BLANK}. Annet: {BLANK}."
    assert "______" in BLANK
    assert fill("{child}") == BLANK


def test_text_that_is_not_a_placeholder_stays_as_it_is():
    text = "{{ request }} {% load static %} { child } {0} {Child} {child_} <script>x</script>"
    filled = fill(text, {"child": "Ella"})
    assert "{{ request }}" in filled
    assert "{% load static %}" in filled
    assert "{ child }" in filled and "{0}" in filled and "{Child}" in filled
    assert "<script>x</script>" in filled  # escaping is the template's job
    assert "{child_}" not in filled  # a name, though unknown: a blank


def test_fill_uses_no_template_engine_or_format():
    # str.format would reach attributes; the template engine would run tags.
    text = "{child.__class__} {child[0]} {{child}} {%if 1%}yes{%endif%}"
    filled = fill(text, {"child": "Ella"})
    assert filled == "{child.__class__} {child[0]} {Ella} {%if 1%}yes{%endif%}"


def test_values_are_inserted_literally_and_not_filled_again():
    assert fill("{child} og {service}", {"child": "{service}", "service": "S"}) == "{service} og S"


def test_names_in_and_unknown_names():
    text = "{child} {today} {child} {nope}"
    assert names_in(text) == ["child", "today", "nope"]
    assert unknown_names(text) == ["nope"]


def test_blocks_within_one_paragraph():
    text = "## Samtykke\nJeg samtykker til at:\n- a\n- b\nSlutt\n-\n##"
    assert blocks(text) == [
        {"kind": "heading", "text": "Samtykke"},
        {"kind": "paragraph", "text": "Jeg samtykker til at:"},
        {"kind": "list", "items": ["a", "b"]},
        {"kind": "paragraph", "text": "Slutt"},
    ]


def test_blocks_give_headings_lists_and_paragraphs():
    text = "## Samtykke\n\nJeg samtykker.\nLinje to.\n\n- Helsestasjonen\n- PPT\n\n- Barnevernet\n\nSlutt"
    assert blocks(text) == [
        {"kind": "heading", "text": "Samtykke"},
        {"kind": "paragraph", "text": "Jeg samtykker.\nLinje to."},
        {"kind": "list", "items": ["Helsestasjonen", "PPT", "Barnevernet"]},
        {"kind": "paragraph", "text": "Slutt"},
    ]
    assert blocks("") == []


def test_rendered_body_escapes_everything():
    body = "{{ request }} {% load static %} <script>alert(1)</script> for {child}"
    html = render_to_string("guides/tools/_body.html", {
        "tool_blocks": blocks(fill(body, {"child": "<b>Ella</b>"})), "heading": 2,
    })
    assert "{{ request }}" in html and "{% load static %}" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;Ella&lt;/b&gt;" in html


def test_values_for_municipality(world):
    values = values_for_municipality(world.fjordvik)
    assert values == {
        "municipality": "Fjordvik kommune",
        "police_phone": "112",
        "child_welfare_phone": "40 00 10 01",
        "after_hours_name": "Barnevernvakta i Fjordregionen",
        "after_hours_phone": "40 00 10 02",
    }
    assert "today" not in values  # a blank form's date is written by hand
    assert values_for_municipality(None) == {}


@pytest.mark.django_db
def test_values_for_concern(world):
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        values = values_for_concern(concern, world.actor(world.teacher))
    birth = concern.child.birth_date
    assert values["child"] == "Ella Strandvik"
    assert values["child_birth_date"] == birth.strftime("%d.%m.%Y")
    assert values["service"] == "Solsikken barnehage"
    assert values["municipality"] == "Fjordvik kommune"
    assert values["employee"] == "Kari Lærersen"
    assert values["today"] == timezone.localdate().strftime("%d.%m.%Y")
    assert values["child_welfare_phone"] == "40 00 10 01"
    for name in ("meeting_time", "meeting_place", "participants"):
        assert not values.get(name)  # filled in later, by a relay's meeting
    assert set(values) <= VOCABULARY
