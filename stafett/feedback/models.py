"""Feedback to leadership on how BTI works — the guide, a step, a tool,
cooperation — from employees and families, optionally anonymous.

An anonymous sender is not stored: they follow their feedback with a
tracking code shown once, of which only a hash is kept. The coordinator
answers with a status, and may link the feedback to the guide version that
changed because of it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class Feedback(models.Model):
    class Topic(models.TextChoices):
        GUIDE = "guide", _("the action guide")
        STEP = "step", _("a step in the guide")
        TOOL = "tool", _("a tool")
        COOPERATION = "cooperation", _("cooperation between services")
        SYSTEM = "system", _("Stafett itself")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        CONSIDERING = "considering", _("being considered")
        CHANGED = "changed", _("changed")
        NOT_CHANGED = "not_changed", _("not changed")

    class Origin(models.TextChoices):
        STAFF = "staff", _("employee")
        FAMILY = "family", _("family")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    topic = models.CharField(_("about"), max_length=20, choices=Topic.choices)
    # What it is about, when the topic names a part of the guide: a step as
    # "level.step" or a tool's key.
    subject = models.CharField(_("which part"), max_length=100, blank=True)
    text = models.TextField(_("your feedback"))
    # Null when sent anonymously; then only `tracking_hash` finds it again.
    sender = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The sender's service at the time (staff, not anonymous), for the leader.
    service = models.ForeignKey("tenancy.Service", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    tracking_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    guide = models.ForeignKey("guides.Guide", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("guide version"))
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "status", "created_at"], name="feedback_by_status"),
            models.Index(fields=["sender", "created_at"], name="feedback_by_sender"),
        ]

    def __str__(self):
        return self.text[:60]


class StatusChange(models.Model):
    """The feedback's history as the sender follows it."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=20, choices=Feedback.Status.choices)
    answer = models.TextField(blank=True)
    # The guide version linked with this change ("changed in version N").
    guide = models.ForeignKey("guides.Guide", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Who made the change (the coordinator); null for the sender's own
    # "received". Never shown to the sender.
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["at", "pk"]
