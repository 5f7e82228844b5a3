"""Appending takes no shared lock, and the sealer chains what commits, in
the order it finds it, once, however many sealers run (PostgreSQL: real
concurrent connections; SQLite serialises every writer anyway)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.audit import sealer
from stafett.audit.log import verify_chain
from stafett.audit.models import AuditChain
from tests.audit.helpers import append, events

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent writers need PostgreSQL; SQLite has one writer"),
]
WAIT = 10


class HeldOpen(threading.Thread):
    """A writer that appends in its own connection and keeps its transaction
    open until released: the long page whose row commits late."""

    def __init__(self, world):
        super().__init__(daemon=True)
        self.world, self.appended, self.release = world, threading.Event(), threading.Event()
        self.event = self.error = None

    def run(self):
        try:
            with transaction.atomic():
                self.event = append(self.world, child_id=1)[0]
                self.appended.set()
                assert self.release.wait(WAIT)
        except BaseException as error:  # noqa: BLE001 (reported to the test)
            self.error = error
            self.appended.set()
        finally:
            connections.close_all()

    def finish(self):
        self.release.set()
        self.join(WAIT)
        assert self.error is None


def _in_thread(work):
    """Run `work` in its own connection; return its result (or raise)."""
    out = {}

    def run():
        try:
            with scopes_disabled():
                out["result"] = work()
        except BaseException as error:  # noqa: BLE001
            out["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), "blocked"
    if "error" in out:
        raise out["error"]
    return out.get("result")


def test_a_second_writer_in_the_municipality_commits_while_the_first_is_open(world):
    first = HeldOpen(world)
    first.start()
    assert first.appended.wait(WAIT)
    # With a shared lock the second writer would wait for the first: "blocked".
    second = _in_thread(lambda: append(world, user=world.leader, child_id=2)[0])
    assert [e.pk for e in events(world.fjordvik)] == [second.pk]  # committed; first still open
    first.finish()
    assert {e.pk for e in events(world.fjordvik)} == {first.event.pk, second.pk}


def test_many_writers_in_one_municipality_at_once(world):
    barrier = threading.Barrier(4)

    def writer():
        barrier.wait(WAIT)
        for i in range(10):
            append(world, child_id=i)

    threads = [threading.Thread(target=lambda: _in_thread(writer)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 3)
    assert len(events(world.fjordvik)) == 40
    assert sealer.seal() == 40
    assert verify_chain(world.fjordvik.pk) is None


def test_the_sealer_seals_in_order_once(world):
    appended = [append(world, child_id=i)[0] for i in range(5)]
    assert sealer.seal(batch=2) == 5
    sealed = events(world.fjordvik)
    assert [(e.pk, e.seq) for e in sealed] == [(e.pk, n) for n, e in enumerate(appended, 1)]
    assert sealed[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in zip(sealed, sealed[1:], strict=False))
    assert sealer.seal() == 0  # idempotent
    assert events(world.fjordvik) == sealed
    assert [(e.seq, e.hash) for e in events(world.fjordvik)] == [(e.seq, e.hash) for e in sealed]
    with scopes_disabled():
        head = AuditChain.objects.get(municipality=world.fjordvik)
    assert (head.last_seq, head.last_hash) == (5, sealed[-1].hash)


def test_a_row_committed_after_a_later_row_was_sealed_is_sealed_next(world):
    late = HeldOpen(world)
    late.start()
    assert late.appended.wait(WAIT)
    early = append(world, child_id=2)[0]
    assert early.pk > late.event.pk
    assert _in_thread(sealer.seal) == 1
    late.finish()
    assert _in_thread(sealer.seal) == 1
    by_id = {e.pk: e.seq for e in events(world.fjordvik)}
    assert by_id == {early.pk: 1, late.event.pk: 2}  # the chain order is the sealing order
    assert verify_chain(world.fjordvik.pk) is None


def test_a_sealer_passes_a_chain_another_sealer_holds(world):
    append(world, n=3)
    sealer.seal(world.fjordvik.pk)  # creates the head
    append(world, n=3)
    locked, release = threading.Event(), threading.Event()

    def hold_head():
        with scopes_disabled(), transaction.atomic():
            AuditChain.objects.select_for_update().get(municipality=world.fjordvik)
            locked.set()
            release.wait(WAIT)
        connections.close_all()

    holder = threading.Thread(target=hold_head, daemon=True)
    holder.start()
    assert locked.wait(WAIT)
    assert _in_thread(sealer.seal) == 0  # did not wait for the lock
    release.set()
    holder.join(WAIT)
    assert sealer.seal() == 3
    assert verify_chain(world.fjordvik.pk) is None


def test_two_sealers_at_once_never_fork_a_chain(world):
    for _ in range(6):
        append(world, n=50)
        append(world, service=world.school, n=10)
    start = threading.Barrier(2)
    counts = []

    def seal():
        start.wait(WAIT)
        return sealer.seal(batch=7)

    threads = [threading.Thread(target=lambda: counts.append(_in_thread(seal))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 3)
    counts.append(sealer.seal())  # whatever one passed by while the other held it
    assert sum(counts) == 360
    assert sorted(e.seq for e in events(world.fjordvik)) == list(range(1, 361))
    assert verify_chain(world.fjordvik.pk) is None


def test_the_table_is_partitioned_by_month_and_partitions_are_made_ahead(world):
    from stafett.audit.partitions import ensure_partitions, is_partitioned, list_partitions

    assert is_partitioned()
    before = {name for name, _bounds in list_partitions()}
    assert "audit_auditevent_default" in before
    created = ensure_partitions(months_ahead=5)
    # This month (in UTC) and the five after it, worked out here: the test
    # database was migrated earlier, perhaps in the month before.
    today = timezone.now().astimezone(dt.UTC).date()
    wanted = set()
    for ahead in range(6):
        year, month = divmod(today.year * 12 + today.month - 1 + ahead, 12)
        wanted.add(f"audit_auditevent_p{year:04d}_{month + 1:02d}")
    after = {name for name, _bounds in list_partitions()}
    assert wanted <= after
    assert set(created) == after - before == wanted - before
    assert not ensure_partitions(months_ahead=5)
    event = append(world)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s",
                       [event.pk])
        assert cursor.fetchone()[0] == f"audit_auditevent_p{event.at:%Y_%m}"
