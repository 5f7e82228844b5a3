"""The implementation status of BTI for the council's report: the catalogue
of measures, the survey waves, onboarding completion and feedback.

These count employees and offers, never children, so they are not put
through the suppression (docs/suppression.md says why); nothing here reads
a name, an answer or a feedback's text. Four queries, whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from stafett.catalog.models import CatalogMeasure
from stafett.feedback.models import Feedback
from stafett.onboarding.models import Part, PartCompletion
from stafett.surveys.models import Wave
from stafett.tenancy.models import Membership

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
    parts = (PartCompletion.objects.filter(municipality=municipality, user=OuterRef("user"),
                                           part__in=Part.values)
             .values("user").annotate(n=Count("part", distinct=True)).values("n"))
    onboarding = [
        Onboarding(name, members, completed) for name, members, completed in
        Membership.objects.filter(municipality=municipality, active=True, user__is_active=True,
                                  service_id__in=service_ids)
        .annotate(done=Coalesce(Subquery(parts, output_field=IntegerField()), 0))
        .values_list("service__name")
        .annotate(members=Count("user", distinct=True),
                  completed=Count("user", distinct=True, filter=Q(done__gte=len(Part.values))))
        .order_by("service__name")
    ]
    by_status = dict(Feedback.objects.filter(municipality=municipality).values_list("status")
                     .annotate(n=Count("pk")).order_by())
    feedback = [(label, by_status.get(value, 0)) for value, label in Feedback.Status.choices]
    return Status(catalogue, waves, onboarding, feedback)
