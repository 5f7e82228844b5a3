"""The action guide (handlingsveileder) as data: Guide → Level → Step, with Tools.

A `Guide` row is one *version* of a municipality's guide. The BTI coordinator
edits the one draft; publishing freezes it with the next version number, and
the newest published version is the guide everyone works by. A worry (later a
relay) keeps the version it was started under, so guidance never changes
under someone's feet mid-case.

Texts are written in the guide's language (`Guide.language`); each has an
optional `*_other` twin in the other Norwegian written standard.

Steps carry a `code` where the app attaches behaviour to them (the level-0
journey knows "define", "share", "talk", "decide", "close"), so a municipality
may rename and rewrite a step without breaking the journey. A step with a
`variant` (a service kind) belongs to that kind's guide only: it replaces the
common step with the same number, or adds one, so the basis, help and adult
services share what they have in common.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from stafett.lib.prepared import made

GUIDE_LANGUAGES = [("nb", "Bokmål"), ("nn", "Nynorsk")]


def other_language(language: str) -> str:
    return "nn" if language == "nb" else "nb"


class Variant(models.TextChoices):
    """Which services a step is for; empty means all of them."""

    COMMON = "", _("all services")
    BASIS = "basis", _("basic services")
    HJELPE = "hjelpe", _("help services")
    VOKSEN = "voksen", _("adult services")


class Guide(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    title_other = models.CharField(_("title (other language)"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=GUIDE_LANGUAGES)
    template = models.CharField(_("template"), max_length=50)
    introduction = models.TextField(_("introduction"), blank=True)
    introduction_other = models.TextField(_("introduction (other language)"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # Version number, given when published; drafts have none.
    number = models.PositiveIntegerField(null=True, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Optimistic locking of the draft, as for worries.
    lock_version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        verbose_name = _("action guide")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], condition=models.Q(status="draft"),
                name="guide_one_draft_per_municipality",
            ),
            models.UniqueConstraint(
                fields=["municipality", "number"], name="guide_unique_version_number"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Level(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(_("level"))
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    audience = models.TextField(_("who it is for"), blank=True)
    title_other = models.CharField(_("title (other language)"), max_length=200, blank=True)
    purpose_other = models.TextField(_("purpose (other language)"), blank=True)
    audience_other = models.TextField(_("who it is for (other language)"), blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="level_unique_number")
        ]

    def __str__(self):
        return self.title


class Tool(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="tools")
    class Kind(models.TextChoices):
        CONSENT = "consent", _("consent form")
        MAPPING = "mapping", _("mapping form")
        CONVERSATION = "conversation", _("conversation guide")
        MEETING = "meeting", _("meeting template")
        OTHER = "other", _("other")

    key = models.SlugField(max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The tool's printable text, with placeholders such as {child} that fill in
    # from a worry or relay (see guides/placeholders.py).
    body = models.TextField(_("text"), blank=True)
    title_other = models.CharField(_("title (other language)"), max_length=200, blank=True)
    description_other = models.TextField(_("description (other language)"), blank=True)
    body_other = models.TextField(_("text (other language)"), blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["guide", "key"], name="tool_unique_key")]

    def __str__(self):
        return self.title


class Step(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("step"))
    variant = models.CharField(
        _("for"), max_length=10, choices=Variant.choices, blank=True, default=Variant.COMMON
    )
    code = models.SlugField(max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("read more"), blank=True)
    who = models.CharField(_("who does it"), max_length=300, blank=True)
    title_other = models.CharField(_("title (other language)"), max_length=200, blank=True)
    summary_other = models.TextField(_("summary (other language)"), blank=True)
    body_other = models.TextField(_("read more (other language)"), blank=True)
    who_other = models.CharField(_("who does it (other language)"), max_length=300, blank=True)
    tools = models.ManyToManyField(Tool, blank=True, related_name="steps")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["level__number", "number", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "variant", "number"], name="step_unique_number"
            )
        ]

    def __str__(self):
        return self.title


# Specialist services follow the help services' variant of the guide.
VARIANT_OF_SERVICE_KIND = {"basis": "basis", "hjelpe": "hjelpe", "voksen": "voksen",
                           "spesialist": "hjelpe"}


# The columns `titled_steps` makes steps of, after any the caller reads first.
TITLE_COLUMNS = ("level_id", "level__number", "number", "variant", "code", "title")


def titled_steps(rows) -> list[Step]:
    """Steps from prepared rows of TITLE_COLUMNS (then anything else, left
    for the caller): enough for steps_for_variant and a list of step titles,
    with each level read once. Any other field would be a query of its own."""
    levels, steps = {}, []
    for level_id, level_number, number, variant, code, title, *_rest in rows:
        step = made(Step, id=None, level_id=level_id, number=number, variant=variant, code=code, title=title)
        level = levels.get(level_id)
        if level is None:
            level = levels[level_id] = made(Level, id=level_id, number=level_number)
        step._state.fields_cache["level"] = level
        steps.append(step)
    return steps


def steps_for_variant(steps, variant: str) -> list[Step]:
    """The steps a service of one kind works by: per level and number, its
    variant's step where there is one, else the common step; in guide order.

    `variant` is a Variant value or a service kind (mapped above)."""
    variant = VARIANT_OF_SERVICE_KIND.get(variant, variant)
    chosen: dict[tuple[int, int], Step] = {}
    for step in steps:
        key = (step.level_id, step.number)
        if step.variant == variant or (step.variant == "" and key not in chosen):
            chosen[key] = step
    return sorted(chosen.values(), key=lambda s: (s.level.number, s.number))
