"""The action guide (handlingsveileder) as data: Guide → Level → Step, with Tools.

A municipality's guide is loaded from one of the shipped templates in
`guides/data/`. Steps carry a `code` where the app attaches behaviour to them
(the level-0 journey knows "define", "share", "talk", "decide", "close"), so a
municipality may rename and rewrite a step without breaking the journey.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Guide(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=5, choices=[("nb", "Bokmål"), ("nn", "Nynorsk")]
    )
    template = models.CharField(_("template"), max_length=50)
    introduction = models.TextField(_("introduction"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        verbose_name = _("action guide")

    def __str__(self):
        return self.title


class Level(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(_("level"))
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    audience = models.TextField(_("who it is for"), blank=True)

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
    key = models.SlugField(max_length=50)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

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
    code = models.SlugField(max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("read more"), blank=True)
    who = models.CharField(_("who does it"), max_length=300, blank=True)
    tools = models.ManyToManyField(Tool, blank=True, related_name="steps")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["level__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["level", "number"], name="step_unique_number")
        ]

    def __str__(self):
        return self.title
