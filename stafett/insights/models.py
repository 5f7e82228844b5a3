"""Snapshots of the leadership view: what each reader is shown, computed by
the worker (docs/suppression.md, "Snapshots"). Counts and labels only — the
same suppressed tables the page would compute — never a child."""

from django.db import models
from django_scopes import ScopedManager


class Snapshot(models.Model):
    """One generation of a municipality's published figures. Its row is
    locked while a new generation replaces the old, so two refreshes never
    mix their views."""

    municipality = models.OneToOneField("tenancy.Municipality", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()

    objects = ScopedManager(municipality="municipality")

    def __str__(self):
        return f"Snapshot({self.municipality_id}, {self.computed_at:%Y-%m-%d %H:%M})"


class SnapshotView(models.Model):
    """One reader's suppressed tables for one period in one language, as the
    page renders them."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="views")
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.CASCADE, related_name="+")
    # A digest of the reader's sorted service ids (the coordinator's list of a
    # big municipality is long).
    reader = models.CharField(max_length=64)
    months = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=8)
    computed_at = models.DateTimeField()
    payload = models.JSONField()

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "reader", "months", "language"],
                                               name="insights_one_view_per_reader")]

    def __str__(self):
        return f"SnapshotView({self.municipality_id}, {self.months}, {self.language})"
