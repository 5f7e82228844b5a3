"""Stafett's own 400/403/404/500 and refused-form pages: in the page frame, in
the person's language, with a way back and the emergency numbers — and a 404
that reads the same whether the object is missing or someone else's."""

import re

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.concerns.models import Concern
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from . import urls_errors

pytestmark = pytest.mark.urls("tests.core.urls_errors")

# What a person reads, in bokmål and nynorsk (English is the source text).
HEADINGS = {
    404: {"nb": "Fant ikke siden", "nn": "Fann ikkje sida", "en": "Page not found"},
    403: {"nb": "Ingen tilgang", "nn": "Inga tilgang", "en": "No access"},
    "csrf": {"nb": "Skjemaet kunne ikke sendes", "nn": "Skjemaet kunne ikkje sendast",
             "en": "The form could not be sent"},
    500: {"nb": "Noe gikk galt", "nn": "Noko gjekk gale", "en": "Something went wrong"},
}
BACK = {"nb": "Gå til startsiden", "nn": "Gå til startsida", "en": "Go to the start page"}
NATIONAL = ("tel:112", "tel:113", "tel:116111")
FJORDVIK = ("40 00 10 01", "40 00 10 02", "Barnevernvakta i Fjordregionen")
ASHEIM = ("40 00 20 01", "40 00 20 02", "Barnevernvakta Åsheim")


@pytest.fixture(autouse=True)
def production(settings):
    """Error pages as production serves them: DEBUG off."""
    settings.DEBUG = False


def _client(user=None, language="nb", **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _assert_error_page(response, status, key, language, municipality=None, others=()):
    assert response.status_code == status
    html = response.content.decode()
    assert re.search(rf'<html lang="{language}">', html)
    h1 = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert h1 == HEADINGS[key][language]
    # A way back: the start page.
    assert f'<a class="button" href="/">{BACK[language]}</a>' in html
    for number in NATIONAL:
        assert f'href="{number}"' in html
    for value in municipality or ():
        assert value in html
    for value in others:
        assert value not in html
    # Django's own page says "Not Found"/"Forbidden" in English; ours never does.
    assert "Not Found" not in html and "Forbidden" not in html
    return html


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_missing_page_for_a_person_in_a_municipality(world, language):
    response = _client(world.teacher, language).get("/finnes-ikke/")
    html = _assert_error_page(response, 404, 404, language, FJORDVIK, ASHEIM)
    # In the page frame: the main menu and the acute button.
    assert 'href="/akutt/"' in html and 'href="/bekymringer/"' in html


def test_missing_page_for_someone_in_another_municipality(world):
    response = _client(world.outsider).get("/finnes-ikke/")
    _assert_error_page(response, 404, 404, "nb", ASHEIM, FJORDVIK)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_missing_page_without_login_has_the_national_numbers_only(world, language):
    response = _client(language=language).get("/finnes-ikke/")
    _assert_error_page(response, 404, 404, language, others=FJORDVIK + ASHEIM)


def test_a_refused_worry_reads_exactly_like_a_missing_one(world):
    concern = make_concern(world, name="Hemmelig Barnesen")
    client = _client(world.colleague)  # Kasper: same kindergarten, not the author
    forbidden = client.get(reverse("concerns:detail", args=[concern.pk]))
    missing = client.get(reverse("concerns:detail", args=[concern.pk + 1000]))
    _assert_error_page(forbidden, 404, 404, "nb", FJORDVIK)
    assert forbidden.content == missing.content
    assert "Hemmelig Barnesen" not in forbidden.content.decode()


def test_a_refused_relay_reads_exactly_like_a_missing_one(world, helga):
    relay, _ = make_relay(world, name="Hemmelig Barnesen")
    client = _client(world.teacher)  # Kari: the kindergarten is not covered
    forbidden = client.get(reverse("relay:detail", args=[relay.pk]))
    missing = client.get(reverse("relay:detail", args=[relay.pk + 1000]))
    _assert_error_page(forbidden, 404, 404, "nb", FJORDVIK)
    assert forbidden.content == missing.content


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_refused_page(world, language):
    response = _client(world.teacher, language).get("/test/refused/")
    _assert_error_page(response, 403, 403, language, FJORDVIK)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_form_without_its_token_gets_stafetts_page_and_saves_nothing(world, language):
    client = _client(world.teacher, language, enforce_csrf_checks=True)
    with scope(municipality=world.fjordvik):
        response = client.post(reverse("concerns:new"), {
            "service": world.kindergarten.pk, "child_name": "Ella Strandvik",
            "birth_date": "2021-05-01", "observations": "Sliten.", "questions": "Søvn?",
        })
    _assert_error_page(response, 403, "csrf", language, FJORDVIK)
    with scopes_disabled():
        assert not Concern.objects.exists()


def test_the_language_switch_without_its_token_changes_nothing(world):
    client = _client(world.teacher, "nn", enforce_csrf_checks=True)
    response = client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    _assert_error_page(response, 403, "csrf", "nn", FJORDVIK)
    world.teacher.refresh_from_db()
    assert world.teacher.preferred_language != "en"


@pytest.fixture
def database_down():
    """From the moment `urls_errors.DATABASE["down"]` is set, every query fails
    as it would with the database server gone."""

    def blocker(execute, sql, params, many, context):
        if urls_errors.DATABASE["down"]:
            raise OperationalError("the database is down")
        return execute(sql, params, many, context)

    urls_errors.DATABASE["down"] = False
    with connection.execute_wrapper(blocker):
        yield urls_errors.DATABASE
    urls_errors.DATABASE["down"] = False


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_server_error_with_the_database_down_from_the_start(world, database_down, language):
    """The session and the person cannot even be read: the page still comes, in
    the person's language (from the cookie), with the national numbers."""
    client = _client(world.teacher, language, raise_request_exception=False)
    database_down["down"] = True
    response = client.get(reverse("core:home"))
    _assert_error_page(response, 500, 500, language, others=FJORDVIK)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_server_error_after_the_database_went_down(world, database_down, language):
    """The person was known before it broke: the page also has the municipality's
    numbers, and renders without a single query."""
    client = _client(world.teacher, language, raise_request_exception=False)
    response = client.get("/test/broken/")
    assert database_down["down"]  # the view ran, and every query after it would fail
    _assert_error_page(response, 500, 500, language, FJORDVIK, ASHEIM)


def test_bad_request_gets_stafetts_page(world, settings):
    settings.ALLOWED_HOSTS = ["stafett.example"]
    response = _client(world.teacher).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="nb">' in html and BACK["nb"] in html and 'href="tel:116111"' in html
