"""The stafettlogg: one shared log per child and course of help (`Relay`),
held by exactly one person at a time (the stafettholder), shared between
services only as far as the family's consent reaches.

Consents are never edited: extending, renewing or narrowing one records a new
consent that supersedes it, and a withdrawal, a newer consent or an expiry
ends sharing at once because access is computed from the consent in force
*now* (see relay/policy.py and the state tables in access/states.py).
Entries are never deleted: a correction is a new entry that points to the
one it corrects, which stays visible to participants.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class TenantModel(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        abstract = True


class Guardian(TenantModel):
    """A parent or other guardian of a child, a party to the child's relays."""

    child = models.ForeignKey("concerns.Child", on_delete=models.PROTECT, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation to the child"), max_length=100)
    parental_responsibility = models.BooleanField(_("has parental responsibility"), default=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # What the guardian logs in to the family pages with (ID-porten's `pid`);
    # empty for a family on the paper route. Never shown in full.
    national_id = models.CharField(_("national identity number"), max_length=11, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["national_id"], condition=~models.Q(national_id=""),
                         name="guardian_national_id"),
        ]

    def __str__(self):
        return self.name


class Relay(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class ClosingReason(models.TextChoices):
        GOAL_REACHED = "goal_reached", _("The goal is reached")
        FAMILY_WITHDREW = "family_withdrew", _("The family withdrew")
        INDIVIDUAL_PLAN = "individual_plan", _("Handed over to an individual plan")
        CHILD_WELFARE = "child_welfare", _("Handed over to a child welfare measure")
        MOVED = "moved", _("The child moved")

    child = models.ForeignKey("concerns.Child", on_delete=models.PROTECT, related_name="relays")
    # The child as whoever started the relay typed it (or as the worry it grew
    # out of has it): what the log shows, never the shared row's name.
    child_name = models.CharField(_("the child's name"), max_length=200)
    child_id_given = models.BooleanField(default=False)
    # The worry it grew out of, if any; a health station or adult service may
    # also start a relay directly.
    concern = models.ForeignKey(
        "concerns.Concern", null=True, blank=True, on_delete=models.PROTECT, related_name="relays"
    )
    guide = models.ForeignKey("guides.Guide", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    area_of_concern = models.TextField(_("area of concern"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    holder = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="held_relays")
    holder_service = models.ForeignKey(
        "tenancy.Service", on_delete=models.PROTECT, related_name="held_relays"
    )

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    last_activity_at = models.DateTimeField()

    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    closing_summary = models.TextField(_("closing summary"), blank=True)
    child_last_word = models.TextField(_("the child's last word"), blank=True)
    parents_last_word = models.TextField(_("the parents' last word"), blank=True)

    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # One active relay per child and course of help.
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(status="open"), name="relay_one_open_per_child"
            ),
            models.CheckConstraint(condition=models.Q(level__in=[1, 2, 3]), name="relay_level_1_3"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "holder"])]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Consent(TenantModel):
    """The family's consent to share the relay with named services, for a
    purpose, until a date. Immutable once recorded, except for withdrawal."""

    class Method(models.TextChoices):
        DIGITAL = "digital", _("Recorded by the employee after a conversation")
        SCAN = "scan", _("Signed form, scanned")
        # Each party signed for themself in the family pages (ConsentProposal).
        IDPORTEN = "idporten", _("Given digitally with ID-porten")

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="consents")
    services = models.ManyToManyField("tenancy.Service", related_name="+")
    purpose = models.TextField(_("what the information may be used for"))
    given_on = models.DateField(_("date of the conversation"))
    valid_until = models.DateField(_("valid until"))
    method = models.CharField(_("how it was given"), max_length=10, choices=Method.choices)
    scan = models.FileField(_("scanned form"), upload_to="consents/%Y/%m/", blank=True)
    # A newer consent supersedes this one from the moment it is recorded: the
    # newest record is what the family said. `supersedes` points back.
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            # The newest record is the consent: at most one is neither
            # withdrawn nor superseded (it may have expired).
            models.UniqueConstraint(
                fields=["relay"],
                condition=models.Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="consent_one_open_per_relay",
            )
        ]


class ConsentParty(TenantModel):
    """Who gave a consent: each guardian with parental responsibility, and the
    child from the age the municipality sets."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="parties")
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.PROTECT)
    is_child = models.BooleanField(default=False)
    # For a consent given digitally: when this party signed, and at which
    # ID-porten assurance level (the `acr` of their login). Empty on paper.
    signed_at = models.DateTimeField(null=True, blank=True)
    assurance_level = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_child=True, guardian__isnull=True)
                | models.Q(is_child=False, guardian__isnull=False),
                name="consent_party_child_or_guardian",
            )
        ]


class ConsentProposal(TenantModel):
    """A consent waiting for the family's signatures in the family pages: a
    first consent, an extension, a renewal or a narrowing. Proposed by a
    family member (who signs it as they propose) or by the holder ("ask the
    family to consent digitally"). When the last required party signs, it is
    recorded as a Consent that supersedes the one in force, in the same
    transaction. Its states are the table in access/states.py."""

    class Kind(models.TextChoices):
        GIVE = "give", _("New consent")
        EXTEND = "extend", _("Extension to more services")
        RENEW = "renew", _("Renewal")
        NARROW = "narrow", _("Fewer services")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for signatures")
        RECORDED = "recorded", _("signed by everyone and recorded")
        SUPERSEDED = "superseded", _("replaced by a newer proposal or consent")
        CANCELLED = "cancelled", _("cancelled")

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="consent_proposals")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    services = models.ManyToManyField("tenancy.Service", related_name="+")
    purpose = models.TextField(_("what the information may be used for"))
    valid_until = models.DateField(_("valid until"))
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    closed_at = models.DateTimeField(null=True, blank=True)
    consent = models.OneToOneField(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="proposal"
    )

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["relay"], condition=models.Q(status="pending"),
                name="consent_proposal_one_pending_per_relay",
            )
        ]


class ProposalSignature(TenantModel):
    """One party's signature on a proposal: a guardian or the young person,
    each for themself, with the assurance level of their ID-porten login."""

    proposal = models.ForeignKey(ConsentProposal, on_delete=models.PROTECT,
                                 related_name="signatures")
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.PROTECT)
    is_child = models.BooleanField(default=False)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    assurance_level = models.CharField(max_length=40)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_child=True, guardian__isnull=True)
                | models.Q(is_child=False, guardian__isnull=False),
                name="proposal_signature_child_or_guardian",
            ),
            models.UniqueConstraint(fields=["proposal", "guardian"],
                                    condition=models.Q(guardian__isnull=False),
                                    name="proposal_signature_once_per_guardian"),
            models.UniqueConstraint(fields=["proposal"], condition=models.Q(is_child=True),
                                    name="proposal_signature_once_for_child"),
        ]


class Participant(TenantModel):
    """A service, and optionally a named person in it, taking part with a task."""

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="participants")
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("task in the relay"), max_length=300, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # The end date of the relay's open consent (neither withdrawn nor
    # superseded) when it covers this participation's service, else null:
    # covered now is covered_until >= today (policy._covered). Kept by the
    # database itself, in the transaction of any write to a consent, its
    # services or a participation, whatever writes it (migration relay 0011;
    # docs/access-and-consent.md); a value written here is replaced.
    covered_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [
            models.Index(fields=["municipality", "service", "left_at"]),
            # Who sees which relay (relay/policy.visible_relays): a person's
            # participations, and those of the services they lead, read from
            # the index alone (the relay id and the coverage are in it).
            models.Index(fields=["user", "relay"], include=["municipality", "service", "covered_until"],
                         condition=models.Q(left_at__isnull=True), name="participant_user_open"),
            models.Index(fields=["service", "relay"], include=["municipality", "user", "covered_until"],
                         condition=models.Q(left_at__isnull=True), name="participant_service_open"),
        ]


class Handover(TenantModel):
    """A request to pass the baton; the old holder keeps it until accepted.
    An appointment is the same request made by the leader of the holder's
    service (or the BTI coordinator) when the holder has left."""

    class Kind(models.TextChoices):
        HANDOVER = "handover", _("handover")
        APPOINTMENT = "appointment", _("appointment of a new holder")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for acceptance")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="handovers")
    from_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    from_service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    to_service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what is handed over"))
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HANDOVER)
    # Who asked: the holder for a handover, the leader or coordinator for an appointment.
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["relay"], condition=models.Q(status="pending"),
                name="handover_one_pending_per_relay",
            )
        ]


class InclusionRequest(TenantModel):
    """A service that tried to start a relay for a child who already has an
    open one asks, through the holder, to be included (docs/one-child.md).

    The requester learns only that coordination exists and that the family will
    be asked; the holder asks the family, and either records a consent that
    covers the service (the request is then accepted and the requester joins)
    or records that the family said no.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("the family will be asked")
        ACCEPTED = "accepted", _("the family consented")
        DECLINED = "declined", _("the family did not consent")

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="inclusion_requests")
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The requester's worry, when the attempt came from a level-0 decision.
    concern = models.ForeignKey(
        "concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
        related_name="inclusion_requests",
    )
    # The child as the requester typed it, for the requester's own list only.
    child_name = models.CharField(_("the child's name"), max_length=200)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["relay", "service"], condition=models.Q(status="pending"),
                name="inclusion_one_pending_per_service",
            )
        ]
        indexes = [models.Index(fields=["municipality", "requested_by", "created_at"])]

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Goal(TenantModel):
    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="goals")
    title = models.CharField(_("what should be better"), max_length=300)
    indicator = models.TextField(_("how we will see it"))
    achieved = models.BooleanField(_("achieved"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title


class Measure(TenantModel):
    """A tiltak: what, who is responsible, when it starts, its deadline and
    when it is evaluated."""

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="measures")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="measures")
    what = models.TextField(_("what"))
    # The catalogue's measure this one is, when picked from the catalogue
    # (then `what` starts as its name); empty for a measure written freely.
    catalog_measure = models.ForeignKey(
        "catalog.CatalogMeasure", null=True, blank=True, on_delete=models.PROTECT,
        related_name="relay_measures", verbose_name=_("from the catalogue of measures"),
    )
    responsible_service = models.ForeignKey(
        "tenancy.Service", on_delete=models.PROTECT, related_name="+"
    )
    responsible_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    evaluate_on = models.DateField(_("evaluation date"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self):
        return self.what if len(self.what) <= 80 else self.what[:79] + "…"


class Meeting(TenantModel):
    class Kind(models.TextChoices):
        NETWORK = "network", _("Network meeting")
        PLANNING = "planning", _("Planning meeting")
        EVALUATION_DISCUSSION = "evaluation_discussion", _("Evaluation meeting: discussion")
        EVALUATION_DECISION = "evaluation_decision", _("Evaluation meeting: decision")
        BTI_TEAM = "bti_team", _("BTI team meeting")

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind of meeting"), max_length=30, choices=Kind.choices)
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    invited = models.ManyToManyField(Participant, related_name="invited_to", blank=True)
    present = models.ManyToManyField(Participant, related_name="present_at", blank=True)
    guardians_present = models.ManyToManyField(Guardian, related_name="+", blank=True)
    child_present = models.BooleanField(_("the child took part"), default=False)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        from django.utils import timezone

        when = timezone.localtime(self.starts_at).strftime("%d.%m.%Y %H:%M")
        return f"{self.get_kind_display()}, {when}"


class MeetingReply(TenantModel):
    """A family member's answer to a meeting invitation, seen by staff on the
    meeting page. The newest answer of each person counts."""

    class Answer(models.TextChoices):
        COMING = "coming", _("I will come")
        CANNOT = "cannot", _("I cannot come")
        OTHER_TIME = "other_time", _("Please suggest another time")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The guardian row the author answered as; empty when the young person answered.
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class ChildView(TenantModel):
    """"What I want you to know": the child's own view before a meeting,
    written by the young person themself or by a guardian on the child's
    behalf (`written_by` says which)."""

    class WrittenBy(models.TextChoices):
        CHILD = "child", _("written by the child")
        GUARDIAN = "guardian", _("written by a guardian on the child's behalf")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="child_views")
    written_by = models.CharField(max_length=10, choices=WrittenBy.choices)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what I want you to know"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class Evaluation(TenantModel):
    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="evaluations")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations")
    what_happened = models.TextField(_("what happened"))
    child_view = models.TextField(_("the child's view"), blank=True)
    parents_view = models.TextField(_("the parents' view"), blank=True)
    professionals_view = models.TextField(_("the professionals' view"), blank=True)
    conclusion = models.TextField(_("conclusion"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class LevelChange(TenantModel):
    """Moving up or down a level: a decision at an evaluation meeting."""

    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="level_changes")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()


# What the app itself writes on the timeline, rendered in the *reader's*
# language: an entry stores the event's code and its data, never translated
# text. `text` holds only what a person wrote (a reason, a note, minutes) and
# is put into the sentence under the name given here.
ENTRY_EVENTS = {
    "relay_started": (_("The relay was started on level %(level)s."), None),
    "consent_recorded": (_("Consent recorded for %(services)s, valid until %(date)s."), None),
    "consent_withdrawn": (_("The consent was withdrawn: %(reason)s"), "reason"),
    "participant_joined": (_("%(who)s joined the relay."), None),
    "participant_left": (_("A participant left the relay."), None),
    "handover_requested": (_("Handover to %(name)s requested."), None),
    "handover_accepted": (_("%(name)s took over as holder: %(note)s"), "note"),
    "handover_declined": (_("The handover was declined."), None),
    "holder_appointed": (_("The holder has left; %(name)s was asked to take over."), None),
    "consent_narrowed": (_("The new consent no longer covers %(services)s."), None),
    # The family in the family pages (ID-porten): a withdrawal needs no reason.
    "consent_withdrawn_family": (_("%(name)s withdrew the consent."), None),
    "consent_service_withdrawn": (_("%(name)s withdrew the consent for %(services)s."), None),
    "consent_proposed": (_("%(name)s asked the family to consent digitally to %(services)s."), None),
    "goal_changed": (_("Goal changed: %(title)s"), "title"),
    "measure_changed": (_("Measure changed: %(what)s"), "what"),
    "meeting_planned": (_("%(kind)s planned for %(time)s."), None),
    "level_changed": (_("Moved from level %(from)s to level %(to)s: %(reason)s"), "reason"),
}


class Entry(TenantModel):
    """One item on the relay's timeline. Everything that happens in the relay
    leaves an entry, so the timeline is one query, filterable by kind."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        BRIGHT_SPOT = "bright_spot", _("Bright spot")
        GOAL = "goal", _("Goal")
        MEASURE = "measure", _("Measure")
        EVALUATION = "evaluation", _("Evaluation")
        MEETING = "meeting", _("Meeting")
        CONSENT = "consent", _("Consent")
        PARTICIPANT = "participant", _("Participants")
        HANDOVER = "handover", _("Handover")
        LEVEL = "level", _("Level")
        CLOSING = "closing", _("Closing")

    # No index of its own: the two below start with the relay and serve every
    # lookup by it. With a third, PostgreSQL's generic plan for the timeline's
    # page (prepared once per connection) read all of a relay's entries by it
    # and sorted them (3.5 ms for 500) instead of reading 25 in order.
    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="entries", db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Empty for what a person wrote; else a key of ENTRY_EVENTS.
    event = models.CharField(max_length=30, blank=True)
    params = models.JSONField(default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Empty for what the family wrote (a guardian or the young person, logged
    # in as a citizen): they act for no service.
    author_service = models.ForeignKey(
        "tenancy.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Written by the family on the family pages: shown as the family's
    # everywhere (staff timeline, PDF, guardians' copy).
    by_family = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # A correction replaces the wording of an earlier entry; the earlier one
    # stays, marked as corrected, so participants can see what was changed.
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    # The object the entry is about, when it is more than a note.
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["relay", "kind", "created_at"]),
            # The timeline's page in its own order (relay/policy.timeline_queryset):
            # the newest 25 read from the index, not every entry sorted.
            models.Index(fields=["relay", "-created_at", "-id"], name="entry_timeline"),
        ]
        constraints = [
            # Staff write for a service; the family for none.
            models.CheckConstraint(
                condition=models.Q(by_family=True, author_service__isnull=True)
                | models.Q(by_family=False, author_service__isnull=False),
                name="entry_family_or_service",
            )
        ]

    # What a person wrote can be corrected; entries recording a decision that
    # changed the relay (consent, participants, handover, level, closing) are
    # followed by a new decision instead, and the app's own sentences have no
    # wording of anyone's to correct.
    CORRECTABLE_KINDS = frozenset({"note", "bright_spot", "goal", "measure", "evaluation", "meeting"})

    @property
    def correctable(self) -> bool:
        return self.kind in self.CORRECTABLE_KINDS and (
            not self.event or ENTRY_EVENTS[self.event][1] is not None
        )

    @property
    def display_text(self) -> str:
        """The entry as the reader reads it, in the reader's language."""
        if not self.event:
            return self.text
        message, text_key = ENTRY_EVENTS[self.event]
        values = dict(self.params)
        if text_key:
            values[text_key] = self.text
        if "date" in values:
            values["date"] = formats.date_format(dt.date.fromisoformat(values["date"]), "SHORT_DATE_FORMAT")
        if "time" in values:
            moment = timezone.localtime(dt.datetime.fromisoformat(values["time"]))
            values["time"] = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        if "kind" in values:
            values["kind"] = Meeting.Kind(values["kind"]).label
        return str(message) % values


class Withholding(TenantModel):
    """An entry kept from one guardian's copy, with the recorded reason
    (for example suspected violence by that guardian)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="withholdings")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "guardian"], name="withholding_unique")
        ]
