"""The audit trail: what is written, in which transaction, and that the
database refuses to change it (docs/audit.md)."""

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.audit import sealer
from stafett.audit.log import record, record_many
from tests.audit.helpers import append, events
from tests.concerns.helpers import make_concern


def test_viewing_a_worry_writes_exactly_one_read_event(world):
    concern = make_concern(world)
    before = len(events())
    response = world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 200
    new = events()[before:]
    assert [(e.action, e.object_type, e.object_id, e.actor_id) for e in new] == [
        ("read", "concern", concern.pk, world.teacher.pk)
    ]
    assert new[0].child_id == concern.child_id
    assert new[0].legal_basis == "service_duty"
    # Appended unsealed, with the HMAC of its content.
    assert new[0].seq is None and new[0].hash is None
    assert new[0].row_hash == new[0].compute_row_hash()


def test_refused_read_writes_no_event(world):
    concern = make_concern(world)
    before = len(events())
    response = world.client_for(world.colleague).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 404
    assert len(events()) == before


def test_events_hold_ids_not_values(world):
    concern = make_concern(world, name="Sensitiv Navnesen")
    sealer.seal()
    for event in events():
        values = [str(v) for v in event.__dict__.values()]
        assert not any("Sensitiv" in v or "sliten" in v.lower() for v in values)
    assert concern


def test_author_and_leader_see_the_access_history(world):
    concern = make_concern(world, shared=True)
    world.client_for(world.leader).get(reverse("concerns:detail", args=[concern.pk]))
    response = world.client_for(world.teacher).get(reverse("concerns:history", args=[concern.pk]))
    assert response.status_code == 200
    assert "Leif Styrersen" in response.content.decode()


def test_an_append_is_one_insert_and_nothing_else(world):
    actor = SimpleNamespace(user=world.teacher)
    with scopes_disabled(), transaction.atomic():
        with CaptureQueriesContext(connection) as one:
            first = record(actor, "read", world.kindergarten, legal_basis="service_duty", child_id=7)
        with CaptureQueriesContext(connection) as fifty:
            more = record_many(actor, "list", [(world.kindergarten, i, None) for i in range(50)],
                               legal_basis="service_duty")
    statements = [q["sql"] for q in one.captured_queries + fifty.captured_queries]
    assert len(statements) == 2
    # (A prepared statement is logged as "QUERY = '…' PARAMS = …".)
    assert all(s.removeprefix("QUERY = '").startswith('INSERT INTO "audit_auditevent"') for s in statements)
    # The ids returned are the rows written, in the order given.
    written = events()[-51:]
    assert [e.pk for e in written] == [first, *more]
    assert [e.child_id for e in written] == [7, *range(50)]
    assert all(e.row_hash == e.compute_row_hash() for e in written)


def test_each_row_keeps_its_own_values(world):
    """The constant columns go once per INSERT and the rest per row: a row's
    own service, item and missing child come back as written."""
    actor = SimpleNamespace(user=world.teacher)
    concern = make_concern(world)
    with scopes_disabled(), transaction.atomic():
        ids = record_many(actor, "list", [
            (concern, concern.child_id, None, world.kindergarten.pk),
            (concern, None, concern, None),
            (concern, 5, None),
        ], legal_basis="service_duty", service_id=world.school.pk)
    with scopes_disabled():
        written = {e.pk: e for e in events()}
    rows = [written[i] for i in ids]
    assert [(e.child_id, e.service_id, e.item_type, e.item_id) for e in rows] == [
        (concern.child_id, world.kindergarten.pk, "", None),
        (None, None, "concern", concern.pk),
        (5, world.school.pk, "", None),
    ]
    assert all(e.row_hash == e.compute_row_hash() and e.municipality_id == concern.municipality_id
               and e.actor_id == world.teacher.pk and e.action == "list" for e in rows)


def test_people_and_services_on_the_trail_cannot_be_deleted(world):
    """No foreign key constraint in the database (docs/audit.md), but Django
    still refuses to delete a person or service the trail names."""
    actor = SimpleNamespace(user=world.teacher)
    with scopes_disabled(), transaction.atomic():
        record(actor, "read", world.kindergarten, legal_basis="service_duty",
               service_id=world.kindergarten.pk)
    with scopes_disabled():
        for named in (world.teacher, world.kindergarten):
            with pytest.raises(ProtectedError) as refused:
                named.delete()
            assert "AuditEvent" in {type(o).__name__ for o in refused.value.protected_objects}


def test_rolled_back_action_leaves_no_event(world):
    before = len(events())
    with pytest.raises(ValueError), transaction.atomic():
        append(world)
        raise ValueError("the action fails after its audit row")
    assert len(events()) == before


def _execute(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize(("sealed", "sql"), [
    (False, "UPDATE audit_auditevent SET action = 'x' WHERE id = {id}"),
    # Filling the seal and changing the content at once.
    (False, "UPDATE audit_auditevent SET seq = 1, prev_hash = '', hash = 'h', child_id = 99 "
            "WHERE id = {id}"),
    (False, "UPDATE audit_auditevent SET seq = 1 WHERE id = {id}"),  # half a seal
    (False, "DELETE FROM audit_auditevent WHERE id = {id}"),
    (True, "UPDATE audit_auditevent SET action = 'x' WHERE id = {id}"),
    (True, "UPDATE audit_auditevent SET seq = 5 WHERE id = {id}"),
    (True, "UPDATE audit_auditevent SET hash = 'forged' WHERE id = {id}"),
    (True, "UPDATE audit_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = {id}"),
    (True, "DELETE FROM audit_auditevent WHERE id = {id}"),
])
def test_a_row_sealed_or_not_cannot_be_changed_or_deleted(world, sealed, sql):
    target = append(world)[0]
    if sealed:
        sealer.seal()
    with pytest.raises(DatabaseError):
        _execute(sql.format(id=target.pk))


def test_the_seal_may_be_filled_once_from_null(world):
    target = append(world)[0]
    _execute(f"UPDATE audit_auditevent SET seq = 1, prev_hash = '', hash = 'h' WHERE id = {target.pk}")
    with pytest.raises(DatabaseError):
        _execute(f"UPDATE audit_auditevent SET seq = 2, prev_hash = '', hash = 'h' "
                 f"WHERE id = {target.pk}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_the_table_and_on_a_partition(world):
    from stafett.audit.partitions import list_partitions

    append(world)
    with pytest.raises(DatabaseError):
        _execute("TRUNCATE audit_auditevent")
    name = list_partitions()[0][0]
    with pytest.raises(DatabaseError):
        _execute(f'TRUNCATE "{name}"')


def test_the_sealer_runs_as_a_command_and_as_periodic_work(world, capsys):
    from django.core.management import call_command

    from stafett.followup.tasks import PERIODIC

    append(world, n=3)
    call_command("seal_audit")
    assert "sealed 3 audit rows" in capsys.readouterr().out
    append(world)
    work = next(w for w in PERIODIC if w.name == "seal_audit")
    assert work.call()["sealed"] == 1
    assert all(e.seq is not None for e in events())
