from types import SimpleNamespace

from django.db import connection, transaction
from django_scopes import scopes_disabled

from stafett.audit.log import record, record_many
from stafett.audit.models import AuditEvent


def events(municipality=None):
    with scopes_disabled():
        rows = AuditEvent.objects.order_by("id")
        if municipality is not None:
            rows = rows.filter(municipality=municipality)
        return list(rows)


def append(world, user=None, service=None, n=1, child_id=7):
    """Append `n` events (one transaction, one INSERT) as an audited page
    does; returns them as written, in order."""
    service = service or world.kindergarten
    actor = SimpleNamespace(user=user or world.teacher)
    with scopes_disabled(), transaction.atomic():
        if n == 1:
            ids = [record(actor, "read", service, legal_basis="service_duty", child_id=child_id)]
        else:
            ids = record_many(actor, "list", [(service, child_id + i, None) for i in range(n)],
                              legal_basis="service_duty")
        return list(AuditEvent.objects.filter(pk__in=ids).order_by("id"))


def tamper(sql):
    """Change rows the way an attacker with database access would: around the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks queued in the test transaction would
            # otherwise forbid ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'audit_auditevent'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql)
            for _name, trigger_sql in triggers:
                cursor.execute(trigger_sql)
