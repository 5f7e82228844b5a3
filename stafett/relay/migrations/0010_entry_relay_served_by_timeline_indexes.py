import django.db.models.deletion
from django.db import migrations, models

# Entry.relay keeps its foreign key and loses only its own index: the
# timeline's two indexes start with the relay. Dropping the index alone (not
# AlterField, which drops and re-adds the constraint and so checks every
# entry again) is quick on a table of millions.
INDEX = "relay_entry_relay_id_a578a643"  # Django's name for it, the same on every backend


class Migration(migrations.Migration):

    dependencies = [
        ('relay', '0009_visibility_and_timeline_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='entry',
                    name='relay',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='entries', to='relay.relay'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "relay_entry" ("relay_id")'),
            ],
        ),
    ]
