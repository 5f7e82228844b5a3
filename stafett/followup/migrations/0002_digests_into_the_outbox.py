"""The daily digest moves into stafett.notify's outbox.

Every Digest row becomes an outbox message with the same idempotence key
("digest:<user>:<day>"): one already sent stays sent (so today's digest is
not sent again after the upgrade), one not yet sent waits for the worker.
"""

from django.db import migrations


def digests_to_outbox(apps, schema_editor):
    Digest = apps.get_model("followup", "Digest")
    OutboxMessage = apps.get_model("notify", "OutboxMessage")
    rows = []
    for digest in Digest.objects.order_by("pk").iterator():
        day = digest.day.isoformat()
        rows.append(OutboxMessage(
            channel="email", recipient_id=digest.user_id, kind="digest",
            params={"day": day, "counts": digest.counts}, key=f"digest:{digest.user_id}:{day}",
            state="sent" if digest.sent_at else "pending", created_at=digest.created_at,
            available_at=digest.created_at, sent_at=digest.sent_at,
        ))
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def outbox_to_digests(apps, schema_editor):
    Digest = apps.get_model("followup", "Digest")
    OutboxMessage = apps.get_model("notify", "OutboxMessage")
    rows = []
    for message in OutboxMessage.objects.filter(kind="digest").order_by("pk").iterator():
        rows.append(Digest(
            user_id=message.recipient_id, day=message.params["day"],
            counts=message.params.get("counts", {}), created_at=message.created_at,
            sent_at=message.sent_at,
        ))
    Digest.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("followup", "0001_initial"),
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(digests_to_outbox, outbox_to_digests),
        migrations.RemoveConstraint(model_name="digest", name="followup_one_digest_per_day"),
        migrations.DeleteModel(name="Digest"),
    ]
