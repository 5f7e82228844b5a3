"""The implementation status of BTI for the council's report: the catalogue
of measures, the survey waves, onboarding completion and feedback.

These count employees and offers, never children, so they are not put
through the suppression (docs/suppression.md says why); nothing here reads
a name, an answer or a feedback's text. Four queries, whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from stafett.catalog.models import CatalogMeasure
from stafett.feedback.models import Feedback
from stafett.onboarding.status import completion_by_service
from stafett.surveys.models import Wave

WAVES_SHOWN = 10


@dataclass
class Onboarding:
    service: str
    members: int
    completed: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.completed / self.members) if self.members else None


@dataclass
class Status:
    catalogue: list  # [(service name, active measures, last updated)]
    waves: list  # [(title, status label, invited, answered)]
    onboarding: list[Onboarding]
    feedback: list  # [(status label, count)]


def status(municipality, service_ids) -> Status:
    catalogue = [
        (name, n, last) for name, n, last in
        CatalogMeasure.objects.filter(municipality=municipality, active=True, service_id__in=service_ids)
        .values_list("service__name").annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by("service__name")
    ]
    waves = [
        (title, Wave.Status(state).label, invited, answered) for title, state, invited, answered in
        Wave.objects.filter(municipality=municipality)
        .annotate(invited=Count("invitations"),
                  answered=Count("invitations", filter=Q(invitations__answered=True)))
        .values_list("title", "status", "invited", "answered")[:WAVES_SHOWN]
    ]
    onboarding = [
        Onboarding(row.service_name, row.active_members, row.completed)
        for row in completion_by_service(municipality, service_ids)
    ]
    by_status = dict(Feedback.objects.filter(municipality=municipality).values_list("status")
                     .annotate(n=Count("pk")).order_by())
    feedback = [(label, by_status.get(value, 0)) for value, label in Feedback.Status.choices]
    return Status(catalogue, waves, onboarding, feedback)
