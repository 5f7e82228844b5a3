"""The audit trail: one append-only, hash-chained row per read or write of
personal data. Rows hold ids and codes, never the sensitive values.

Each municipality has its own chain (`seq` counts up from 1, `prev_hash`
links to the row before), so the table can later be partitioned by
municipality and a chain verified on its own.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class LegalBasis(models.TextChoices):
    # Level 0: the service's own duty to follow up the children it serves.
    SERVICE_DUTY = "service_duty", _("The service's own duty to follow up the child")
    # The acute path needs no consent.
    DUTY_TO_REPORT = "duty_to_report", _("Duty to report to the child welfare service")
    DUTY_TO_AVERT = "duty_to_avert", _("Duty to avert serious crime")
    # Levels 1–3: the family's consent to share the stafettlogg.
    CONSENT = "consent", _("The family's consent")
    # The BTI coordinator appointing a holder where the service has no leader:
    # the municipality's duty to coordinate services for the child.
    COORDINATION_DUTY = "coordination_duty", _("The municipality's duty to coordinate services")
    # A guardian or the young person reading or writing in their own log: the
    # family's right of access to what is recorded about the child.
    FAMILY_ACCESS = "family_access", _("The family's right of access")
    # Records the law requires (issue 10): the duty to archive (arkivlova § 6),
    # deletion when the retention period has passed (GDPR art. 5(1)(e)), and a
    # person's request for their record (forvaltningsloven § 18, GDPR art. 15).
    # The report of concern itself uses DUTY_TO_REPORT (barnevernsloven § 13-2).
    DUTY_TO_ARCHIVE = "duty_to_archive", _("The municipality's duty to archive")
    RETENTION = "retention", _("The retention period has passed")
    RIGHT_OF_ACCESS = "right_of_access", _("A request for access to one's own record")


class AuditChain(models.Model):
    """The head of one municipality's chain; locked while a row is appended."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    objects = ScopedManager(municipality="municipality")


class AuditEvent(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    # The case the event belongs to (a concern, later a relay) ...
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    # ... and the part of it that was touched, if not the case itself.
    item_type = models.CharField(max_length=40, blank=True)
    item_id = models.BigIntegerField(null=True)
    child_id = models.BigIntegerField(null=True)
    # The service the actor acted for (their own service, the holder's, or the
    # one the consent covers), so the family's access log can say "who, in
    # which service". Null for rows written before it was recorded, for a
    # citizen, and where the actor acted for no one service.
    service = models.ForeignKey(
        "tenancy.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,  # read through the child's index, never looked up by service
    )
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "seq"], name="audit_chain_seq")
        ]
        indexes = [
            models.Index(fields=["municipality", "object_type", "object_id"]),
            # The family's access log (innsyn): one child's events, newest first.
            models.Index(fields=["municipality", "child_id", "at"], name="audit_child_at"),
        ]

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.municipality_id,
                self.seq,
                self.at.astimezone(datetime.UTC).isoformat(),
                self.actor_id,
                self.action,
                self.object_type,
                self.object_id,
                self.item_type,
                self.item_id,
                self.child_id,
                self.legal_basis,
                self.prev_hash,
            ]
            # Appended only when set, so rows written before the column
            # existed keep the hash they were written with (verify_chain).
            + ([self.service_id] if self.service_id is not None else []),
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()
