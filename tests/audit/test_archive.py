"""Detaching an old month for the archive leaves a live chain that still
verifies, from a checkpoint (PostgreSQL: the table is partitioned there)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.audit import sealer
from stafett.audit.archive import ArchiveError, detach
from stafett.audit.log import verify_chain
from stafett.audit.models import AuditCheckpoint, AuditEvent
from stafett.audit.partitions import ensure_partitions, partition_name
from tests.audit.helpers import append, events, tamper

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="partitions are PostgreSQL's")


def _old(world, at, child_id):
    """A row written at `at`, as record() writes it."""
    event = AuditEvent(municipality=world.fjordvik, at=at, actor=world.teacher, action="read",
                       object_type="service", object_id=world.kindergarten.pk, child_id=child_id,
                       legal_basis="service_duty")
    event.row_hash = event.compute_row_hash()
    with scopes_disabled():
        AuditEvent.objects.bulk_create([event])
    return event


@pytest.fixture
def old_month():
    month = (timezone.now() - dt.timedelta(days=70)).date().replace(day=1)
    ensure_partitions(since=month)
    with connection.cursor() as cursor:  # ALTER TABLE needs no pending FK checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return month


def test_a_detached_month_leaves_a_chain_that_verifies(world, old_month):
    at = dt.datetime.combine(old_month, dt.time(12), dt.UTC)
    _old(world, at, 1)
    _old(world, at, 2)
    now_row = append(world, child_id=3)[0]
    sealer.seal()
    # The boundary case: a row of the old month sealed after a row of this one.
    _old(world, at + dt.timedelta(days=27), 4)
    sealer.seal()
    assert verify_chain(world.fjordvik.pk) is None

    call_command("audit_partitions", detach=partition_name(old_month))
    assert [e.pk for e in events(world.fjordvik)] == [now_row.pk]
    with scopes_disabled():
        checkpoint = AuditCheckpoint.objects.get(municipality=world.fjordvik)
    assert checkpoint.through_seq == 2 and list(checkpoint.archived) == ["4"]
    assert verify_chain(world.fjordvik.pk) is None
    append(world, child_id=5)
    assert sealer.seal() == 1
    assert verify_chain(world.fjordvik.pk) is None

    tamper(f"DELETE FROM audit_auditevent WHERE id = {now_row.pk}")
    assert verify_chain(world.fjordvik.pk)[1:] == (5, "expected seq 3: a sealed row is missing")


def test_a_month_with_unsealed_rows_is_not_detached(world, old_month):
    _old(world, dt.datetime.combine(old_month, dt.time(12), dt.UTC), 1)
    with pytest.raises(ArchiveError):
        detach(partition_name(old_month))
    with pytest.raises(CommandError):
        call_command("audit_partitions", detach="audit_auditevent_default")
