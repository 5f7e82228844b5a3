"""Building the request's actor from the person's active memberships and roles."""

from __future__ import annotations

from django.db.models import CharField, IntegerField, Value
from django_scopes import scopes_disabled

from stafett.access.actor import ANONYMOUS, Actor, Family

from .models import Membership, Municipality, MunicipalityRole


def build_actor(user, municipality_id: int | None = None) -> Actor:
    """The actor for `user`, acting in `municipality_id` when they work in
    several (else the first, by id). Only active memberships count."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if not user.is_active:
        return Actor(user=user, municipality=None)
    if user.is_citizen:
        # A citizen never works anywhere; stafett.citizen.middleware builds
        # what they are to the children on record.
        return Actor(user=user, municipality=None, family=Family(national_id=""))
    with scopes_disabled():
        memberships, roles, municipalities = _places(user)
    if not municipalities:
        return Actor(user=user, municipality=None)
    municipalities = sorted(municipalities.values(), key=lambda m: m.pk)
    chosen = next((m for m in municipalities if m.pk == municipality_id), municipalities[0])
    return Actor(
        user=user,
        municipality=chosen,
        services={sid: role for m, sid, role, _kind in memberships if m == chosen.pk},
        service_kinds={sid: kind for m, sid, _role, kind in memberships if m == chosen.pk},
        roles=frozenset(role for m, role in roles if m == chosen.pk),
        municipalities=tuple((m.pk, m.name) for m in municipalities),
    )


# Every column of the municipality, read through the membership or role row.
_MUNICIPALITY_FIELDS = [f.attname for f in Municipality._meta.concrete_fields]


def _places(user):
    """The person's active memberships (municipality id, service id, role, kind),
    municipality roles (municipality id, role) and the municipalities of both
    (id -> Municipality): built on every request, so in ONE query, a UNION of
    the two kinds of row, each carrying its municipality's columns."""
    columns = [f"municipality__{name}" for name in _MUNICIPALITY_FIELDS]
    memberships = Membership.objects.filter(user=user, active=True).order_by().values_list(
        Value("service", output_field=CharField()), "service_id", "role", "service__kind", *columns)
    roles = MunicipalityRole.objects.filter(user=user).order_by().values_list(
        Value("role", output_field=CharField()), Value(None, output_field=IntegerField()),
        "role", Value(None, output_field=CharField()), *columns)
    found, held, municipalities = [], [], {}
    for kind, service_id, role, service_kind, *values in memberships.union(roles, all=True):
        municipality = municipalities.get(values[0])  # values[0] is the municipality's id
        if municipality is None:
            municipality = municipalities[values[0]] = Municipality.from_db(
                memberships.db, _MUNICIPALITY_FIELDS, values)
        if kind == "service":
            found.append((municipality.pk, service_id, role, service_kind))
        else:
            held.append((municipality.pk, role))
    return found, held, municipalities
