import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.followup import engine
from stafett.followup.models import Notification
from stafett.tenancy.models import Membership
from tests.conftest import _user


class Clock:
    """Controls `timezone.now()` for the actions and is passed to the rules."""

    def __init__(self, start):
        self.current = start

    def now(self):
        return self.current

    def set(self, moment):
        self.current = moment

    def advance(self, days=0, **kwargs):
        self.current += dt.timedelta(days=days, **kwargs)
        return self.current

    def at(self, days):
        """A moment `days` days after the clock's start, without moving it."""
        return self.start + dt.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    # Eight in the morning of today, local time: a test that moves a few hours
    # on (`at(20.1)`) must not cross midnight, whenever the suite runs.
    clock = Clock(timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0))
    clock.start = clock.current
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@pytest.fixture
def world(world):
    """The shared world plus Helga, a public health nurse at the health station
    (which has no leader, so breaks fall back to the BTI coordinator), and an
    e-mail address for everyone."""
    with scopes_disabled():
        world.health_nurse = _user("helga", "Helga", "Helsesøstersen")
        Membership.objects.create(
            municipality=world.fjordvik, service=world.health_station, user=world.health_nurse,
            role="employee",
        )
        for user in (world.teacher, world.leader, world.colleague, world.other_employee,
                     world.other_leader, world.coordinator, world.outsider, world.health_nurse):
            user.email = f"{user.username}@fjordvik.invalid"
            user.save(update_fields=["email"])
    return world


def evaluate(world, now):
    return engine.evaluate(world.fjordvik, now)


def open_rules(world, user):
    """The rules of `user`'s open notifications (break not mended), with counts."""
    with scope(municipality=world.fjordvik):
        return sorted(
            Notification.objects.filter(user=user, brk__mended_at__isnull=True)
            .values_list("brk__rule", flat=True)
        )


def notified(world, rule):
    """Who has been told about breaks of `rule`, open or mended."""
    with scope(municipality=world.fjordvik):
        return sorted(
            Notification.objects.filter(brk__rule=rule).values_list("user__username", flat=True)
        )


def at_once(workers, work):
    """Run `work()` in `workers` threads released together (each with its own
    connection); returns their results and the errors they raised."""
    start = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors
