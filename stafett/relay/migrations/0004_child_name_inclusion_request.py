"""One child, one record (docs/one-child.md): each relay keeps the child as
whoever started it typed it (copied from its own Child row, which until now
was its alone), and a service that finds the child already coordinated asks
the holder to include it (InclusionRequest)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Relay = apps.get_model("relay", "Relay")
    for relay in Relay.objects.select_related("child").only(
        "pk", "child__name", "child__national_id"
    ).iterator():
        Relay.objects.filter(pk=relay.pk).update(
            child_name=relay.child.name, child_id_given=bool(relay.child.national_id)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0002_child_matching'),
        ('relay', '0003_consent_states_appointments'),
        ('tenancy', '0003_municipality_child_consent_age'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='relay',
            name='child_id_given',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='relay',
            name='child_name',
            field=models.CharField(default='', max_length=200, verbose_name="the child's name"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name='InclusionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('child_name', models.CharField(max_length=200, verbose_name="the child's name")),
                ('created_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('pending', 'the family will be asked'), ('accepted', 'the family consented'), ('declined', 'the family did not consent')], default='pending', max_length=10)),
                ('responded_at', models.DateTimeField(blank=True, null=True)),
                ('concern', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='inclusion_requests', to='concerns.concern')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='tenancy.municipality')),
                ('relay', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inclusion_requests', to='relay.relay')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.service')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
                'indexes': [models.Index(fields=['municipality', 'requested_by', 'created_at'], name='relay_inclu_municip_f77a64_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('relay', 'service'), name='inclusion_one_pending_per_service')],
            },
        ),
        # Last, after the schema changes (PostgreSQL refuses ALTER TABLE after
        # updates in the same transaction).
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
