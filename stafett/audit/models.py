"""The audit trail: one append-only row per read or write of personal data.
Rows hold ids and codes, never the sensitive values.

A row is written in the transaction of the action it records by one INSERT,
with `row_hash`, an HMAC over its content under the audit key (so a row cannot
be rewritten and its hash fixed by someone with only database access). The
sealer (stafett.audit.sealer) then chains the rows of each municipality in
the order it finds them: it fills `seq` (gap-free from 1), `prev_hash` and
`hash` once, and moves the municipality's `AuditChain` head. See docs/audit.md.

On PostgreSQL the table is partitioned by month on `at` (migration 0008), so
its primary key there is (id, at); the model keeps `id` as its pk.
"""

import datetime
import hashlib
import hmac
import json
import os

from django.conf import settings
from django.db import models
from django.db.models import Q
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


def audit_key() -> bytes:
    """The HMAC key of the trail: STAFETT_AUDIT_KEY (setting or environment),
    else derived from SECRET_KEY. Set it explicitly in production: rotating
    SECRET_KEY would otherwise make every row fail verification."""
    key = getattr(settings, "STAFETT_AUDIT_KEY", "") or os.environ.get("STAFETT_AUDIT_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"stafett.audit", hashlib.sha256).digest()


def _mac(payload: str) -> str:
    return hmac.new(audit_key(), payload.encode(), hashlib.sha256).hexdigest()


def row_mac() -> "hmac.HMAC":
    """An HMAC under the audit key with nothing hashed yet: `.copy()` it per
    row to hash many rows without setting the key up again for each."""
    return hmac.new(audit_key(), digestmod=hashlib.sha256)


def content_of(municipality_id, at: str, actor_id, action, object_type, object_id, item_type,
               item_id, child_id, service_id, legal_basis) -> str:
    """What a row's HMAC covers (`at` in ISO 8601, UTC): one definition for
    the writer, which hashes plain values, and for verification, which hashes
    the row read back."""
    return json.dumps([municipality_id, at, actor_id, action, object_type, object_id, item_type,
                       item_id, child_id, service_id, legal_basis], separators=(",", ":"))


class AuditChain(models.Model):
    """The head of one municipality's chain: the last sealed row. Only the
    sealer touches it (locked with SKIP LOCKED), never a writer."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    objects = ScopedManager(municipality="municipality")


class AuditEvent(models.Model):
    # No foreign key constraints in the database (db_constraint=False): each
    # one queued a check per row for the commit that read the referenced row
    # FOR KEY SHARE, so every audited page of a municipality wrote a lock on
    # that municipality's row (0.8 ms at commit for a list page's 25 rows).
    # The writer takes the ids from the request's own actor and objects, and
    # Django still applies PROTECT before deleting a referenced row.
    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.PROTECT, db_constraint=False,
        db_index=False,  # every index below that needs it starts with it or with the child
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False, db_index=False,  # users are never deleted; nothing looks events up by actor alone
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
        db_constraint=False, db_index=False,  # read through the child's index, never looked up by service
    )
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    # HMAC of the content, written with the row. Null only on rows written
    # before the sealer existed (chained at insert with plain SHA-256).
    row_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 (null: none)
    # The seal: null until the sealer chains the row, then filled once (the
    # database triggers refuse any other change).
    seq = models.BigIntegerField(null=True)
    prev_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 (null: unsealed)
    hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 (null: unsealed)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [
            # The family's access log and the full record: one child's events
            # by time (scanned backwards for newest first).
            models.Index(fields=["child_id", "at", "id"], name="audit_child_at"),
            # A case's history page (concerns.views.history).
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at"),
            # Verification walks a chain by seq. Not unique: a partitioned table
            # cannot enforce that without `at`; verify_chain names a repeated seq.
            models.Index(fields=["municipality", "seq"], name="audit_chain_seq"),
            # The sealer's work list: small, since rows are sealed within seconds.
            models.Index(fields=["municipality", "id"], name="audit_unsealed",
                         condition=Q(seq__isnull=True)),
        ]

    def _described(self) -> list:
        """Who did what on which case and child, when: the fields both hashes cover."""
        return [
            self.municipality_id,
            self.at.astimezone(datetime.UTC).isoformat(),
            self.actor_id,
            self.action,
            self.object_type,
            self.object_id,
            self.item_type,
            self.item_id,
            self.child_id,
        ]

    def content(self) -> str:
        return content_of(*self._described(), self.service_id, self.legal_basis)

    def compute_row_hash(self) -> str:
        return _mac(self.content())

    def compute_seal(self) -> str:
        """The link: the previous link, this row's place and id, and its row hash."""
        return _mac(f"{self.prev_hash}|{self.seq}|{self.pk}|{self.row_hash}")

    def compute_legacy_hash(self) -> str:
        """The hash of a row written before the sealer (chained at insert)."""
        municipality_id, *described = self._described()
        payload = json.dumps(
            [municipality_id, self.seq, *described, self.legal_basis, self.prev_hash]
            + ([self.service_id] if self.service_id is not None else []),
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class AuditCheckpoint(models.Model):
    """Where a municipality's live chain starts after a partition was detached
    to the archive (stafett.audit.archive): the last archived link before the
    first live row, and the archived rows sealed after that (the few of the
    month sealed after rows of the next month), by seq, so verification can
    step over them."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT,
                                     db_index=False)  # the index below starts with it
    partition = models.CharField(max_length=63)
    through_seq = models.BigIntegerField()
    through_hash = models.CharField(max_length=64)
    archived = models.JSONField(default=dict)  # {seq: hash} of archived rows after through_seq
    detached_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [models.Index(fields=["municipality", "through_seq"], name="audit_checkpoint")]
