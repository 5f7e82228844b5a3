"""Staff sessions end after 30 idle minutes (SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST): the clock is moved, nobody sleeps."""

import datetime as dt
from unittest import mock

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import password_login


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_idle_expiry_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_a_session_idle_beyond_thirty_minutes_is_logged_out(world, client):
    start = timezone.now()
    with _at(start):
        password_login(client, world.operator)
        assert client.get(reverse("accounts:account")).status_code == 200
    with _at(start + dt.timedelta(minutes=31)):
        response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_keeps_the_session_alive(world, client):
    start = timezone.now()
    with _at(start):
        password_login(client, world.operator)
    # Every request renews the expiry, so only idle time counts.
    for minutes in (20, 40, 60, 80):
        with _at(start + dt.timedelta(minutes=minutes)):
            assert client.get(reverse("accounts:account")).status_code == 200, minutes
    with _at(start + dt.timedelta(minutes=80 + 31)):
        assert client.get(reverse("accounts:account")).status_code == 302
