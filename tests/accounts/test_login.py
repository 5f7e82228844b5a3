import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import password_login
from tests.conftest import PASSWORD, nb

WRONG = nb("Wrong username or password. Check both and try again.")


def test_login_page_has_labelled_fields_with_autocomplete(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert "error-summary" not in html


def test_login_succeeds_and_rotates_the_session(world):
    client = Client()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = password_login(client, world.teacher)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert int(client.session["_auth_user_id"]) == world.teacher.pk
    assert client.session.session_key != before
    assert client.session["stafett_login_method"] == "password"


def test_wrong_password_and_unknown_user_get_the_same_message(world, client):
    wrong_password = password_login(client, world.teacher, password="feil-passord-her")
    unknown_user = client.post(
        reverse("accounts:login"), {"username": "finnes-ikke", "password": PASSWORD}
    )
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        html = response.content.decode()
        assert WRONG in html
        assert 'class="error-summary" role="alert"' in html
        assert html.count(WRONG) == 1
        assert "_auth_user_id" not in client.session


def test_missing_fields_are_marked_next_to_the_field_and_in_the_summary(client, db):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert re.search(rf'<a href="#id_username">[^<]*{re.escape(nb("Enter your username."))}</a>', html)
    assert re.search(rf'<a href="#id_password">[^<]*{re.escape(nb("Enter your password."))}</a>', html)
    assert 'id="id_username_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html
    assert 'aria-describedby="id_password_error"' in html


def test_login_sets_the_preferred_language_cookie(world, client):
    world.teacher.preferred_language = "nn"
    world.teacher.save()
    response = password_login(client, world.teacher)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"


def test_login_without_preferred_language_leaves_the_cookie_alone(world, client):
    response = password_login(client, world.teacher)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_login_follows_a_local_next(world, client):
    target = reverse("accounts:account") + "?x=1"
    response = password_login(client, world.teacher, next_url=target)
    assert response["Location"] == target


def test_login_page_carries_next_into_the_form(client, db):
    response = client.get(reverse("accounts:login"), {"next": "/konto/"})
    assert '<input type="hidden" name="next" value="/konto/">' in response.content.decode()


def test_staff_page_sends_anonymous_people_to_login_with_next(client, db):
    response = client.get(reverse("core:acute"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_login_refuses_to_redirect_off_site(world):
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "https:///evil.example",
    ]:
        client = Client()
        response = password_login(client, world.teacher, next_url=evil)
        assert response.status_code == 302
        assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL), evil


def test_off_site_next_is_not_echoed_into_the_login_form(client, db):
    response = client.get(reverse("accounts:login"), {"next": "https://evil.example/"})
    html = response.content.decode()
    assert '<input type="hidden" name="next" value="/start/">' in html
    assert 'value="https://evil.example/"' not in html


def test_inactive_user_cannot_log_in_and_gets_the_generic_message(world, client):
    world.teacher.is_active = False
    world.teacher.save()
    response = password_login(client, world.teacher)
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session
