"""Building the request's actor from the person's active memberships and roles."""

from __future__ import annotations

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
        memberships = list(
            Membership.objects.filter(user=user, active=True)
            .values_list("municipality_id", "service_id", "role")
        )
        roles = list(MunicipalityRole.objects.filter(user=user).values_list("municipality_id", "role"))
        municipality_ids = {m for m, *_ in memberships} | {m for m, _ in roles}
        if not municipality_ids:
            return Actor(user=user, municipality=None)
        municipalities = list(Municipality.objects.filter(pk__in=municipality_ids).order_by("pk"))
    chosen = next((m for m in municipalities if m.pk == municipality_id), municipalities[0])
    return Actor(
        user=user,
        municipality=chosen,
        services={sid: role for m, sid, role in memberships if m == chosen.pk},
        roles=frozenset(role for m, role in roles if m == chosen.pk),
        municipalities=tuple((m.pk, m.name) for m in municipalities),
    )
