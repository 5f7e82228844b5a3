"""A report of concern to the child welfare service.

One row per report, from a worry or a relay (or the acute path). Its text is
the reporter's until it is approved; from then it is frozen: `document` holds
the exact JSON that was sent and `pdf` the PDF/A of the same content, and
nothing changes them again (the actions refuse, and `freeze` is checked).
`message_id` is the id the receiver sees: fixed when the report is queued,
so a retried delivery is the same message (see stafett.transport).
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class ChildWelfareReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AWAITING_APPROVAL = "awaiting", _("awaiting the leader's approval")
        QUEUED = "queued", _("approved, waiting to be sent")
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received by the child welfare service")
        FAILED = "failed", _("failed")
        WITHDRAWN = "withdrawn", _("withdrawn before it was sent")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    child = models.ForeignKey("concerns.Child", on_delete=models.PROTECT, related_name="reports")
    # Where it was written from: a worry (also on the acute path) or a relay.
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="reports")
    relay = models.ForeignKey("relay.Relay", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="reports")
    acute = models.BooleanField(default=False)
    # The reporter and the service they report for.
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The report as the reporter filled it in (the form's fields: child,
    # guardians and whether each was told, what was observed, history,
    # other services, interpreter ...). Free text lives here and in
    # `document`, never in audit rows or notices.
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # Sent on the acute path without the leader's approval (when the
    # municipality allows it).
    approval_skipped = models.BooleanField(default=False)
    # Frozen at approval: exactly what was sent.
    message_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    document = models.JSONField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The receiver's own message when it failed (or the transport's).
    error = models.CharField(max_length=500, blank=True)
    # The leader's comment when she sent the draft back to the reporter.
    returned_comment = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False) | models.Q(relay__isnull=False),
                name="report_from_a_worry_or_a_relay",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["child"]),
        ]

    def __str__(self):
        return f"report #{self.pk}"

    @property
    def frozen(self) -> bool:
        """Approved or later: the text can no longer change."""
        return self.message_id is not None

    def new_message_id(self) -> uuid.UUID:
        return uuid.uuid4()


class ReportSettings(models.Model):
    """The municipality's settings for reports of concern, set by the BTI
    coordinator; one row per municipality, created with the defaults."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT,
                                        related_name="report_settings")
    # The municipality may let the reporter send on the acute path without
    # waiting for the leader's approval (the leader is told afterwards).
    acute_without_approval = models.BooleanField(
        _("on the acute path, a report may be sent without the leader's approval"), default=False)
    # The child welfare service's address in the transport: its Fiks IO
    # account id (a folder name in the file drop).
    receiver = models.CharField(_("the child welfare service's Fiks IO account"), max_length=100,
                                default="barnevernet")
    # KS Fiks asks for the city district (bydel); a municipality without
    # districts sends 00 and no name.
    district_number = models.CharField(
        _("district number"), max_length=2, default="00",
        validators=[RegexValidator(r"^[0-9]{2}$", _("The district number has two digits."))])
    district_name = models.CharField(_("district name"), max_length=100, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ScopedManager(municipality="municipality")

    def __str__(self):
        return f"report settings of {self.municipality}"
