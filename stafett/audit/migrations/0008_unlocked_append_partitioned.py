"""Append without a lock, seal later, partition by month (docs/audit.md).

- `row_hash` (the HMAC of a row's content) is written with the row; `seq`,
  `prev_hash` and `hash` become the seal, null until the sealer fills them.
  Rows written before keep their seal as it was (chained at insert; their
  `row_hash` is null) and the sealer continues each chain from its head.
- The unique (municipality, seq) becomes a plain index: a partitioned table
  cannot enforce it without `at`; verify_chain names a repeated seq instead.
- On PostgreSQL the table is rebuilt RANGE-partitioned on `at` (primary key
  (id, at)), with monthly partitions from its oldest row to three months
  ahead and a DEFAULT partition; the rows are moved across in one statement.
- The append-only triggers now let an UPDATE fill the seal once, from null,
  and change nothing else.
- AuditCheckpoint: where verification starts after old partitions were
  detached to the archive (stafett.audit.archive).

Not reversible on PostgreSQL (the partitioned table stays).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

from stafett.audit.partitions import TABLE, ensure_partitions, no_truncate_sql

# Every column but the seal: none of them may ever change.
CONTENT_COLUMNS = ["id", "municipality_id", "at", "actor_id", "action", "object_type",
                   "object_id", "item_type", "item_id", "child_id", "service_id",
                   "legal_basis", "row_hash"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    -- The sealer may fill the seal once, from null, and change nothing else.
    IF TG_OP = 'UPDATE'
       AND OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
       AND to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash']
           = to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash']
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = f"""
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON {TABLE};
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON {TABLE};
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""
_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT_COLUMNS)
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
       WHEN NOT (OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
                 AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
                 AND NEW.hash IS NOT NULL AND {_UNCHANGED})
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;""",
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;""",
]


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    model = apps.get_model("audit", "AuditEvent")
    old = f"{TABLE}_unpartitioned"
    execute = schema_editor.execute
    execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    execute(f"ALTER TABLE {old} RENAME CONSTRAINT {TABLE}_pkey TO {old}_pkey")
    execute(f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (at)")
    # PostgreSQL 15 has no identity columns on partitioned tables: a sequence.
    execute(f"CREATE SEQUENCE {TABLE}_id_seq_new")
    execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq_new')")
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(at) FROM {old}")
        oldest = cursor.fetchone()[0]
    ensure_partitions(since=oldest.date() if oldest else None, connection=connection)
    execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    execute(no_truncate_sql(f"{TABLE}_default"))
    execute(f"INSERT INTO {TABLE} SELECT * FROM {old}")
    # The foreign keys after the move: checked once by a scan, rather than
    # queued per row as deferred trigger events (which would then forbid the
    # CREATE INDEX below in the same transaction).
    for name in ("municipality", "actor", "service"):
        execute(schema_editor._create_fk_sql(model, model._meta.get_field(name),
                                             "_fk_%(to_table)s_%(to_column)s"))
    execute(f"SELECT setval('{TABLE}_id_seq_new', coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, "
            "false)")
    execute(f"DROP TABLE {old}")
    execute(f"ALTER SEQUENCE {TABLE}_id_seq_new RENAME TO {TABLE}_id_seq")
    execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")


def triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(PG_TRIGGERS)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_legal_bases_for_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="auditevent", name="audit_chain_seq"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_audit_municip_66b827_idx"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_child_at"),
        migrations.AlterField(
            model_name="auditevent", name="municipality",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT,
                                    to="tenancy.municipality"),
        ),
        migrations.AlterField(
            model_name="auditevent", name="actor",
            field=models.ForeignKey(db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(model_name="auditevent", name="row_hash",
                            field=models.CharField(max_length=64, null=True)),
        migrations.AlterField(model_name="auditevent", name="seq",
                              field=models.BigIntegerField(null=True)),
        migrations.AlterField(model_name="auditevent", name="prev_hash",
                              field=models.CharField(max_length=64, null=True)),
        migrations.AlterField(model_name="auditevent", name="hash",
                              field=models.CharField(max_length=64, null=True)),
        migrations.RunPython(partition),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["child_id", "at", "id"], name="audit_child_at")),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at")),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["municipality", "seq"], name="audit_chain_seq")),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["municipality", "id"], name="audit_unsealed",
                               condition=Q(seq__isnull=True))),
        migrations.RunPython(triggers),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("partition", models.CharField(max_length=63)),
                ("through_seq", models.BigIntegerField()),
                ("through_hash", models.CharField(max_length=64)),
                ("archived", models.JSONField(default=dict)),
                ("detached_at", models.DateTimeField()),
                ("municipality", models.ForeignKey(db_index=False,
                                                   on_delete=models.deletion.PROTECT,
                                                   to="tenancy.municipality")),
            ],
            options={"indexes": [models.Index(fields=["municipality", "through_seq"],
                                              name="audit_checkpoint")]},
        ),
    ]
