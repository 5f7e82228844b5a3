"""The municipality's archive settings and each delivery of a case to it.

`ArchiveSettings` is the coordinator's: the class (the municipality's
classification of BTI cases), the archive part and the responsible unit;
one row per municipality, with defaults that work for the demo.

`ArchiveDelivery` is one case folder sent as an arkivmelding: a closed relay,
or a closed worry with a report or a decision. `message_id` is fixed when it
is queued (a retry is the same message); the archive's receipt fills
`archived_at` and `archive_reference` (its own case number), or `error`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class ArchiveSettings(models.Model):
    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.PROTECT,
                                        related_name="archive_settings")
    # The classification system and class a BTI case is filed under.
    classification_system = models.CharField(_("classification system"), max_length=100,
                                             default="Emnekoder")
    class_id = models.CharField(_("class"), max_length=100, default="F47")
    class_title = models.CharField(_("class title"), max_length=200,
                                   default="Tverrfaglig samarbeid om barn og unge")
    archive_part = models.CharField(_("archive part"), max_length=100, default="BTI")
    # Who is responsible for the case in the archive (a unit of the
    # municipality, e.g. "Oppvekst").
    responsible_unit = models.CharField(_("responsible unit"), max_length=100,
                                        default="Oppvekst")
    # The archive's address in the transport (Fiks IO account id).
    receiver = models.CharField(_("archive's Fiks IO account"), max_length=100, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(municipality="municipality")

    def __str__(self):
        return f"archive settings of {self.municipality}"


class ArchiveDelivery(models.Model):
    class Source(models.TextChoices):
        RELAY = "relay", _("relay")
        CONCERN = "concern", _("worry")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be sent")
        SENT = "sent", _("sent to the archive")
        ARCHIVED = "archived", _("archived")
        FAILED = "failed", _("failed")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # The archive's own reference from its receipt (e.g. its case number).
    archive_reference = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            # One delivery per case: archiving is never done twice.
            models.UniqueConstraint(fields=["source", "source_id"], name="archive_once_per_case"),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self):
        return f"arkivmelding {self.source}#{self.source_id} ({self.status})"


class ArchiveMessage(models.Model):
    """One arkivmelding of a delivery: the schema carries one registration
    per message, so a folder of n registrations leaves as n messages.

    Its `message_id` is derived from the delivery's id and the registration's
    system id (uuid5), so a retried delivery sends the very same messages and
    the receiver drops the copies. The archive's receipt is recorded here;
    the delivery is archived when every message is.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("sent to the archive")
        ARCHIVED = "archived", _("archived")
        FAILED = "failed", _("failed")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    delivery = models.ForeignKey(ArchiveDelivery, on_delete=models.CASCADE,
                                 related_name="messages")
    # The registration (journalpost) it carries: its system id and kind code.
    registration_id = models.UUIDField()
    kind = models.CharField(max_length=20)
    message_id = models.UUIDField(unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    receipt_at = models.DateTimeField(null=True, blank=True)
    # The archive's ids from its receipt (its case number, the journalpost's).
    archive_reference = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "registration_id"],
                                    name="archive_message_once_per_registration"),
        ]

    def __str__(self):
        return f"arkivmelding {self.message_id} ({self.status})"


class NoarkExtract(models.Model):
    """One Noark 5 extract of a municipality's closed cases (stafett.archive.
    extract): started by the coordinator (or `manage.py export_noark`, with
    no one in `requested_by`), written by the worker, kept for download.
    It holds counts and the folder's name, never a child's data."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    folders = models.PositiveIntegerField(default=0)
    registrations = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    # The extract's folder: relative to STAFETT_EXTRACT_DIR for the page's
    # extracts, absolute for the command's (which are not offered for download).
    path = models.CharField(max_length=500, blank=True)
    # A code for the operator (the exception's class), never a case's text.
    error = models.CharField(max_length=100, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [models.Index(fields=["municipality", "-requested_at"])]
        constraints = [
            # One extract at a time per municipality: a second start while one
            # waits or runs finds that one instead.
            models.UniqueConstraint(fields=["municipality"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_running_extract"),
        ]

    def __str__(self):
        return f"noark extract #{self.pk} ({self.status})"
