import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.audit.models import AuditEvent
from tests.concerns.helpers import make_concern


def _events():
    with scopes_disabled():
        return list(AuditEvent.objects.order_by("municipality_id", "seq"))


def test_viewing_a_worry_writes_exactly_one_read_event(world):
    concern = make_concern(world)
    before = len(_events())
    response = world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 200
    new = _events()[before:]
    assert [(e.action, e.object_type, e.object_id, e.actor_id) for e in new] == [
        ("read", "concern", concern.pk, world.teacher.pk)
    ]
    assert new[0].child_id == concern.child_id
    assert new[0].legal_basis == "service_duty"


def test_refused_read_writes_no_event(world):
    concern = make_concern(world)
    before = len(_events())
    world.client_for(world.colleague).get(reverse("concerns:detail", args=[concern.pk]))
    assert len(_events()) == before


def test_events_hold_ids_not_values(world):
    concern = make_concern(world, name="Sensitiv Navnesen")
    for event in _events():
        values = [str(v) for v in event.__dict__.values()]
        assert not any("Sensitiv" in v or "sliten" in v.lower() for v in values)
    assert concern


def test_author_and_leader_see_the_access_history(world):
    concern = make_concern(world, shared=True)
    world.client_for(world.leader).get(reverse("concerns:detail", args=[concern.pk]))
    response = world.client_for(world.teacher).get(reverse("concerns:history", args=[concern.pk]))
    assert response.status_code == 200
    assert "Leif Styrersen" in response.content.decode()


def test_chain_verifies_and_names_the_altered_row(world, capsys):
    concern = make_concern(world, shared=True)
    world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    call_command("verify_audit")
    assert "BROKEN" not in capsys.readouterr().out
    target = _events()[1]
    _tamper(f"UPDATE audit_auditevent SET action = 'update' WHERE id = {target.pk}")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"seq {target.seq} (event id {target.pk})" in out


def test_append_only_in_the_database(world):
    make_concern(world)
    target = _events()[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE audit_auditevent SET action = 'x' WHERE id = {target.pk}")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {target.pk}")


def _tamper(sql):
    """Alter rows the way an attacker with database access would: around the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks queued in the test transaction would
            # otherwise forbid ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute(sql)
            cursor.execute(
                "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;"
            )
            cursor.execute(
                "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;"
            )


def test_deleted_row_is_detected(world, capsys):
    make_concern(world, shared=True)
    target = _events()[0]
    _tamper(f"DELETE FROM audit_auditevent WHERE id = {target.pk}")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "BROKEN at seq 2" in capsys.readouterr().out
