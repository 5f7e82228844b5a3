"""One child, one record (docs/one-child.md), part 2: rows of one municipality
with the same identity number become the oldest (worries, relays and guardians
move to it; the others are deleted and their ids kept in `merged_ids`).

A child whose rows each have an open relay is not merged: merging would give
it two open relays. Its younger rows are marked `duplicate_of` the oldest and
`manage.py duplicate_children` lists them by id. Rows without a number that
share a name and date are only marked, never merged: a name is not proof.
Worries and relays keep the name they show (concerns 0002, relay 0003)."""

from django.db import migrations


def merge(apps, schema_editor):
    from stafett.concerns.children import merge_duplicates

    merge_duplicates((
        apps.get_model("concerns", "Child"),
        apps.get_model("concerns", "Concern"),
        apps.get_model("relay", "Relay"),
        apps.get_model("relay", "Guardian"),
    ))


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0002_child_matching'),
        ('relay', '0004_child_name_inclusion_request'),
    ]

    operations = [
        # Nothing to undo on the way back: the merged rows are gone, and the
        # worries and relays that moved keep the names they show.
        migrations.RunPython(merge, migrations.RunPython.noop),
    ]
