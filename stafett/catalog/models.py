"""The catalogue of measures (tiltaksoversikt): every measure and offer the
municipality has for children and families, described once, public beside
the guide, and picked from when a relay plans a measure.

No child's data lives here: a catalogue measure describes an offer, never who
received it. Relay measures point to it (relay.Measure.catalog_measure), and
the leadership view counts those, suppressed as every other count.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

BTI_LEVELS = (0, 1, 2, 3)


class CatalogMeasure(models.Model):
    class Access(models.TextChoices):
        LOW_THRESHOLD = "low_threshold", _("low threshold: contact the service directly")
        REFERRAL = "referral", _("by referral")
        MEETING = "meeting", _("through a cooperation meeting")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT)
    # Stable across imports and exports (the row's identity in CSV and YAML)
    # and in the public address.
    key = models.SlugField(_("key"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what it is"), blank=True)
    # For whom: an age range in whole years (either end may be open) and the
    # groups it serves.
    age_from = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    for_unborn = models.BooleanField(_("unborn children"), default=False)
    for_children = models.BooleanField(_("children"), default=False)
    for_young = models.BooleanField(_("young people"), default=False)
    for_parents = models.BooleanField(_("parents"), default=False)
    # The BTI levels it fits, as digits ("123"): filterable with `contains`
    # on both databases, and a catalogue is small.
    levels = models.CharField(_("BTI levels"), max_length=4, blank=True)
    # The guide steps it belongs to, as "level.step" codes separated by
    # spaces ("1.3 2.3"); the guide links to it from those steps. Codes, not
    # foreign keys: a new guide version keeps its numbering, not its rows.
    steps = models.CharField(_("guide steps"), max_length=200, blank=True)
    service = models.ForeignKey(
        "tenancy.Service", on_delete=models.PROTECT, related_name="catalog_measures",
        verbose_name=_("service"),
    )
    access = models.CharField(_("how to get it"), max_length=20, choices=Access.choices)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="catalog_measure_unique_key"),
        ]
        indexes = [models.Index(fields=["municipality", "active", "name"], name="catalog_measure_list")]

    def __str__(self):
        return self.name

    @property
    def level_numbers(self) -> list[int]:
        return [int(c) for c in self.levels if c.isdigit()]

    @property
    def step_codes(self) -> list[str]:
        return self.steps.split()
