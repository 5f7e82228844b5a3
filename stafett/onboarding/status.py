"""Completion of the introduction, counted: for the start page, the status
page and the leadership view's council report. Completion only, never an
answer (none is stored). Each function makes a fixed number of queries
whatever the number of people and services.

"Active members" are the people with an active membership of the service and
an active account: the same people the Actor lets work there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django_scopes import scope

from stafett.tenancy.models import Membership, Service

from .models import Part, PartCompletion

ALL_PARTS = len(Part.values)


@dataclass(frozen=True)
class ServiceCompletion:
    service_id: int
    service_name: str
    active_members: int
    completed: int


def parts_done(actor) -> set[str]:
    """The parts the person has completed. One query."""
    return set(PartCompletion.objects.filter(
        municipality=actor.municipality, user=actor.user).values_list("part", flat=True))


def _completed_users(municipality):
    """The ids of people who have completed every part, as a subquery."""
    return (PartCompletion.objects.filter(municipality=municipality).values("user")
            .annotate(n=Count("part")).filter(n__gte=ALL_PARTS).values("user"))


def completion_by_service(municipality, service_ids=None) -> list[ServiceCompletion]:
    """Per service (by name): active members, and how many of them have
    completed every part. One query; `service_ids` narrows the services."""
    with scope(municipality=municipality):
        active = Q(memberships__active=True, memberships__user__is_active=True)
        services = Service.objects.filter(municipality=municipality)
        if service_ids is not None:
            services = services.filter(pk__in=service_ids)
        rows = services.annotate(
            active_members=Count("memberships__user", filter=active, distinct=True),
            completed=Count("memberships__user", distinct=True, filter=active & Q(
                memberships__user__in=_completed_users(municipality))),
        ).order_by("name", "pk").values_list("pk", "name", "active_members", "completed")
        return [ServiceCompletion(*row) for row in rows]


def active_members(municipality, service_ids):
    """The active memberships of these services, for a paginated list."""
    return (Membership.objects.filter(municipality=municipality, service_id__in=service_ids,
                                      active=True, user__is_active=True)
            .select_related("user", "service")
            .order_by("service__name", "user__last_name", "user__first_name", "pk"))


@dataclass(frozen=True)
class PersonCompletion:
    parts: int
    completed_at: dt.datetime | None  # when the last part was completed, once all are


def completion_of(municipality, user_ids) -> dict[int, PersonCompletion]:
    """How far each of these people has come. One query."""
    rows = (PartCompletion.objects.filter(municipality=municipality, user_id__in=user_ids)
            .values("user").annotate(n=Count("part"), last=Max("completed_at"))
            .values_list("user", "n", "last"))
    return {user: PersonCompletion(n, last if n >= ALL_PARTS else None) for user, n, last in rows}
