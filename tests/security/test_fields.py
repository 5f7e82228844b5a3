"""The shared fields of stafett/lib/forms.py as a person meets them: the
limit beside a text, the window of a date, the list of choices, and dates
that only exist every fourth year."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.concerns.models import Concern
from stafett.relay.models import Consent, Measure
from tests.conftest import nb

from .forms import page_errors, redirect_errors


def _visible(html: str) -> str:
    return html.replace("\xa0", " ")


def test_a_text_area_says_its_limit_beside_it(scene):
    client = scene.world.client_for(scene.world.teacher)
    html = _visible(client.get(reverse("concerns:new")).content.decode())
    # The help text under "What have you seen and heard?", read out with the field.
    assert "Høyst 10 000 tegn." in html
    assert 'maxlength="10000"' in html
    assert "Høyst 5 000 tegn." in html  # the questions: both become a relay's area of concern


def test_too_long_a_text_is_refused_with_its_length_and_the_limit(scene):
    client = scene.world.client_for(scene.world.teacher)
    url = reverse("concerns:step", args=[scene.concern.pk, "define"])
    response = client.post(url, {"version": scene.concern.version, "observations": "x" * 10_001})
    assert response.status_code == 200
    _lang, errors = page_errors(_visible(response.content.decode()))
    assert any(nb("The text is too long: %(length)s characters, and at most %(limit)s are allowed. "
                  "Shorten it.", length="10 001", limit="10 000") in e for e in errors), errors
    with scopes_disabled():
        assert Concern.objects.get(pk=scene.concern.pk).observations == "Virker sliten om morgenen."


def test_line_breaks_count_as_one_character_as_in_the_browser(scene):
    client = scene.world.client_for(scene.world.teacher)
    url = reverse("concerns:step", args=[scene.concern.pk, "define"])
    text = "a\r\n" * 3333 + "a"  # 10 000 characters in the browser, 13 333 as sent
    response = client.post(url, {"version": scene.concern.version, "observations": text})
    assert response.status_code == 302
    with scopes_disabled():
        assert Concern.objects.get(pk=scene.concern.pk).observations == text.replace("\r\n", "\n")


def test_a_plan_date_outside_its_window_names_the_window(scene):
    w = scene.world
    client = w.client_for(w.health_nurse)
    today = timezone.localdate()
    response = client.post(reverse("relay_content:measure", args=[scene.relay.pk, scene.measure.pk]), {
        "version": scene.measure.version, "what": "Fast leggetid.", "starts_on": today.isoformat(),
        "deadline": "9999-12-31", "evaluate_on": today.isoformat(),
    })
    assert response.status_code == 200
    _lang, errors = page_errors(response.content.decode())
    # Ten years back (old plans stay editable) to five years ahead.
    expected = nb("Give a date from %(earliest)s to %(latest)s.",
                  earliest=f"{today.replace(year=today.year - 10):%d.%m.%Y}",
                  latest=f"{today.replace(year=today.year + 5):%d.%m.%Y}")
    assert any(expected in e for e in errors), errors
    with scopes_disabled():
        assert Measure.objects.get(pk=scene.measure.pk).deadline == scene.measure.deadline


def test_the_date_picker_is_told_the_window(scene):
    client = scene.world.client_for(scene.world.teacher)
    html = client.get(reverse("concerns:step", args=[scene.concern.pk, "talk"])).content.decode()
    today = timezone.localdate()
    assert f'max="{today.isoformat()}"' in html  # a conversation that has been held
    assert f'min="{today.replace(year=today.year - 2).isoformat()}"' in html


def test_more_choices_than_anyone_ticks_are_refused_before_the_database(scene):
    w = scene.world
    client = w.client_for(w.health_nurse)
    today = timezone.localdate()
    with scopes_disabled():
        before = Consent.objects.count()
    response = client.post(reverse("relay:consent", args=[scene.relay.pk]), {
        "guardians": [str(p.pk) for p in scene.parents],
        "services": [str(n) for n in range(1, 502)],
        "purpose": "Samarbeid.", "given_on": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=300)).isoformat(), "method": "digital",
    })
    assert response.status_code == 200
    _lang, errors = page_errors(response.content.decode())
    assert any(nb("Too many options were sent. Choose at most %(limit)s.", limit=500) in e
               for e in errors), errors
    with scopes_disabled():
        assert Consent.objects.count() == before


@pytest.fixture
def leap_day(monkeypatch):
    """Today is 29 February 2028."""
    day = dt.date(2028, 2, 29)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def test_a_worry_can_be_registered_on_29_february(scene, leap_day):
    client = scene.world.client_for(scene.world.teacher)
    service = str(scene.world.kindergarten.pk)
    response = client.post(reverse("concerns:new"), {
        "service": service, "child_name": "Skuddårs Barn", "birth_date": "2021-06-01",
        "observations": "Virker trøtt.", "questions": "",
    })
    assert response.status_code == 302, page_errors(response.content.decode())
    assert redirect_errors(response) == []
    # The oldest date of birth accepted that day: 25 years back, 28 February.
    response = client.post(reverse("concerns:new"), {
        "service": service, "child_name": "Skuddårs Barn", "birth_date": "2003-02-27",
        "observations": "Virker trøtt.",
    })
    _lang, errors = page_errors(response.content.decode())
    assert any(nb("BTI is for children and young people: the date of birth must be within the last "
                  "25 years.") in e for e in errors), errors


def test_a_consent_given_on_29_february(scene, leap_day):
    w = scene.world
    client = w.client_for(w.health_nurse)
    response = client.post(reverse("relay:consent", args=[scene.relay.pk]), {
        "guardians": [str(p.pk) for p in scene.parents],
        "services": [str(w.health_station.pk), str(w.school.pk)],
        "purpose": "Samarbeid.", "given_on": leap_day.isoformat(), "valid_until": "2029-02-28",
        "method": "digital",
    })
    assert response.status_code == 302, page_errors(response.content.decode())
    assert redirect_errors(response) == []
