"""Staff sessions end after 30 idle minutes (SESSION_COOKIE_AGE; activity
moves the expiry, saving the session at most once a minute,
stafett.core.session): the clock is moved, nobody sleeps."""

import datetime as dt
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import password_login


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_idle_expiry_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "stafett.core.session.IdleSessionMiddleware" in settings.MIDDLEWARE


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_the_session_is_written_at_most_once_a_minute(world, client):
    start = timezone.now()
    url = reverse("accounts:account")
    with _at(start):
        password_login(client, world.operator)
    for seconds in (10, 30, 55):
        with _at(start + dt.timedelta(seconds=seconds)):
            assert _session_writes(client, url) == [], seconds
    with _at(start + dt.timedelta(seconds=61)):
        assert len(_session_writes(client, url)) == 1
    with _at(start + dt.timedelta(seconds=90)):
        assert _session_writes(client, url) == []


def test_an_unsaved_request_never_makes_the_session_last_longer_than_the_rule(world, client):
    """The last request was not saved (within the minute): the session still
    ends 30 minutes after the last save, i.e. at most a minute early."""
    start = timezone.now()
    with _at(start):
        password_login(client, world.operator)
    with _at(start + dt.timedelta(seconds=50)):
        assert client.get(reverse("accounts:account")).status_code == 200
    with _at(start + dt.timedelta(seconds=50, minutes=30)):
        assert client.get(reverse("accounts:account")).status_code == 302


def test_a_request_after_a_minute_moves_the_deadline(world, client):
    start = timezone.now()
    with _at(start):
        password_login(client, world.operator)
    with _at(start + dt.timedelta(seconds=61)):
        assert client.get(reverse("accounts:account")).status_code == 200
    # Past the first deadline, within the moved one.
    with _at(start + dt.timedelta(minutes=30, seconds=30)):
        assert client.get(reverse("accounts:account")).status_code == 200


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
