"""Keeping the catalogue: add, change, deactivate or activate a measure, and
import a file. Each is one atomic function: lock and re-read, ask the policy,
write. A change made meanwhile (the `version` column) is refused, never
overwritten. A catalogue describes offers, never a person, so nothing is
audited; the measure keeps when it was last changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stafett.access.rules import Forbidden
from stafett.lib.errors import Conflict
from stafett.tenancy.models import Service

from . import policy
from .fileformat import FIELDS, Problem, check_rows, differs
from .models import CatalogMeasure

EDITABLE = (*FIELDS, "service")


def _check_service(actor, service) -> None:
    if service.municipality_id != actor.municipality.pk:
        raise Forbidden("service")
    if not policy.may_edit_service(actor, service.pk):
        raise ValidationError(_("You may only keep the measures of the services you lead."))


def _check_key(actor, key: str, exclude_pk=None) -> None:
    taken = CatalogMeasure.objects.filter(municipality_id=actor.municipality.pk, key=key)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(_("Another measure already has the key '%(key)s'.") % {"key": key})


@transaction.atomic
def create_measure(actor, *, key: str, service: Service, **fields) -> CatalogMeasure:
    policy.require_any_editor(actor)
    _check_service(actor, service)
    _check_key(actor, key)
    return CatalogMeasure.objects.create(
        municipality_id=actor.municipality.pk, key=key, service=service,
        **{f: fields[f] for f in FIELDS if f in fields},
    )


def _lock(actor, measure: CatalogMeasure, version: int) -> CatalogMeasure:
    locked = (CatalogMeasure.objects.select_for_update()
              .filter(pk=measure.pk, municipality_id=actor.municipality.pk).first())
    if locked is None:
        raise Forbidden("missing")
    policy.require_editor(actor, locked)
    if locked.version != version:
        raise Conflict(locked)
    return locked


@transaction.atomic
def update_measure(actor, measure: CatalogMeasure, *, version: int, key: str, service: Service,
                   **fields) -> CatalogMeasure:
    measure = _lock(actor, measure, version)
    if service.pk != measure.service_id:
        _check_service(actor, service)
    if key != measure.key:
        _check_key(actor, key, exclude_pk=measure.pk)
    measure.key, measure.service = key, service
    for name in FIELDS:
        if name in fields:
            setattr(measure, name, fields[name])
    measure.version += 1
    measure.save()
    return measure


@transaction.atomic
def set_active(actor, measure: CatalogMeasure, *, version: int, active: bool) -> CatalogMeasure:
    """Deactivate (or bring back) a measure. Never a deletion: relays that
    used the measure keep pointing to it."""
    measure = _lock(actor, measure, version)
    measure.active = active
    measure.version += 1
    measure.save(update_fields=["active", "version", "updated_at"])
    return measure


# --- import ---------------------------------------------------------------------------


@dataclass
class Planned:
    data: dict
    existing: CatalogMeasure | None
    changed: bool

    @property
    def status(self) -> str:
        if self.existing is None:
            return "new"
        return "changed" if self.changed else "unchanged"


class ImportProblems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        super().__init__(len(self.problems))


def plan_import(actor, rows) -> tuple[list[Planned], str]:
    """What importing `rows` would do, and a fingerprint of the measures it
    would change (so the import can be refused if one changed meanwhile);
    `ImportProblems` with every problem when any row is wrong. Reads only."""
    policy.require_any_editor(actor)
    services = list(Service.objects.filter(municipality_id=actor.municipality.pk))
    measures, problems = check_rows(rows, services)
    existing = {m.key: m for m in CatalogMeasure.objects.filter(
        municipality_id=actor.municipality.pk, key__in=[d["key"] for d in measures])}
    planned = []
    for data in measures:
        current = existing.get(data["key"])
        if not policy.may_edit_service(actor, data["service"].pk):
            problems.append(Problem(data["line"], "service", _(
                "you may only keep the measures of the services you lead")))
            continue
        if current is not None and not policy.may_edit(actor, current):
            problems.append(Problem(data["line"], "key", _(
                "the measure '%(key)s' belongs to a service you do not lead")
                % {"key": data["key"]}))
            continue
        planned.append(Planned(data, current, current is None or differs(current, data)))
    if problems:
        raise ImportProblems(problems)
    return planned, fingerprint(p.existing for p in planned)


def fingerprint(measures) -> str:
    return ",".join(f"{m.pk}:{m.version}" for m in sorted(
        (m for m in measures if m is not None), key=lambda m: m.pk))


@transaction.atomic
def import_catalog(actor, rows, *, expected: str) -> dict:
    """Write every row of a checked file at once: matched by key, a measure is
    updated; otherwise it is added. Measures not in the file stay as they are.
    Refused (Conflict) if a measure the preview showed changed meanwhile."""
    keys = [str(r.values.get("key", "")).strip() for r in rows]
    list(CatalogMeasure.objects.select_for_update().filter(
        municipality_id=actor.municipality.pk, key__in=keys))
    planned, now = plan_import(actor, rows)
    if now != expected:
        raise Conflict(None)
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for item in planned:
        counts[item.status] += 1
        data = {k: v for k, v in item.data.items() if k != "line"}
        if item.existing is None:
            CatalogMeasure.objects.create(municipality_id=actor.municipality.pk, **data)
        elif item.changed:
            measure = item.existing
            for name, value in data.items():
                setattr(measure, name, value)
            measure.version += 1
            measure.save()
    return counts
