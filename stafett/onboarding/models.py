"""Onboarding of new employees: a short guided introduction to the
municipality's guide (their service's variant), the acute path, consent and
the stafettholder role, each part with a few questions.

Only completion is kept: which parts a person has completed and when, never
their answers. Leaders and the coordinator see completion per service.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Part(models.TextChoices):
    LEVELS = "levels", _("the levels and steps")
    ACUTE = "acute", _("the acute path")
    CONSENT = "consent", _("consent")
    HOLDER = "holder", _("the stafettholder role")


class PartCompletion(models.Model):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=20, choices=Part.choices)
    completed_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user", "part"], name="onboarding_part_once"),
        ]
