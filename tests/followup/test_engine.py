"""Idempotency, crash safety, a bounded number of queries and the task entry
points (the digest's tests are in tests/notify/test_digest.py)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django_scopes import scope, scopes_disabled

from stafett.followup import engine, rules
from stafett.followup.models import Break, Notification, Rule
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .conftest import evaluate

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _counts(world):
    with scope(municipality=world.fjordvik):
        breaks = Break.objects.count()
        per_person = sorted(
            Notification.objects.values_list("user__username", "brk__rule", "brk__object_id")
        )
    return breaks, per_person


def _many_breaks(world, clock):
    make_concern(world)
    make_concern(world, author=world.colleague, name="Nils Nilsen", serial=1)
    relay, _ = make_relay(world)
    return relay


def test_evaluate_twice_changes_nothing(world, clock):
    _many_breaks(world, clock)
    moment = clock.at(400)
    first = evaluate(world, moment)
    before = _counts(world)
    assert first["opened"] > 0
    second = evaluate(world, clock.at(401))
    assert second["opened"] == 0 and second["mended"] == 0
    assert _counts(world) == before
    # each person is told about each break once
    assert len(before[1]) == len(set(before[1]))


def test_a_crash_half_way_leaves_nothing_and_the_rerun_notifies_once(world, clock, monkeypatch):
    _many_breaks(world, clock)
    moment = clock.at(400)

    def killed(*args):
        raise SystemExit("worker killed")

    # The worker dies after the first rule has run.
    monkeypatch.setitem(rules.RULES, Rule.HOLDER_INACTIVE, killed)
    with pytest.raises(SystemExit):
        evaluate(world, moment)
    assert _counts(world) == (0, [])
    monkeypatch.undo()

    evaluate(world, moment)
    after_restart = _counts(world)
    evaluate(world, clock.at(400.5))
    assert _counts(world) == after_restart
    people = after_restart[1]
    assert len(people) == len(set(people))
    assert ("kari", "concern_idle") in {(u, r) for u, r, _ in people}
    assert ("kasper", "concern_idle") in {(u, r) for u, r, _ in people}


def test_a_mended_break_that_breaks_again_is_a_new_break(world, clock):
    make_concern(world, shared=True)
    evaluate(world, clock.at(15))
    with scope(municipality=world.fjordvik):
        Break.objects.update(mended_at=clock.at(15))  # as if mended
    evaluate(world, clock.at(16))
    with scope(municipality=world.fjordvik):
        assert Break.objects.count() == 2
        assert Notification.objects.filter(user=world.teacher).count() == 2


def test_rules_run_in_a_bounded_number_of_queries(world, clock):
    make_relay(world)
    make_concern(world)
    evaluate(world, clock.at(1))  # creates the municipality's settings
    with CaptureQueriesContext(connection) as few:
        evaluate(world, clock.at(400))
    for i in range(4):
        make_relay(world, name=f"Barn {i}")
        make_concern(world, name=f"Barn {i}", serial=i + 1)
    with scope(municipality=world.fjordvik):
        Break.objects.update(mended_at=clock.at(400))
    with CaptureQueriesContext(connection) as many:
        evaluate(world, clock.at(401))
    assert len(many) == len(few)


def test_every_municipality_is_evaluated(world, clock):
    make_concern(world)
    totals = engine.run_rules(clock.at(20))
    assert totals["opened"] == 1
    with scopes_disabled():
        assert Break.objects.filter(municipality=world.asheim).count() == 0


# The daily digest goes through the outbox: tests/notify/test_digest.py.


# --- the task entry points -------------------------------------------------------


@override_settings(TASKS=IMMEDIATE)
def test_the_command_enqueues_both_tasks(world):
    make_concern(world)
    call_command("run_followup")
    call_command("run_followup", "--now")
    with scopes_disabled():
        assert Break.objects.count() == 0  # nothing idle yet
