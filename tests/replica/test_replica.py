"""Reads that may be stale go to a real streaming replica; fresh reads do not.

Each test runs against the pair conftest.py starts: `default` is its
primary, `replica` a hot standby streaming from it. Pausing the standby's
replay (`pg_wal_replay_pause()`) makes a row written on the primary invisible
there, which tells, for each read, which server answered it.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.accounts.models import User
from stafett.audit.models import AuditEvent
from stafett.concerns.models import Child
from stafett.lib.replica import REPLICA, forget_replica_health, stale_connection, stale_reads_ok
from stafett.relay.models import Relay
from stafett.tenancy.models import Membership
from tests.accounts.helpers import password_login
from tests.conftest import _user, nb
from tests.relay.helpers import make_relay
from tests.surveys.helpers import answer, open_wave

from .conftest import scalar, wait_for_replay

pytestmark = [
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="streaming replication is PostgreSQL's; this run uses SQLite"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]

LEADERSHIP = "/ledelse/"


def _tables(queries) -> set[str]:
    """The Stafett tables a list of captured queries read."""
    names = set()
    for q in queries:
        for word in q["sql"].replace('"', " ").replace(",", " ").split():
            if "_" in word and word.split("_")[0] in {"relay", "concerns", "surveys", "tenancy",
                                                         "accounts", "django", "audit", "followup", "insights"}:
                names.add(word.split(".")[0])
    return names


def test_the_replica_is_a_hot_standby_streaming_from_the_primary(replica_pair):
    assert scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert scalar("default", "SELECT pg_is_in_recovery()") is False
    assert scalar("default", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1
    with pytest.raises(Exception, match="read-only"):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("CREATE TABLE nope (id int)")


def test_an_aggregate_read_is_served_by_the_replica_and_a_fresh_read_by_the_primary(
        world, paused_replay):
    """Replay paused: a relay started now is on the primary only."""
    relay, _parents = make_relay(world, name="Etter Pausen")
    with scope(municipality=world.fjordvik):
        assert Relay.objects.filter(pk=relay.pk).exists()  # a plain read: the primary
        with stale_reads_ok():
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                assert not Relay.objects.filter(pk=relay.pk).exists()  # the replica has not seen it
                assert not Child.objects.filter(pk=relay.child_id).exists()
            assert len(on_replica.captured_queries) == 2
            # Fresh whatever the block says: login, access, audit.
            assert User.objects.filter(pk=world.health_nurse.pk).exists()
            assert Membership.objects.filter(user=world.health_nurse).exists()
    # The audit rows of the new relay, read inside a block, come from the primary.
    with scopes_disabled(), stale_reads_ok(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert AuditEvent.objects.count() == scalar("default", "SELECT count(*) FROM audit_auditevent")
    assert on_replica.captured_queries == []


def test_a_persons_own_write_inside_the_block_is_read_back_from_the_primary(world, paused_replay):
    with scope(municipality=world.fjordvik), stale_reads_ok():
        assert Relay.objects.count() == 0  # the replica: nothing yet, and it knows no more
        assert stale_connection().alias == REPLICA  # raw SQL too
        with stale_reads_ok():
            user = _user("ny", "Ny", "Leder")
        # After a write in the block (a nested one too), every read of the
        # block is the primary's: the person reads back what they wrote.
        assert stale_connection().alias == "default"
        assert User.objects.filter(pk=user.pk).exists()
        relay, _ = make_relay(world, name="Egen Skriving")
        assert Relay.objects.filter(pk=relay.pk).exists()


def test_inside_a_transaction_on_the_primary_reads_and_locks_stay_there(world, paused_replay):
    relay, _ = make_relay(world, name="I Transaksjonen")
    with scope(municipality=world.fjordvik), transaction.atomic(), stale_reads_ok():
        # A standby refuses row locks; the transaction must see one database.
        locked = Relay.objects.select_for_update().get(pk=relay.pk)
        assert locked.pk == relay.pk
        assert Relay.objects.filter(pk=relay.pk).exists()


def test_the_leadership_view_reads_aggregates_from_the_replica(world, paused_replay):
    """A leader who became one after the pause logs in and opens the view:
    the login, the session, the actor and the access check see the primary
    (on the replica the person does not exist yet), the figures the replica."""
    with scopes_disabled():
        newcomer = _user("nyleder", "Nora", "Nyledersen")
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=newcomer, role="leader")
    make_relay(world, name="Etter Pausen")
    client = Client()
    assert password_login(client, newcomer).status_code == 302
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get(LEADERSHIP)
    assert response.status_code == 200
    read_on_replica, read_on_primary = _tables(on_replica), _tables(on_primary)
    assert {"relay_relay", "concerns_concern"} <= read_on_replica
    assert {"django_session", "accounts_user", "tenancy_membership"} <= read_on_primary
    assert not read_on_replica & {"django_session", "accounts_user", "tenancy_membership"}
    # The exports are the snapshot the page's count just stored (read on the
    # primary, where it was written): nobody's relays are counted again.
    for path in ("ledelse.csv", "ledelse.xlsx"):
        with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            response = client.get(LEADERSHIP + path)
            assert response.status_code == 200
            b"".join(response.streaming_content)  # streamed: written as it is read
        assert "insights_snapshotview" in _tables(on_primary)
        assert "relay_relay" not in _tables(on_replica) | _tables(on_primary)


def _open_relays_now(client) -> str:
    """The leadership CSV's figure of open relays now, as the leader reads it."""
    rows = csv.reader(io.StringIO(client.get(LEADERSHIP + "ledelse.csv").getvalue().decode()))
    label = nb("Open relays, all levels")
    return next(row for row in rows if row and row[0] == label)[-1]


def test_the_leadership_export_shows_the_replicas_figures_until_it_replays_and_is_counted(
        world, replica_pair):
    for i in range(6):
        make_relay(world, name=f"Barn Foer{i}")
    wait_for_replay()
    client = world.client_for(world.coordinator)
    scalar(REPLICA, "SELECT pg_wal_replay_pause()")
    try:
        for i in range(6):
            make_relay(world, name=f"Barn Etter{i}")
        assert _open_relays_now(client) == "6"  # the replica's figure: the last six not replayed
    finally:
        scalar(REPLICA, "SELECT pg_wal_replay_resume()")
    wait_for_replay()
    assert _open_relays_now(client) == "6"  # the snapshot stands until it is counted again
    call_command("refresh_insights", world.fjordvik.number)  # the worker's refresh, on the replica
    assert _open_relays_now(client) == "12"


def test_survey_results_and_their_export_read_the_replica(world, replica_pair):
    wave = open_wave(world, [world.kindergarten])
    answer(world, world.teacher, wave)
    wait_for_replay()
    client = world.client_for(world.coordinator)
    for name in ("surveys:results", "surveys:results_csv"):
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert client.get(reverse(name, args=[wave.pk])).status_code == 200
        assert "surveys_answer" in _tables(on_replica)


@override_settings(STAFETT_REPLICA_MAX_LAG=0.0)
def test_a_replica_that_lags_too_far_is_not_read(world, paused_replay):
    for i in range(6):
        make_relay(world, name=f"Etter Pausen{i}")  # the replica now lags behind the primary
    forget_replica_health()
    client = world.client_for(world.coordinator)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(LEADERSHIP)
    assert response.status_code == 200
    # One query asked how far behind it is; none read from it.
    assert len(on_replica.captured_queries) == 1
    assert "pg_last_wal_replay_lsn" in on_replica.captured_queries[0]["sql"]
    assert _open_relays_now(client) == "6"  # the primary's figure (the replica has none of them)


def test_a_replica_that_is_down_is_not_read_and_the_page_still_works(world, replica_pair):
    make_relay(world, name="Replikaen Nede")
    client = world.client_for(world.coordinator)
    connections[REPLICA].close()
    replica_pair._pg_ctl(replica_pair.replica_dir, "stop")
    try:
        forget_replica_health()
        read = []
        for _ in range(2):  # and again, on the kept verdict
            with CaptureQueriesContext(connections["default"]) as on_primary:
                response = client.get(LEADERSHIP)
            assert response.status_code == 200
            read.append(_tables(on_primary))
        # The first visit counts (no snapshot yet) on the primary; the second
        # reads the snapshot it stored.
        assert "relay_relay" in read[0]
        assert "insights_snapshotview" in read[1] and "relay_relay" not in read[1]
    finally:
        replica_pair._pg_ctl(replica_pair.replica_dir, "start")
        connections[REPLICA].close()
        forget_replica_health()
    wait_for_replay()


def test_migrations_never_run_on_the_replica(replica_pair):
    for app_label in ("relay", "audit", "sessions", "tenancy"):
        assert router.allow_migrate(REPLICA, app_label) is False
        assert router.allow_migrate("default", app_label) is True
    # `migrate` with the replica configured touches only the primary (a DDL
    # statement on the standby would fail: it is read-only)...
    call_command("migrate", verbosity=0, interactive=False)
    wait_for_replay()
    # Asked to migrate the replica itself, Django applies nothing there.
    call_command("migrate", database=REPLICA, verbosity=0, interactive=False)
    # ...and the replica has the primary's schema by streaming alone.
    sql = "SELECT count(*), max(id) FROM django_migrations"
    with connections["default"].cursor() as p, connections[REPLICA].cursor() as r:
        p.execute(sql)
        r.execute(sql)
        assert p.fetchone() == r.fetchone()
