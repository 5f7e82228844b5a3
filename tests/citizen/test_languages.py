"""The languages families speak: every family page in bokmål, nynorsk,
English, Polish, Ukrainian, Arabic (right to left), Somali and Tigrinya; the
choice remembered; staff pages stay in bokmål, nynorsk or English."""

import datetime as dt
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info

from stafett.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
FAMILY_CODES = ["nb", "nn", "en", "pl", "uk", "ar", "so", "ti"]
EXTRA = ["pl", "uk", "ar", "so", "ti"]
COOKIE = settings.LANGUAGE_COOKIE_NAME


def _page(client, path="/familie/"):
    response = client.get(path)
    return response, response.content.decode()


def _html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


# --- settings ---------------------------------------------------------------


def test_the_family_languages_are_all_eight_each_named_in_itself():
    assert [code for code, _ in settings.FAMILY_LANGUAGES] == FAMILY_CODES
    names = dict(settings.FAMILY_LANGUAGES)
    assert (names["pl"], names["uk"], names["ar"], names["so"], names["ti"]) == (
        "Polski", "Українська", "العربية", "Soomaali", "ትግርኛ")
    # The cookie and the switch accept every one of them.
    assert dict(settings.LANGUAGES) == names
    assert [code for code, _ in settings.STAFF_LANGUAGES] == ["nb", "nn", "en"]


def test_django_knows_somali_and_tigrinya_and_arabic_is_right_to_left():
    assert get_language_info("so")["name_local"] == "Soomaali"
    assert get_language_info("ti")["name_local"] == "ትግርኛ"
    for code in FAMILY_CODES:
        with translation.override(code):
            assert translation.get_language_bidi() == (code == "ar")


# --- the catalogues ---------------------------------------------------------

# Where family-page strings come from: the family apps' templates and code,
# and the shared parts a family page shows (the error pages in the family
# frame, form errors, paging). A string from any of these must be translated
# in all eight languages. (Staff logging in through their municipality's
# provider, stafett/oidc/views_staff.py, is a staff page, and so are the notices
# staff get of what a family did, stafett/citizen/notify_kinds.py.)
FAMILY_SOURCES = re.compile(
    r"^(templates/(citizen|oidc)/|stafett/citizen/(?!notify_kinds)|stafett/oidc/(?!views_staff)|templates/(400|403|403_csrf|404|500)\.html"
    r"|templates/fullrecord/family_|stafett/fullrecord/(views_family|notify_kinds)\.py"
    r"|templates/_error_summary\.html|templates/_pagination\.html|templates/core/_error\.html"
    r"|templates/core/_emergency_numbers\.html"
    r"|templates/feedback/|stafett/feedback/|stafett/relay/templatetags/authors\.py|stafett/core/templatetags/frame\.py)"
)


def _catalogue(code):
    with (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


def test_every_catalogue_has_the_plural_forms_of_its_language():
    for code in FAMILY_CODES:
        catalogue = _catalogue(code)
        assert catalogue.num_plurals == get_plural(code).num_plurals, code  # ar: 6 as well
    assert [_catalogue(code).num_plurals for code in ("pl", "uk", "ar", "so", "ti")] == [3, 3, 6, 2, 2]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)s|\{\w+\}", text))


@pytest.mark.parametrize("code", FAMILY_CODES)
def test_every_string_on_a_family_page_is_translated(code):
    """Nothing on a family page falls back to another language; the
    placeholders are kept (a wrong one would be a 500 in that language)."""
    untranslated, broken = [], []
    family_strings = 0
    for message in _catalogue(code):
        if not message.id or not any(FAMILY_SOURCES.match(path) for path, _ in message.locations):
            continue
        family_strings += 1
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            untranslated.append(ids[0])
            continue
        if any(_placeholders(s) != _placeholders(ids[-1]) for s in strings):
            broken.append(ids[0])
    assert family_strings > 30
    assert not untranslated, f"{code}: not translated: {untranslated}"
    assert not broken, f"{code}: placeholders differ: {broken}"


# --- the pages --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("code", FAMILY_CODES)
def test_a_family_page_speaks_the_chosen_language(family, code):
    client = family.client_for(family.frida)
    client.cookies[COOKIE] = code
    response, page = _page(client)
    assert response.status_code == 200
    assert response["Content-Language"] == code
    direction = "rtl" if code == "ar" else "ltr"
    assert _html_tag(page) == f'<html lang="{code}" dir="{direction}">'
    with translation.override(code):
        assert translation.gettext("My children") in page
    # The switch offers all eight, each in its own language and marked so.
    for other, name in settings.FAMILY_LANGUAGES:
        assert f'<option value="{other}" lang="{other}"' in page and name in page
    # What people wrote stays as written: names are never translated.
    assert "Mia Fjeld" in page


@pytest.mark.django_db
def test_names_are_isolated_from_the_direction_around_them(family):
    client = family.client_for(family.frida)
    client.cookies[COOKIE] = "ar"
    _response, page = _page(client)
    assert "<bdi>Helsestasjonen</bdi>" in page
    assert "<bdi>Fjordvik kommune</bdi>" in page


@pytest.mark.django_db
def test_the_family_login_page_speaks_the_chosen_language(client):
    client.cookies[COOKIE] = "ar"
    response, page = _page(client, reverse("oidc:idporten_login"))
    if response.status_code != 200:
        pytest.skip("the family login goes straight on to ID-porten")
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
@pytest.mark.parametrize("code", EXTRA)
def test_a_staff_page_asked_for_a_family_only_language_shows_bokmal(world, code):
    """A staff member who used the family pages (or shares a computer with a
    family) still gets their staff pages in bokmål, the municipality's
    language, with the staff switch of three languages."""
    client = world.client_for(world.teacher)
    client.cookies[COOKIE] = code
    response, page = _page(client, reverse("relay:mine"))
    assert response.status_code == 200
    assert '<html lang="nb">' in page and response["Content-Language"] == "nb"
    assert re.findall(r'<option value="(\w+)" lang=', page) == ["nb", "nn", "en"]


@pytest.mark.django_db
def test_the_staff_account_page_offers_only_the_staff_languages(world):
    _response, page = _page(world.client_for(world.teacher), reverse("accounts:account"))
    options = re.findall(r'<option value="(\w+)" lang=', page)
    assert options.count("pl") == 0 and options.count("nn") == 2


@pytest.mark.django_db
def test_a_citizens_choice_is_remembered_on_them_and_in_the_cookie(family):
    client = family.client_for(family.frida)
    response = client.post(reverse("core:set_language"), {"language": "ti", "next": "/familie/"})
    assert response.status_code == 302 and response["Location"] == "/familie/"
    assert response.cookies[COOKIE].value == "ti"
    assert response.cookies[COOKIE]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    family.frida.refresh_from_db()
    assert family.frida.preferred_language == "ti"


@pytest.mark.django_db
def test_on_a_new_device_a_citizen_gets_their_saved_language_back(family):
    User.objects.filter(pk=family.geir.pk).update(preferred_language="uk")
    client = family.client_for(family.geir)  # no language cookie
    response, page = _page(client)
    assert _html_tag(page) == '<html lang="uk" dir="ltr">'
    assert response.cookies[COOKIE].value == "uk"
    # The cookie, once there, is the person's latest choice.
    client.cookies[COOKIE] = "pl"
    response, page = _page(client)
    assert _html_tag(page) == '<html lang="pl" dir="ltr">' and COOKIE not in response.cookies


@pytest.mark.django_db
def test_staff_cannot_choose_a_family_only_language(world):
    client = world.client_for(world.teacher)
    response = client.post(reverse("core:set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    world.teacher.refresh_from_db()
    assert world.teacher.preferred_language == ""
    response = client.post(reverse("core:set_language"), {"language": "nn", "next": "/"})
    assert response.cookies[COOKIE].value == "nn"


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_the_page_stays_in_bokmal(family):
    client = family.client_for(family.frida)
    response = client.post(reverse("core:set_language"), {"language": "xx", "next": "/familie/"})
    assert COOKIE not in response.cookies
    client.cookies[COOKIE] = "xx"
    _response, page = _page(client)
    assert _html_tag(page) == '<html lang="nb" dir="ltr">'


@pytest.mark.django_db
def test_an_error_on_a_family_page_is_in_the_family_frame_and_language(family):
    client = family.client_for(family.frida)
    client.cookies[COOKIE] = "ar"
    response, page = _page(client, "/familie/finnes-ikke/")
    assert response.status_code == 404
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    with translation.override("ar"):
        assert translation.gettext("Page not found") in page
    assert f'class="button" href="{reverse("citizen:home")}"' in page
    assert '<a href="tel:116111" dir="ltr">116 111</a>' in page


@pytest.mark.parametrize("code", ["so", "ti"])
def test_dates_in_somali_and_tigrinya_have_their_own_month_names(code):
    """Django has no catalogue for them: without ours, a date would show
    bokmål month names (Django falls back to the default language)."""
    with translation.override(code):
        shown = date(dt.date(2026, 11, 29), "l j. F Y")
    locale = Locale.parse(code)
    assert shown == f"{locale.days['format']['wide'][6]} 29. {locale.months['format']['wide'][11]} 2026"
    assert "november" not in shown.lower() and "søndag" not in shown


def test_each_family_language_writes_a_date_its_own_way():
    """Family pages show dates with the named formats; these read right in
    every family language (so/ti from stafett/lib/formats, the rest Django's)."""
    moment = dt.datetime(2026, 11, 29, 14, 30)
    shown = {}
    for code in FAMILY_CODES:
        with translation.override(code):
            shown[code] = (date(moment, "DATE_FORMAT"), date(moment, "DATETIME_FORMAT"))
    assert shown["nb"] == ("29. november 2026", "29. november 2026 14:30")
    assert shown["pl"][0] == "29 listopada 2026"
    assert shown["ar"] == ("29 نوفمبر، 2026", "29 نوفمبر، 2026 14:30")
    assert shown["so"] == ("29 Noofeembar 2026", "29 Noofeembar 2026 14:30")
    assert shown["ti"] == ("29 ሕዳር 2026", "29 ሕዳር 2026 14:30")
