"""Follow-up breaks: rules find what has fallen between chairs (a worry left
in the drawer, a handover nobody accepted, a consent running out …), a
`Break` records each one while it lasts, and a `Notification` tells the person
who can act — exactly once per break. The daily e-mail digest is an outbox
message of stafett.notify (see engine.prepare_digests).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class Rule(models.TextChoices):
    CONCERN_IDLE = "concern_idle", _("A worry on level 0 has had no activity for too long")
    HOLDER_INACTIVE = "holder_inactive", _("The holder of a relay has written nothing for too long")
    HOLDER_GONE = "holder_gone", _("The holder of a relay has left the service or lost access")
    HANDOVER_PENDING = "handover_pending", _("A handover has not been accepted in time")
    EVALUATION_OVERDUE = "evaluation_overdue", _("A measure's evaluation date has passed without an evaluation")
    MEASURE_OVERDUE = "measure_overdue", _("A measure is past its deadline and not evaluated")
    CONSENT_EXPIRING = "consent_expiring", _("The consent for a relay expires soon or has expired")
    RELAY_IDLE = "relay_idle", _("A relay has had no activity for too long")
    TRANSITION = "transition", _("A child is about to change school while the receiving service is not taking part")
    REPORT_UNDELIVERED = "report_undelivered", _("A report of concern has not reached the child welfare service within a day")


class FollowUpSettings(models.Model):
    """The municipality's thresholds, in days. Created with the defaults the
    first time the rules run."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT)
    concern_idle_days = models.PositiveSmallIntegerField(_("worry idle on level 0 (days)"), default=14)
    holder_inactive_days = models.PositiveSmallIntegerField(_("holder inactive (days)"), default=30)
    handover_days = models.PositiveSmallIntegerField(_("handover not accepted (days)"), default=7)
    consent_warning_days = models.PositiveSmallIntegerField(_("warn before consent expires (days)"), default=30)
    relay_idle_days = models.PositiveSmallIntegerField(_("relay without activity (days)"), default=45)
    transition_days = models.PositiveSmallIntegerField(_("warn before a transition (days)"), default=90)

    objects = ScopedManager(municipality="municipality")

    def __str__(self):
        return f"FollowUpSettings({self.municipality_id})"


class Break(models.Model):
    """One follow-up break while it lasts: opened when a rule first finds it,
    mended when the rule no longer does."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    rule = models.CharField(max_length=30, choices=Rule.choices)
    # The object the rule found (concern, relay, handover, measure).
    object_type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    # Where it belongs, for links (through the policy) and per-service counts.
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    relay = models.ForeignKey("relay.Relay", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    mended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_type", "object_id"], condition=models.Q(mended_at__isnull=True),
                name="followup_one_open_break_per_object",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "mended_at", "service"]),
            # The engine's comparisons: a municipality's open breaks of one rule.
            models.Index(fields=["municipality", "rule", "object_id"], condition=models.Q(mended_at__isnull=True),
                         name="followup_open_break_rule"),
        ]

    def __str__(self):
        return f"{self.rule} {self.object_type}#{self.object_id}"

    @property
    def is_open(self) -> bool:
        return self.mended_at is None


class RuleRun(models.Model):
    """The rules' bookkeeping per municipality (docs/followup.md): a lease so
    that two workers do not evaluate one municipality at once, and the
    moment of the last completed run (the watermark for what changed since)."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT)
    # The `now` the last completed run was evaluated at.
    last_run_at = models.DateTimeField(null=True, blank=True)
    # Consents recorded from this moment on are looked at by the next run
    # (the last run's `now` less an overlap); empty before the first run.
    watermark = models.DateTimeField(null=True, blank=True)
    # Wall-clock time the current claim expires (a worker that died lets go
    # by itself); empty when nobody holds it.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=40, blank=True)

    objects = ScopedManager(municipality="municipality")

    def __str__(self):
        return f"RuleRun({self.municipality_id})"


class Notification(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    brk = models.ForeignKey(Break, on_delete=models.PROTECT, related_name="notifications",
                            db_column="break_id")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followup_notifications")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["brk", "user"], name="followup_one_notification_per_break")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]
