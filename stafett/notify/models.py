"""Notices (in the app) and the outbox (everything that leaves the app).

A `Notice` tells one person, in one municipality, that something happened to
a relay or a worry. It holds the kind (a code), ids and a few codes: never a
child's name or any free text, so showing a notice needs no policy check.

An `OutboxMessage` is one delivery to the outside world: an e-mail, or a
record (a report of concern, an arkivmelding) for another system. It is written in the same transaction as
the action that causes it and delivered by a worker after commit, claimed
first so that no two workers and no crash ever deliver it twice
(see `stafett.notify.outbox` and docs/notifications.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class Notice(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    # What it is about: a relay or a worry, as type and id (the link target).
    object_type = models.CharField(max_length=20, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Codes and ids only (checked by `tell`).
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The list page and the badge: one person's notices in one municipality.
            models.Index(fields=["recipient", "municipality", "read_at"]),
            models.Index(fields=["recipient", "municipality", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} → user#{self.recipient_id}"


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("claimed by a worker")
        SENT = "sent", _("sent")
        UNCERTAIN = "uncertain", _("uncertain: may or may not have been delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    # Set when the message belongs to one municipality (a notice); empty for
    # a person's daily digest, which covers every municipality they work in
    # (one e-mail, not one per municipality).
    municipality = models.ForeignKey(
        "tenancy.Municipality", null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(max_length=20)
    # The person told; empty for a record sent to another system (a report
    # of concern, an arkivmelding), whose channel finds its receiver itself.
    recipient = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    # Idempotence: one row per thing to deliver ("notice:<id>",
    # "digest:<user>:<day>"); writing it twice is a no-op.
    key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField()
    # Not before this moment (backoff after a refused attempt).
    available_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [models.Index(fields=["state", "available_at"])]

    def __str__(self):
        return f"{self.key} ({self.state})"
