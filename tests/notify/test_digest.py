"""The daily digest through the outbox: one per person and day whatever
runs or workers, each open break counted once, nothing about any child."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.followup import engine, tasks
from stafett.followup.models import Notification
from stafett.notify import outbox
from tests.concerns.helpers import make_concern
from tests.conftest import nb
from tests.followup.conftest import evaluate
from tests.relay.helpers import make_relay

from .conftest import on_postgresql, outbox_rows

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _by_recipient(smtp):
    return {m["to"]: f"{m['subject']}\n{m.get_content()}" for m in smtp.accepted}


def test_the_digest_lists_kinds_and_counts_without_personal_data(world, clock, smtp):
    concern = make_concern(world)
    relay, _ = make_relay(world, holder=None)
    evaluate(world, clock.at(400))
    engine.send_digests(clock.at(400))
    by_person = _by_recipient(smtp)
    assert set(by_person) >= {"kari@fjordvik.invalid", "helga@fjordvik.invalid"}
    text = by_person["helga@fjordvik.invalid"]
    assert nb("A relay has had no activity for too long") + ": 1" in text
    assert "/oppfolging/" in text
    with scopes_disabled():
        child, worry_child = relay.child, concern.child
    for secret in (child.name, "Ella", "Strandvik", worry_child.national_id,
                   f"/stafettlogg/{relay.pk}/", f"/bekymringer/{concern.pk}/"):
        assert secret not in text
    assert worry_child.national_id


def test_each_open_break_is_counted_once(world, clock, smtp):
    # Kari: two idle worries of her own (two breaks of one rule); Kasper: one.
    make_concern(world)
    make_concern(world, name="Nils Nilsen", serial=1)
    make_concern(world, author=world.colleague, name="Ola Olsen", serial=2)
    evaluate(world, clock.at(20))
    evaluate(world, clock.at(20.5))  # a second run opens nothing new
    engine.send_digests(clock.at(20.5))
    by_person = _by_recipient(smtp)
    idle = nb("A worry on level 0 has had no activity for too long")
    assert f"{idle}: 2" in by_person["kari@fjordvik.invalid"]
    assert f"{idle}: 1" in by_person["kasper@fjordvik.invalid"]
    digests = {m.recipient_id: m.params for m in outbox_rows(kind="digest")}
    assert digests[world.teacher.pk]["counts"] == {"concern_idle": 2}
    assert digests[world.colleague.pk]["counts"] == {"concern_idle": 1}


def test_read_and_mended_breaks_are_not_counted(world, clock, smtp):
    make_concern(world)
    make_concern(world, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(20))
    with scopes_disabled():
        first, second = Notification.objects.filter(user=world.teacher).order_by("pk")
        Notification.objects.filter(pk=first.pk).update(read_at=clock.at(20))
    assert engine.digest_counts()[world.teacher.pk] == {"concern_idle": 1}
    with scopes_disabled():
        Notification.objects.filter(pk=second.pk).update(read_at=clock.at(20))
    engine.send_digests(clock.at(20))
    assert smtp.received == []


def test_one_digest_per_person_and_day_over_several_runs(world, clock, smtp):
    make_concern(world)
    evaluate(world, clock.at(20))
    engine.send_digests(clock.at(20))
    make_concern(world, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(20.01))
    engine.send_digests(clock.at(20.02))  # the same day: nothing new
    assert [m["to"] for m in smtp.accepted] == ["kari@fjordvik.invalid"]
    (digest,) = outbox_rows(kind="digest")
    assert digest.state == "sent"
    assert digest.key == f"digest:{world.teacher.pk}:{timezone.localdate(clock.at(20))}"
    # the next day, a new digest
    engine.send_digests(clock.at(21))
    assert len(smtp.accepted) == 2


def test_two_workers_on_the_same_day_send_one_digest_each(world, clock, smtp):
    make_concern(world)
    make_concern(world, author=world.colleague, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(20))
    # two workers both prepare, then deliver in turns
    engine.prepare_digests(clock.at(20))
    engine.prepare_digests(clock.at(20.1))
    assert len(outbox_rows(kind="digest")) == 2
    for worker in ("worker-a", "worker-b", "worker-a", "worker-b"):
        outbox.deliver(worker, limit=1)
    assert sorted(m["to"] for m in smtp.accepted) == ["kari@fjordvik.invalid",
                                                      "kasper@fjordvik.invalid"]
    assert {m.claimed_by for m in outbox_rows(kind="digest")} == {"worker-a", "worker-b"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_digest_runs_send_one_digest_per_person(world, clock, smtp):
    make_concern(world)
    make_concern(world, author=world.colleague, name="Nils Nilsen", serial=1)
    evaluate(world, clock.at(20))
    start = threading.Barrier(3)
    errors = []

    def run():
        try:
            start.wait()
            engine.send_digests(clock.at(20))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(m["to"] for m in smtp.accepted) == ["kari@fjordvik.invalid",
                                                      "kasper@fjordvik.invalid"]
    assert len(outbox_rows(kind="digest")) == 2


def test_the_digest_is_in_the_recipients_language(world, clock, smtp):
    with scopes_disabled():
        world.teacher.preferred_language = "nn"
        world.teacher.save(update_fields=["preferred_language"])
    make_concern(world)
    evaluate(world, clock.at(20))
    engine.send_digests(clock.at(20))
    from django.utils import translation

    with translation.override("nn"):
        expected = translation.gettext("A worry on level 0 has had no activity for too long")
    assert expected in smtp.texts()[0]


@override_settings(TASKS=IMMEDIATE)
def test_the_tasks_and_the_command_run_rules_digest_and_sweep(world, clock, smtp):
    make_concern(world)
    clock.advance(days=20)
    assert tasks.run_rules.enqueue().return_value["opened"] == 1
    result = tasks.send_digests.enqueue().return_value
    assert result == {"prepared": 1, "sent": 1}
    call_command("run_followup")
    call_command("run_followup", "--now")
    assert len(smtp.accepted) == 1
