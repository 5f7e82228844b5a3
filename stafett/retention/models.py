"""Retention: how long each kind of record stays in Stafett, the legal holds
that stop deletion for one child, and the ledger of what was disposed of.

`RetentionSchedule` is the coordinator's, one row per municipality, one
period (in months) per rule; the defaults and their reasons are in the README
and docs/retention.md. `LegalHold` keeps everything about one child while a
complaint or a case elsewhere needs it. `Disposal` records every record the
worker deleted or anonymised (kind, id, rule, when): it is what makes the
worker resumable and idempotent, and holds no content.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL
MONTHS = [MaxValueValidator(1200)]


class Rule(models.TextChoices):
    """The rules, by code: the code is what the audit trail and the ledger
    record, and the name of the schedule's field is `<code>_months`."""

    CONCERN_CLOSED = "concern_closed", _("A closed worry with no further action")
    RELAY_ARCHIVED = "relay_archived", _("A closed relay after the archive's receipt")
    REPORT_ARCHIVED = "report_archived", _(
        "A report of concern after it was received and its case archived")
    CONSENT_SCAN = "consent_scan", _("A scanned consent form after the relay is archived")
    NOTICE = "notice", _("Notices in the app")
    OUTBOX = "outbox", _("Delivered or abandoned outgoing messages")
    FAMILY_ACCOUNT = "family_account", _("A family account no longer linked to any child")
    CHILD = "child", _("A child with no case left")


# The defaults (docs/retention.md says why each).
DEFAULT_MONTHS = {
    Rule.CONCERN_CLOSED: 12,
    Rule.RELAY_ARCHIVED: 3,
    Rule.REPORT_ARCHIVED: 3,
    Rule.CONSENT_SCAN: 1,
    Rule.NOTICE: 6,
    Rule.OUTBOX: 3,
    Rule.FAMILY_ACCOUNT: 12,
}


def _months(rule, label):
    return models.PositiveIntegerField(label, default=DEFAULT_MONTHS[rule], validators=MONTHS)


class RetentionSchedule(models.Model):
    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT,
                                        related_name="retention_schedule")
    concern_closed_months = _months(Rule.CONCERN_CLOSED, _("closed worry with no further action"))
    relay_archived_months = _months(Rule.RELAY_ARCHIVED, _("relay, after it is archived"))
    report_archived_months = _months(Rule.REPORT_ARCHIVED,
                                     _("report of concern, after it is received and archived"))
    consent_scan_months = _months(Rule.CONSENT_SCAN,
                                  _("scanned consent form, after the relay is archived"))
    notice_months = _months(Rule.NOTICE, _("notices in the app"))
    outbox_months = _months(Rule.OUTBOX, _("outgoing messages, after delivery"))
    family_account_months = _months(Rule.FAMILY_ACCOUNT,
                                    _("family account, after its last login"))
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    FIELDS = [f"{rule}_months" for rule in DEFAULT_MONTHS]

    def __str__(self):
        return f"retention schedule of {self.municipality}"

    def months(self, rule: str) -> int:
        return getattr(self, f"{rule}_months")


class LegalHold(models.Model):
    """Nothing about the child is deleted or anonymised while a hold is in
    force. The reason is a code (the audit trail holds it by the hold's id);
    a hold is lifted, never deleted, so its history stays."""

    class Reason(models.TextChoices):
        COMPLAINT = "complaint", _("A complaint about the case")
        CHILD_WELFARE = "child_welfare", _("A case at the child welfare service")
        ACCESS_REQUEST = "access_request", _("A request for access that is not yet answered")
        LEGAL = "legal", _("A case before a court or the county governor")

    class LiftReason(models.TextChoices):
        CONCLUDED = "concluded", _("The case is concluded")
        MISTAKE = "mistake", _("The hold was set by mistake")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    child = models.ForeignKey("concerns.Child", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.CharField(_("why it is lifted"), max_length=20, blank=True,
                                   choices=LiftReason.choices)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(lifted_at__isnull=True),
                                    name="legal_hold_one_per_child"),
        ]

    def __str__(self):
        return f"legal hold #{self.pk}"


class Disposal(models.Model):
    """One record deleted or anonymised by the worker. `kind` is the model's
    name, `object_id` its id, `rule` the rule it passed. Municipality is empty
    only for a family account, which belongs to none."""

    class Action(models.TextChoices):
        DELETED = "deleted", _("deleted")
        ANONYMISED = "anonymised", _("anonymised")

    municipality = models.ForeignKey("tenancy.Municipality", null=True, blank=True,
                                     on_delete=models.PROTECT)
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    rule = models.CharField(max_length=20, choices=Rule.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="disposal_once"),
        ]
        indexes = [models.Index(fields=["municipality", "kind", "at"])]
