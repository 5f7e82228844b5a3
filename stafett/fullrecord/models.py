"""A request for access to a child's record, and the record it was answered with.

One row per request. The record itself is assembled by the system and frozen
on the row when it is produced (`document`: the JSON, `pdf`: its PDF/A), so
what the requester got is what is kept; nobody edits it afterwards. The staff
member who registers and produces it never reads the frozen copy: it holds
parts their own access would not show them (docs/full-record.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class AccessRequest(models.Model):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("By letter")
        EMAIL = "email", _("By e-mail")
        PHONE = "phone", _("By phone")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        PRODUCED = "produced", _("produced")
        DELIVERED = "delivered", _("delivered to the family pages")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    child = models.ForeignKey("concerns.Child", on_delete=models.PROTECT, related_name="+")
    class Role(models.TextChoices):
        GUARDIAN = "guardian", _("A guardian with parental responsibility")
        CHILD = "child", _("The young person themself")

    # Who asked: a guardian with parental responsibility, or the young person
    # (from the municipality's consent age). The identity number is what the
    # requester collects the record with in the family pages (ID-porten), and
    # what the withholdings recorded against a guardian are matched by.
    role = models.CharField(_("who asked"), max_length=10, choices=Role.choices)
    requester_name = models.CharField(_("the requester's name"), max_length=200)
    requester_national_id = models.CharField(_("the requester's national identity number"),
                                             max_length=11)
    received_on = models.DateField(_("date the request was received"))
    channel = models.CharField(_("how the request came in"), max_length=10,
                               choices=Channel.choices)
    # GDPR art. 12(3): one month from receipt.
    deadline = models.DateField()
    # The service the request was registered for: whoever may answer for the
    # child through that service (its holder, its leader) follows it.
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REGISTERED)
    produced_at = models.DateTimeField(null=True, blank=True)
    produced_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # The requester's copy, frozen when produced.
    document = models.JSONField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # When the requester first downloaded it in the family pages.
    collected_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "status", "deadline"]),
            models.Index(fields=["child"]),
            # The family pages: the requests a logged-in citizen made.
            models.Index(fields=["requester_national_id"], name="access_request_requester"),
        ]

    def __str__(self):
        return f"access request #{self.pk}"

    @property
    def answered(self) -> bool:
        return self.status == self.Status.DELIVERED
