"""The newest consent is the consent: earlier open ones are marked superseded
(at the moment the next one was recorded), and at most one stays open per
relay. Handovers record who asked, and whether it was an appointment."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def supersede_older(apps, schema_editor):
    Consent = apps.get_model("relay", "Consent")
    open_by_relay = {}
    for consent in Consent.objects.filter(withdrawn_at__isnull=True).order_by(
        "relay_id", "recorded_at", "pk"
    ):
        open_by_relay.setdefault(consent.relay_id, []).append(consent)
    for consents in open_by_relay.values():
        for older, newer in zip(consents, consents[1:], strict=False):
            Consent.objects.filter(pk=older.pk).update(superseded_at=newer.recorded_at)


def requested_by_holder(apps, schema_editor):
    Handover = apps.get_model("relay", "Handover")
    Handover.objects.filter(requested_by__isnull=True).update(requested_by=models.F("from_user"))


class Migration(migrations.Migration):
    dependencies = [
        ("relay", "0002_entry_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="superseded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(supersede_older, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("superseded_at__isnull", True), ("withdrawn_at__isnull", True)),
                fields=("relay",),
                name="consent_one_open_per_relay",
            ),
        ),
        migrations.AddField(
            model_name="handover",
            name="kind",
            field=models.CharField(
                choices=[("handover", "handover"), ("appointment", "appointment of a new holder")],
                default="handover", max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="handover",
            name="requested_by",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(requested_by_holder, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="handover",
            name="requested_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
