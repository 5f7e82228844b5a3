"""Who is asking: a person in one municipality, with their services and roles.

Built once per request by the tenancy middleware, so every policy question
is answered from memory without further queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django_scopes import scopes_disabled


@dataclass(frozen=True)
class Actor:
    user: object
    municipality: object | None
    # service id -> role ("employee" | "leader")
    services: dict[int, str] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()

    @property
    def is_staff_member(self) -> bool:
        """Works in the municipality: has a service or a municipality role."""
        return self.municipality is not None and bool(self.services or self.roles)

    @property
    def service_ids(self) -> set[int]:
        return set(self.services)

    @property
    def led_service_ids(self) -> set[int]:
        return {sid for sid, role in self.services.items() if role == "leader"}

    def works_in(self, service_id: int) -> bool:
        return service_id in self.services

    def leads(self, service_id: int) -> bool:
        return self.services.get(service_id) == "leader"

    @property
    def is_coordinator(self) -> bool:
        return "coordinator" in self.roles


ANONYMOUS = Actor(user=None, municipality=None)


def build_actor(user, municipality_id: int | None = None) -> Actor:
    """The actor for `user`, in `municipality_id` if they work in several."""
    from stafett.tenancy.models import Membership, MunicipalityRole

    if user is None or not user.is_authenticated:
        return ANONYMOUS
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, active=True)
            .select_related("municipality")
            .values_list("municipality_id", "service_id", "role")
        )
        roles = list(
            MunicipalityRole.objects.filter(user=user)
            .select_related("municipality")
            .values_list("municipality_id", "role")
        )
        municipality_ids = sorted({m for m, *_ in memberships} | {m for m, _ in roles})
        if not municipality_ids:
            return Actor(user=user, municipality=None)
        chosen = municipality_id if municipality_id in municipality_ids else municipality_ids[0]
        from stafett.tenancy.models import Municipality

        municipality = Municipality.objects.get(pk=chosen)
    return Actor(
        user=user,
        municipality=municipality,
        services={sid: role for m, sid, role in memberships if m == chosen},
        roles=frozenset(role for m, role in roles if m == chosen),
    )
