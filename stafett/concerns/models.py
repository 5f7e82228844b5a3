"""Level 0: a worry (undring/bekymring) about a child, worked through the
guide's five steps by the employee who has it, with her leader.

Which steps are done is derived from the data (observations written, shared,
a conversation held, a decision made, closed), never stored twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from stafett.lib.national_id import mask


class Child(models.Model):
    """A child — or an unborn child, by expected date — someone is worried about.

    One row per child and municipality (docs/one-child.md): matched by national
    identity number (or D-number) when it is known, otherwise by the name's
    key and the date of birth or expected date. Find or create one only through
    `stafett.concerns.children.child_for`. The row is the matching key that
    makes "one open relay per child" mean something; what each worry or relay
    shows of the child is what its own author typed (`Concern.child_name`,
    `Relay.child_name`), so nobody learns from the shared row that another
    service registered the child first.
    """

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=200)
    # stafett.lib.names.name_key(name): what children without an identity
    # number are matched by (with the date).
    name_key = models.CharField(max_length=200, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    expected_date = models.DateField(_("expected date of birth"), null=True, blank=True)
    national_id = models.CharField(_("national identity number"), max_length=11, blank=True)
    # Set on a duplicate found in data from before matching, that could not be
    # merged into this (older) row automatically: the same identity number with
    # an open relay on each, or the same name and date without a number. It
    # takes the row out of the uniqueness below until someone merges it
    # (`manage.py duplicate_children`); its relays still count as this child's.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates",
        editable=False,
    )
    # Ids of the rows merged into this one, so that the audit trail (which keeps
    # the ids it was written with) can still be read per child.
    merged_ids = models.JSONField(default=list, blank=True, editable=False)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(birth_date__isnull=False, expected_date__isnull=True)
                    | models.Q(birth_date__isnull=True, expected_date__isnull=False)
                ),
                name="child_born_or_expected",
            ),
            models.UniqueConstraint(
                fields=["municipality", "national_id"],
                condition=~models.Q(national_id="") & models.Q(duplicate_of__isnull=True),
                name="child_one_per_national_id",
            ),
            models.UniqueConstraint(
                fields=["municipality", "name_key", "birth_date"],
                condition=models.Q(
                    national_id="", duplicate_of__isnull=True, birth_date__isnull=False
                ),
                name="child_one_per_name_and_birth_date",
            ),
            models.UniqueConstraint(
                fields=["municipality", "name_key", "expected_date"],
                condition=models.Q(
                    national_id="", duplicate_of__isnull=True, expected_date__isnull=False
                ),
                name="child_one_per_name_and_expected_date",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def unborn(self) -> bool:
        return self.birth_date is None

    @property
    def masked_national_id(self) -> str:
        return mask(self.national_id) if self.national_id else ""


class Concern(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        CLOSE = "close", _("No reason to go on: close")
        LEVEL_1 = "level1", _("Continue on level 1 (within the service)")
        LEVEL_2 = "level2", _("Continue on level 2 (cooperation, usually two services)")
        LEVEL_3 = "level3", _("Continue on level 3 (complex cooperation)")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    # The employee working on the worry. Empty for a worry the family raised
    # (`raised_by_family`) until a leader gives it to someone: like a worry
    # whose author has left, it waits in the service's leader inbox.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="concerns",
    )
    # Foreldreinitiativ: a guardian asked the service to start the BTI work.
    raised_by_family = models.BooleanField(default=False)
    # The citizen who raised it (sees its status, nothing staff wrote in it).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="raised_concerns",
    )
    class Contact(models.TextChoices):
        PHONE = "phone", _("By phone")
        EMAIL = "email", _("By e-mail")
        MEETING = "meeting", _("Invite me to a meeting")

    contact_how = models.CharField(_("how the family wants to be contacted"), max_length=10,
                                   choices=Contact.choices, blank=True)
    contact_detail = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concerns")
    # The child as the author typed it: the worry shows this, never the shared
    # row's name or an identity number someone else registered.
    child_name = models.CharField(_("the child's name"), max_length=200)
    child_id_given = models.BooleanField(default=False)
    # The guide the worry was started under; its text is shown beside each step.
    guide = models.ForeignKey("guides.Guide", on_delete=models.PROTECT, related_name="+")

    observations = models.TextField(_("what have you seen and heard?"))
    questions = models.TextField(_("what are you wondering about?"), blank=True)

    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    # Optimistic locking: every write bumps it; a form posted with an older
    # version is refused with a conflict message instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "author", "status"]),
            models.Index(fields=["municipality", "service", "status"]),
            models.Index(fields=["raised_by"], condition=models.Q(raised_by__isnull=False),
                         name="concern_raised_by"),
        ]
        constraints = [
            # Only a worry the family raised waits without an author.
            models.CheckConstraint(
                condition=models.Q(author__isnull=False) | models.Q(raised_by_family=True),
                name="concern_author_or_family",
            )
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Conversation(models.Model):
    """Step 3: a talk with the guardians and/or the child."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="conversations")
    held_on = models.DateField(_("date of the conversation"))
    participants = models.CharField(_("who took part"), max_length=300)
    summary = models.TextField(_("what was said"))
    child_view = models.TextField(_("the child's own view, in the child's words"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["held_on", "pk"]


class Comment(models.Model):
    """The author and her leader discussing the worry."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["created_at", "pk"]


class AcuteContact(models.Model):
    """The acute path: who contacted whom, when, and that the leader was told.

    Needs no consent; records the legal basis instead.
    """

    class Contacted(models.TextChoices):
        POLICE = "police", _("The police")
        CHILD_WELFARE = "child_welfare", _("The child welfare service")
        AFTER_HOURS = "after_hours", _("The after-hours child welfare service")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="acute_contacts")
    contacted = models.CharField(_("who was contacted"), max_length=20, choices=Contacted.choices)
    contacted_at = models.DateTimeField(_("when"))
    legal_basis = models.CharField(_("legal basis"), max_length=30)
    leader_informed = models.BooleanField(_("my leader has been told"))
    leader_name = models.CharField(_("which leader"), max_length=200, blank=True)
    note = models.TextField(_("what was said and agreed"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["contacted_at", "pk"]
