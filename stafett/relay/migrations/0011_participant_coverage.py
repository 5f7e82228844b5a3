"""Participant.covered_until: whether the consent in force covers a
participation, kept by the database (docs/access-and-consent.md).

Who sees a relay through a participation asked, for each of the person's
participations, for the relay's consent and then for its services: three
index lookups a participation, 1.9 ms of a participant's list of 590. The
answer changes only when a consent, a consent's services or a participation
is written, so it is written then, by triggers in the same transaction,
whatever does the writing (an action, the admin, a data migration, a test's
fixture). What changes with time (expiry) and with the person (membership)
is still asked on every read: covered now is covered_until >= today, in a
service the person is an active member of.

On PostgreSQL a participation's trigger locks its relay FOR SHARE and a
consent's trigger FOR NO KEY UPDATE, which conflict: a participation added
while another transaction changes the relay's consent waits for it, and
then reads the consent as committed (each statement of a trigger function
takes a new snapshot under READ COMMITTED). SQLite has one writer at a time.
Beware on SQLite: a migration that rebuilds one of the three tables (most
AlterFields do) drops its triggers; tests/relay/test_coverage.py fails if
they are gone.
"""

from django.db import migrations, models

# The end date of the relay's open consent when it covers the participation
# `p`'s service (at most one open consent per relay, by constraint).
COVERAGE = """(SELECT MAX(c.valid_until) FROM relay_consent c
    JOIN relay_consent_services s ON s.consent_id = c.id
    WHERE c.relay_id = {p}.relay_id AND s.service_id = {p}.service_id
      AND c.withdrawn_at IS NULL AND c.superseded_at IS NULL)"""
BACKFILL = f"UPDATE relay_participant SET covered_until = {COVERAGE.format(p='relay_participant')}"

PG_FORWARD = f"""
CREATE FUNCTION relay_participant_coverage() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM relay_relay WHERE id = NEW.relay_id FOR SHARE;
    NEW.covered_until := {COVERAGE.format(p='NEW')};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER relay_participant_coverage
    BEFORE INSERT OR UPDATE ON relay_participant
    FOR EACH ROW EXECUTE FUNCTION relay_participant_coverage();

-- Every participation of the relays a consent (or its services) belongs to
-- is written again: its own trigger works its coverage out.
CREATE FUNCTION relay_coverage_of_relays(relay_ids bigint[]) RETURNS void AS $$
BEGIN
    PERFORM 1 FROM relay_relay WHERE id = ANY(relay_ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE relay_participant SET covered_until = NULL WHERE relay_id = ANY(relay_ids);
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION relay_consent_coverage() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM relay_coverage_of_relays(ARRAY[NEW.relay_id]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM relay_coverage_of_relays(ARRAY[OLD.relay_id]);
    ELSE
        PERFORM relay_coverage_of_relays(ARRAY[OLD.relay_id, NEW.relay_id]);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER relay_consent_coverage
    AFTER INSERT OR DELETE OR UPDATE OF relay_id, valid_until, withdrawn_at, superseded_at
    ON relay_consent FOR EACH ROW EXECUTE FUNCTION relay_consent_coverage();

CREATE FUNCTION relay_consent_services_coverage() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM relay_coverage_of_relays(ARRAY(SELECT relay_id FROM relay_consent WHERE id = NEW.consent_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM relay_coverage_of_relays(ARRAY(SELECT relay_id FROM relay_consent WHERE id = OLD.consent_id));
    ELSE
        PERFORM relay_coverage_of_relays(ARRAY(
            SELECT relay_id FROM relay_consent WHERE id IN (OLD.consent_id, NEW.consent_id)));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER relay_consent_services_coverage
    AFTER INSERT OR DELETE OR UPDATE ON relay_consent_services
    FOR EACH ROW EXECUTE FUNCTION relay_consent_services_coverage();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS relay_consent_services_coverage ON relay_consent_services;
DROP TRIGGER IF EXISTS relay_consent_coverage ON relay_consent;
DROP TRIGGER IF EXISTS relay_participant_coverage ON relay_participant;
DROP FUNCTION IF EXISTS relay_consent_services_coverage();
DROP FUNCTION IF EXISTS relay_consent_coverage();
DROP FUNCTION IF EXISTS relay_coverage_of_relays(bigint[]);
DROP FUNCTION IF EXISTS relay_participant_coverage();
"""


def _sqlite_refresh(where: str) -> str:
    return (f"UPDATE relay_participant SET covered_until = {COVERAGE.format(p='relay_participant')} "
            f"WHERE {where};")


# SQLite cannot assign NEW in a trigger: the row is updated after it is
# written (a trigger does not fire itself again while recursive_triggers is off,
# SQLite's default and Django's).
SQLITE_FORWARD = [
    f"""CREATE TRIGGER relay_participant_coverage_insert AFTER INSERT ON relay_participant
        BEGIN {_sqlite_refresh("id = NEW.id")} END;""",
    f"""CREATE TRIGGER relay_participant_coverage_update AFTER UPDATE ON relay_participant
        BEGIN {_sqlite_refresh("id = NEW.id")} END;""",
    f"""CREATE TRIGGER relay_consent_coverage_insert AFTER INSERT ON relay_consent
        BEGIN {_sqlite_refresh("relay_id = NEW.relay_id")} END;""",
    f"""CREATE TRIGGER relay_consent_coverage_update
        AFTER UPDATE OF relay_id, valid_until, withdrawn_at, superseded_at ON relay_consent
        BEGIN {_sqlite_refresh("relay_id IN (OLD.relay_id, NEW.relay_id)")} END;""",
    f"""CREATE TRIGGER relay_consent_coverage_delete AFTER DELETE ON relay_consent
        BEGIN {_sqlite_refresh("relay_id = OLD.relay_id")} END;""",
    f"""CREATE TRIGGER relay_consent_services_coverage_insert AFTER INSERT ON relay_consent_services
        BEGIN {_sqlite_refresh("relay_id = (SELECT relay_id FROM relay_consent WHERE id = NEW.consent_id)")} END;""",
    f"""CREATE TRIGGER relay_consent_services_coverage_update AFTER UPDATE ON relay_consent_services
        BEGIN {_sqlite_refresh(
            "relay_id IN (SELECT relay_id FROM relay_consent WHERE id IN (OLD.consent_id, NEW.consent_id))")} END;""",
    f"""CREATE TRIGGER relay_consent_services_coverage_delete AFTER DELETE ON relay_consent_services
        BEGIN {_sqlite_refresh("relay_id = (SELECT relay_id FROM relay_consent WHERE id = OLD.consent_id)")} END;""",
]
SQLITE_TRIGGERS = [statement.split()[2] for statement in SQLITE_FORWARD]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no coverage triggers for {vendor}")
    schema_editor.execute(BACKFILL)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):

    dependencies = [
        ('relay', '0010_entry_relay_served_by_timeline_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='covered_until',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveIndex(
            model_name='participant',
            name='participant_user_open',
        ),
        migrations.RemoveIndex(
            model_name='participant',
            name='participant_service_open',
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(condition=models.Q(('left_at__isnull', True)), fields=['user', 'relay'],
                               include=('municipality', 'service', 'covered_until'),
                               name='participant_user_open'),
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(condition=models.Q(('left_at__isnull', True)), fields=['service', 'relay'],
                               include=('municipality', 'user', 'covered_until'),
                               name='participant_service_open'),
        ),
    ]
