"""Who may read and keep the catalogue of measures.

Every member of staff of the municipality reads its catalogue (the public
reads its active measures). The BTI coordinator keeps every measure; a
service's leader keeps their own service's measures. Nobody deletes a
measure: it is deactivated, so relays that used it keep their link.
A catalogue describes offers, never a person, so nothing here is audited.
"""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden, get_visible

from .models import CatalogMeasure


def may_read(actor: Actor) -> bool:
    return actor.is_staff_member


def editable_service_ids(actor: Actor) -> set[int] | None:
    """The services whose measures `actor` may keep: None means all of the
    municipality's (the coordinator), an empty set none."""
    if not actor.is_staff_member:
        return set()
    if actor.is_coordinator:
        return None
    return actor.led_service_ids


def may_edit_any(actor: Actor) -> bool:
    ids = editable_service_ids(actor)
    return ids is None or bool(ids)


def may_edit_service(actor: Actor, service_id: int | None) -> bool:
    ids = editable_service_ids(actor)
    return ids is None or service_id in ids


def may_edit(actor: Actor, measure: CatalogMeasure) -> bool:
    if actor.municipality is None or measure.municipality_id != actor.municipality.pk:
        return False
    return may_edit_service(actor, measure.service_id)


def visible_measures(actor: Actor):
    """What `actor` may list: the whole catalogue of their municipality."""
    if not may_read(actor):
        return CatalogMeasure.objects.none()
    return CatalogMeasure.objects.filter(municipality_id=actor.municipality.pk)


def get_measure(actor: Actor, pk) -> CatalogMeasure:
    return get_visible(visible_measures(actor).select_related("service"), pk)


def require_reader(actor: Actor) -> None:
    if not may_read(actor):
        raise Forbidden("read_catalog")


def require_any_editor(actor: Actor) -> None:
    if not may_edit_any(actor):
        raise Forbidden("edit_catalog")


def require_editor(actor: Actor, measure: CatalogMeasure) -> None:
    if not may_edit(actor, measure):
        raise Forbidden("edit_catalog")
