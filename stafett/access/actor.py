"""Who is asking: a person in one municipality, with the services they are an
active member of and their roles there; or a citizen (a guardian, or the
young person), with the children they may see.

Built once per request (stafett.tenancy.actors.build_actor), so every policy
question is answered from memory. The kernel knows no model: an actor holds
ids, and the municipality object only to scope queries and show its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Family:
    """What a citizen is to the children on record, from their national
    identity number (stafett.citizen.actors.build_citizen_actor).

    `guardianships` are (municipality id, guardian id, child id) for each
    registration as a guardian WITH parental responsibility: only those see
    the log. `own_children` are (municipality id, child id) for the person's
    own child record, once they have reached the municipality's consent age.
    """

    national_id: str
    guardianships: tuple[tuple[int, int, int], ...] = ()
    own_children: tuple[tuple[int, int], ...] = ()

    @property
    def child_ids(self) -> set[int]:
        return {c for _m, _g, c in self.guardianships} | {c for _m, c in self.own_children}

    def guardian_for(self, child_id: int) -> int | None:
        """The person's guardian row for this child, if they are its guardian."""
        return next((g for _m, g, c in self.guardianships if c == child_id), None)

    def is_the_child(self, child_id: int) -> bool:
        return any(c == child_id for _m, c in self.own_children)


@dataclass(frozen=True)
class Actor:
    user: object
    municipality: object | None
    # service id -> role ("employee" | "leader"), ACTIVE memberships only: every
    # right that comes from working in a service ends with the membership.
    services: dict[int, str] = field(default_factory=dict)
    # service id -> its kind (basis | hjelpe | voksen | spesialist), for the
    # same active memberships: read with them, so a page asking "may I start
    # a relay here" needs no query of its own.
    service_kinds: dict[int, str] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    # Every municipality the person works in, as (id, name): someone in an
    # inter-municipal service chooses which one they act in.
    municipalities: tuple[tuple[int, str], ...] = ()
    # Set for a citizen, and then the actor has no municipality, service or role.
    family: Family | None = None

    @property
    def is_citizen(self) -> bool:
        return self.family is not None

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

    def works_in_kind(self, kinds) -> bool:
        """Is the person an active member of a service of one of `kinds`?"""
        return any(kind in kinds for kind in self.service_kinds.values())

    def works_in(self, service_id: int | None) -> bool:
        return service_id in self.services

    def leads(self, service_id: int | None) -> bool:
        return self.services.get(service_id) == "leader"

    @property
    def is_coordinator(self) -> bool:
        return "coordinator" in self.roles

    def is_user(self, user_id: int | None) -> bool:
        return self.user is not None and user_id is not None and user_id == self.user.pk


ANONYMOUS = Actor(user=None, municipality=None)


def stand_in_actor(user, employee_ids, led_ids) -> Actor:
    """A staff actor with these ids (a user id, the services worked in and
    those led): the policies' querysets read only these of an actor, so a
    prepared statement (stafett.lib.prepared) can be written from them."""
    services = {**dict.fromkeys(employee_ids, "employee"), **dict.fromkeys(led_ids, "leader")}
    return Actor(user=user, municipality=True, services=services)
