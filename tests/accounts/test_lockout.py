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


def test_failures_from_many_addresses_lock_the_account(world):
    """A guesser who spreads the attempts over many addresses is stopped as
    surely as one who uses one; the person is told in bokmål."""
    addresses = [f"192.0.2.{n}" for n in range(1, settings.AXES_FAILURE_LIMIT + 1)]
    responses = [password_login(Client(REMOTE_ADDR=address), world.teacher, password="feil-passord-her")
                 for address in addresses]
    assert all(r.status_code == 200 for r in responses[:-1])
    assert responses[-1].status_code == 403

    fresh = Client(REMOTE_ADDR="198.51.100.7")  # an address that never failed
    response = password_login(fresh, world.teacher)
    assert response.status_code == 403
    assert "_auth_user_id" not in fresh.session
    html = response.content.decode()
    assert '<html lang="nb">' in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"sperret i {minutes} minutt" in html

    # The lock is on the account, not on the addresses: Kasper logs in from one of them.
    colleague = Client(REMOTE_ADDR=addresses[0])
    assert password_login(colleague, world.colleague).status_code == 302
