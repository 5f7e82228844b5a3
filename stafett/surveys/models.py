"""The 0-point analysis and competence mapping, run in waves.

Anonymity is a property of the tables, not of a page: an `Invitation` knows
who was asked and whether they have answered (for response rates and
reminders), a `Response` knows the service and the answers and nothing that
leads back to a person — no user, no time, and a random id, so neither
order nor time joins the two. Results leave only through the suppression
(never for fewer than five respondents).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

USER = settings.AUTH_USER_MODEL


class Area(models.TextChoices):
    """The model's own areas, which the shipped question bank covers."""

    LEVELS = "levels", _("the levels and steps")
    CONVERSATIONS = "conversations", _("talking with children and parents")
    CONSENT = "consent", _("consent")
    HOLDER = "holder", _("the stafettholder role")
    SHARING = "sharing", _("routines for sharing a worry")
    COOPERATION = "cooperation", _("cooperation between services")
    MEASURES = "measures", _("knowledge of the measures")
    OTHER = "other", _("other")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("scale from 1 (disagree) to 5 (agree)")
    YES_NO = "yes_no", _("yes or no")
    FREE_TEXT = "free_text", _("free text")


class Question(models.Model):
    """One question of the municipality's bank. A shipped question keeps its
    `key` (and is shown in the reader's language until the coordinator edits
    its text); questions the coordinator writes have none."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    key = models.SlugField(max_length=60, blank=True)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], condition=~models.Q(key=""),
                                    name="survey_question_unique_key"),
        ]

    def __str__(self):
        return self.text


class Wave(models.Model):
    """One round of the survey: the baseline, then repeats to compare with."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        OPEN = "open", _("open for answers")
        CLOSED = "closed", _("closed")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    baseline = models.BooleanField(_("baseline (0-point analysis)"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    services = models.ManyToManyField("tenancy.Service", related_name="+", verbose_name=_("services"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class WaveQuestion(models.Model):
    """A question as the wave asked it, frozen when the wave opens, so later
    edits to the bank never change what earlier answers mean. Waves are
    compared question by question through `question`."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    area = models.CharField(max_length=20, choices=Area.choices)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "question"], name="wave_question_unique"),
        ]


class Invitation(models.Model):
    """Who was asked, in which service, and whether they have answered. It
    never points to the response."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "user"], name="invitation_unique"),
        ]


class Response(models.Model):
    """One person's answers, by service only: a random id and no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    service = models.ForeignKey("tenancy.Service", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(municipality="municipality")


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(WaveQuestion, on_delete=models.CASCADE, related_name="answers")
    # 1–5 on the scale; 1 yes, 0 no; empty for free text.
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique"),
        ]
