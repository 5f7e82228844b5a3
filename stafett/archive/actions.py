"""The coordinator's archive settings: read and change, audited as
configuration (ids and a legal basis, no child's data)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from stafett.audit.log import record
from stafett.audit.models import LegalBasis

from .models import ArchiveDelivery, ArchiveSettings
from .policy import require_archive_configurer

FIELDS = ["classification_system", "class_id", "class_title", "archive_part",
          "responsible_unit", "receiver"]


def settings_of(actor) -> ArchiveSettings:
    require_archive_configurer(actor)
    conf, _ = ArchiveSettings.objects.get_or_create(municipality=actor.municipality)
    return conf


@transaction.atomic
def update_settings(actor, **values) -> ArchiveSettings:
    """New settings apply to the next case that is sent (one already sent
    keeps the class it was filed under)."""
    require_archive_configurer(actor)
    conf, _ = ArchiveSettings.objects.select_for_update().get_or_create(
        municipality=actor.municipality)
    changed = [name for name in FIELDS if name in values and getattr(conf, name) != values[name]]
    for name in changed:
        setattr(conf, name, values[name])
    conf.updated_at, conf.updated_by = timezone.now(), actor.user
    conf.save(update_fields=[*changed, "updated_at", "updated_by"])
    record(actor, "configure_archive", conf, legal_basis=LegalBasis.DUTY_TO_ARCHIVE)
    return conf


def delivery_counts(actor) -> list[tuple[str, int]]:
    """How many cases of the municipality are in each archive state: counts
    only, never which child (the coordinator sees no child's data)."""
    require_archive_configurer(actor)
    counts = dict(ArchiveDelivery.objects.filter(municipality=actor.municipality)
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(label, counts.get(value, 0)) for value, label in ArchiveDelivery.Status.choices]
