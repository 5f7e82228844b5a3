"""One child, one record (docs/one-child.md), part 1: the matching key on Child,
and on each worry the child as its author typed it.

Before this, every worry had its own Child row, so the row's name and number
are exactly what the worry's author typed: they are copied to the worry before
rows are merged (concerns 0003)."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models


def _name_key(name):
    # A frozen copy of stafett.lib.names.name_key as of this migration, so that
    # a later change to the live function cannot change what this step did.
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(" " if unicodedata.category(ch) == "Pd" else ch for ch in text)
    return " ".join(text.split())


def fill(apps, schema_editor):
    Child = apps.get_model("concerns", "Child")
    Concern = apps.get_model("concerns", "Concern")
    for child in Child.objects.only("pk", "name").iterator():
        Child.objects.filter(pk=child.pk).update(name_key=_name_key(child.name))
    for concern in Concern.objects.select_related("child").only(
        "pk", "child__name", "child__national_id"
    ).iterator():
        Concern.objects.filter(pk=concern.pk).update(
            child_name=concern.child.name, child_id_given=bool(concern.child.national_id)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='child',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='concerns.child'),
        ),
        migrations.AddField(
            model_name='child',
            name='merged_ids',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='child',
            name='name_key',
            field=models.CharField(default='', editable=False, max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='concern',
            name='child_id_given',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='concern',
            name='child_name',
            field=models.CharField(default='', max_length=200, verbose_name="the child's name"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
