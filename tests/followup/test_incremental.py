"""The rules cost what changed (docs/followup.md): a run only opens and
mends what differs from the open breaks, in short batches, under a lease.
These tests hold it to the same answer as evaluating from scratch, around
every threshold, after a crash and with two workers at once."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.concerns import actions as concern_actions
from stafett.followup import engine
from stafett.followup.models import Break, FollowUpSettings, Notification, RuleRun
from stafett.notify.models import OutboxMessage
from stafett.relay import actions
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.notify.conftest import on_postgresql
from tests.relay.helpers import make_relay

from .conftest import at_once, evaluate


def open_state(world):
    """Every open break with the people told about it."""
    with scopes_disabled():
        state = {}
        for brk in Break.objects.filter(municipality=world.fjordvik, mended_at__isnull=True):
            state[(brk.rule, brk.object_type, brk.object_id)] = tuple(sorted(
                Notification.objects.filter(brk=brk).values_list("user__username", flat=True)))
        return state


def all_rows(world):
    with scopes_disabled():
        return (sorted(Break.objects.values_list("rule", "object_id", "opened_at", "mended_at")),
                sorted(Notification.objects.values_list("brk_id", "user_id")))


class Undo(Exception):
    pass


def from_scratch(world, moment):
    """The open breaks one run finds with no follow-up rows at all: what the
    rules say about this moment, whatever happened before. Rolled back."""
    try:
        with transaction.atomic():
            with scopes_disabled():
                Notification.objects.all().delete()
                Break.objects.all().delete()
                RuleRun.objects.all().delete()
            evaluate(world, moment)
            state = open_state(world)
            raise Undo
    except Undo:
        pass
    return state


def _situations(world):
    """A worry, a relay with a measure and a handover waiting, and a second
    relay whose consent ends in 20 days."""
    concern = make_concern(world)
    relay, parents = make_relay(world)
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        measure = actions.add_measure(
            nurse, relay, what="Søvndagbok", responsible_service=world.health_station, starts_on=today,
            deadline=today + dt.timedelta(days=20), evaluate_on=today + dt.timedelta(days=10))
        actions.request_handover(nurse, relay, to_user=world.other_employee, to_service=world.school,
                                 note="Skolen tar over.")
    other, other_parents = make_relay(world, name="Nils Nilsen")
    with scope(municipality=world.fjordvik):
        actions.give_consent(
            world.actor(world.health_nurse), other, guardians=other_parents, child_consents=False,
            services=[world.health_station], purpose="Samarbeid.", given_on=today,
            valid_until=today + dt.timedelta(days=50), method="digital")
    return concern, relay, measure, other


def test_every_run_agrees_with_a_run_from_scratch_around_the_thresholds(world, clock):
    concern, relay, measure, other = _situations(world)
    # Just before and just after each threshold (handover 7, evaluation 10,
    # worry 14, consent warning 20, deadline 20, holder 30, relay 45 days).
    days = [0, 6.9, 7.1, 10.1, 11.1, 13.9, 14.1, 19.9, 20.1, 21.1, 22, 29.9, 30.1, 31, 44.9, 45.1, 46, 47]
    seen = set()
    for day in days:
        moment = clock.at(day)
        clock.set(moment)
        if day == 22:  # an evaluation after the deadline mends both measure breaks
            with scope(municipality=world.fjordvik):
                actions.record_evaluation(world.actor(world.health_nurse), relay, what_happened="Bedre.",
                                          conclusion="Fortsetter.", measure=measure)
        if day == 31:  # a note by the holder; the worry is closed; the nurse leaves
            with scope(municipality=world.fjordvik):
                actions.add_entry(world.actor(world.health_nurse), relay, kind="note", text="Samtale.")
                concern_actions.close_concern(world.actor(world.teacher), concern, version=concern.version,
                                              reason="Avklart.")
        if day == 46:
            with scopes_disabled():
                Membership.objects.filter(user=world.health_nurse).update(active=False)
        if day == 47:
            with scopes_disabled():
                Membership.objects.filter(user=world.health_nurse).update(active=True)
        evaluate(world, moment)
        state = open_state(world)
        scratch = from_scratch(world, moment)
        assert set(state) == set(scratch), f"day {day}"
        if day < 46:  # who is told is fixed when a break opens (then the nurse left)
            assert state == scratch, f"day {day}"
        seen |= {rule for rule, _, _ in state}
        if day == 13.9:
            assert ("concern_idle", "concern", concern.pk) not in state
        if day == 14.1:
            assert state[("concern_idle", "concern", concern.pk)] == ("kari",)
        if day == 6.9:
            assert not any(rule == "handover_pending" for rule, _, _ in state)
        if day == 7.1:
            assert [k for k in state if k[0] == "handover_pending"]
        if day == 44.9:
            assert ("relay_idle", "relay", other.pk) not in state
        if day == 45.1:
            assert ("relay_idle", "relay", other.pk) in state
    assert seen >= {"concern_idle", "handover_pending", "evaluation_overdue", "measure_overdue",
                    "consent_expiring", "holder_inactive", "relay_idle", "holder_gone"}
    # Nobody was told twice about one break.
    with scopes_disabled():
        pairs = list(Notification.objects.values_list("brk_id", "user_id"))
    assert len(pairs) == len(set(pairs))


def test_a_second_run_with_nothing_changed_writes_nothing(world, clock):
    _situations(world)
    evaluate(world, clock.at(40))
    before = all_rows(world)
    with scopes_disabled():
        outbox = OutboxMessage.objects.count()
    with CaptureQueriesContext(connection) as queries:
        totals = evaluate(world, clock.at(40.01))
    assert totals == {"opened": 0, "mended": 0}
    assert all_rows(world) == before
    with scopes_disabled():
        assert OutboxMessage.objects.count() == outbox
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    # Only the run's own bookkeeping (the lease, the watermark).
    assert writes and all('"followup_rulerun"' in sql for sql in writes)
    assert len(queries) <= 10


def test_a_run_that_dies_half_way_is_finished_by_the_next(world, clock, monkeypatch):
    for i in range(3):
        make_concern(world, name=f"Barn {i}", serial=i + 1)
        make_relay(world, name=f"Barn {i}")
    moment = clock.at(60)
    expected = from_scratch(world, moment)
    monkeypatch.setattr(engine, "BATCH", 2)
    real = engine._open_batch
    calls = []

    def dies_on_the_third_batch(*args):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(*args)

    monkeypatch.setattr(engine, "_open_batch", dies_on_the_third_batch)
    with pytest.raises(SystemExit):
        evaluate(world, moment)
    half = open_state(world)
    assert 0 < len(half) < len(expected)
    assert all(key in expected for key in half)  # whole batches: each break with its notifications
    # The lease was let go: the next run does not wait for it to expire.
    with scopes_disabled():
        assert RuleRun.objects.get(municipality=world.fjordvik).lease_until is None
    monkeypatch.setattr(engine, "_open_batch", real)
    evaluate(world, clock.at(60.1))
    assert open_state(world) == expected


def test_a_worker_that_writes_late_adds_nothing(world, clock):
    """Worker A reads, worker B runs all the way, then A writes what it read:
    the unique constraints and "notify only a break nobody has told" leave
    B's result alone."""
    _situations(world)
    moment = clock.at(40)
    with scopes_disabled():
        conf = engine.settings_for(world.fjordvik)
        plan = engine.detect([world.fjordvik.pk], moment, conf)
    assert plan.open[world.fjordvik.pk]
    evaluate(world, clock.at(40.01))
    after_b = all_rows(world)
    with scope(municipality=world.fjordvik):
        totals = engine.apply(world.fjordvik, moment, plan)
    assert totals == {"opened": 0, "mended": 0}
    assert all_rows(world) == after_b


def test_a_municipality_another_worker_holds_is_left_until_its_lease_runs_out(world, clock):
    make_concern(world)
    with scopes_disabled():
        FollowUpSettings.objects.create(municipality=world.fjordvik)
        run = RuleRun.objects.create(municipality=world.fjordvik, lease_owner="other",
                                     lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    assert evaluate(world, clock.at(20)) == {"opened": 0, "mended": 0, "skipped": 1}
    assert open_state(world) == {}
    with scopes_disabled():
        run.lease_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # the other worker died
        run.save()
    assert evaluate(world, clock.at(20))["opened"] == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_three_workers_at_once_open_each_break_once(world, clock):
    _situations(world)
    moment = clock.at(40)
    expected = from_scratch(world, moment)
    totals, errors = at_once(3, lambda: engine.run_rules(moment))
    assert errors == []
    assert open_state(world) == expected
    assert sum(t["opened"] for t in totals) == len(expected)
    with scopes_disabled():
        pairs = list(Notification.objects.values_list("brk_id", "user_id"))
    assert len(pairs) == len(set(pairs))
