from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import password_login


def _fail(client, user, times):
    responses = [password_login(client, user, password="feil-passord-her") for _ in range(times)]
    return responses


def test_after_the_failure_limit_even_the_right_password_is_refused(world):
    client = Client()
    responses = _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT)
    assert all(r.status_code == 200 for r in responses[:-1])
    assert responses[-1].status_code == 403

    response = password_login(client, world.teacher)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"sperret i {minutes} minutt" in html
    assert "IT-støtten i kommunen" in html
    assert html.count("<h1") == 1


def test_the_lockout_page_does_not_name_the_account(world):
    client = Client()
    _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT)
    response = password_login(client, world.teacher)
    assert "kari" not in response.content.decode().lower()


def test_lockout_is_per_username(world):
    client = Client()
    _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT)
    response = password_login(client, world.colleague)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.colleague.pk


def test_a_success_before_the_limit_resets_the_count(world):
    client = Client()
    _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT - 1)
    assert password_login(client, world.teacher).status_code == 302
    client.post(reverse("accounts:logout"))

    # Without the reset, the first of these would reach the limit.
    responses = _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT - 1)
    assert all(r.status_code == 200 for r in responses)
    assert password_login(client, world.teacher).status_code == 302


def test_lockout_page_speaks_the_visitors_language(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _fail(client, world.teacher, settings.AXES_FAILURE_LIMIT)
    response = password_login(client, world.teacher)
    assert '<html lang="en">' in response.content.decode()
