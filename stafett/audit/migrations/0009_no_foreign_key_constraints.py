"""The audit table keeps its foreign keys in Django but not in the database
(stafett.audit.models.AuditEvent: each row's deferred check locked the
municipality's row at commit).

On PostgreSQL the three constraints are dropped from the partitioned table
(and so from every partition). On SQLite they stay: dropping one there means
rebuilding the table, which would also drop its append-only triggers, and
SQLite serves only development and the tests.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = ("municipality", "actor", "service")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("audit", "AuditEvent")
    for name in FIELDS:
        column = model._meta.get_field(name).column
        for constraint in schema_editor._constraint_names(model, [column], foreign_key=True):
            schema_editor.execute(schema_editor._delete_fk_sql(model, constraint))


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("audit", "AuditEvent")  # the state before: with constraints
    for name in FIELDS:
        schema_editor.execute(schema_editor._create_fk_sql(
            model, model._meta.get_field(name), "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_unlocked_append_partitioned"),
        ("tenancy", "0004_organisation_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent", name="actor",
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to=settings.AUTH_USER_MODEL)),
                migrations.AlterField(
                    model_name="auditevent", name="municipality",
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False,
                        on_delete=django.db.models.deletion.PROTECT, to="tenancy.municipality")),
                migrations.AlterField(
                    model_name="auditevent", name="service",
                    field=models.ForeignKey(
                        blank=True, db_constraint=False, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="tenancy.service")),
            ],
        ),
    ]
