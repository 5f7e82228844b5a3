import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.surveys.models import Wave
from stafett.tenancy.models import Membership
from tests.conftest import _user

from .helpers import answer, open_wave, staff


@pytest.fixture
def two_waves(world):
    """A closed baseline and a running repeat in all four services of
    Fjordvik, answered in small and larger numbers, and Tove, who leads both
    the health station and the adult service (her view is a subtotal nobody
    else sees)."""
    w = world
    people = {
        "kindergarten": [w.teacher, w.leader, w.colleague, *staff(w, w.kindergarten, 5, "bhg")],
        "school": [w.other_employee, w.other_leader, *staff(w, w.school, 3, "skole")],
        "health_station": staff(w, w.health_station, 7, "helse"),
        "adult_service": staff(w, w.adult_service, 3, "voksen"),
    }
    with scopes_disabled():
        tove = _user("tove", "Tove", "Tjenestesen")
        for service in (w.health_station, w.adult_service):
            Membership.objects.create(municipality=w.fjordvik, service=service, user=tove, role="leader")
    services = [w.kindergarten, w.school, w.health_station, w.adult_service]
    baseline = open_wave(w, services, title="Kartlegging 2025")
    # Baseline: 7, 3, 6, 2 answered -> school and adult hidden (5 together).
    for key, n in (("kindergarten", 7), ("school", 3), ("health_station", 6), ("adult_service", 2)):
        for i, user in enumerate(people[key][:n]):
            answer(w, user, baseline, value=1 + (i % 5), text=f"Tekst fra {key} nummer {i}.")
    with scopes_disabled():
        Wave.objects.filter(pk=baseline.pk).update(status=Wave.Status.CLOSED, closed_at=timezone.now())
    repeat = open_wave(w, services, title="Kartlegging 2026", baseline=False)
    # Repeat: 6, 4, 5, 0 -> school hidden alone (4), so the health station is hidden too.
    for key, n in (("kindergarten", 6), ("school", 4), ("health_station", 5)):
        for i, user in enumerate(people[key][:n]):
            answer(w, user, repeat, value=5 - (i % 5))
    return {"baseline": baseline, "repeat": repeat, "people": people, "tove": tove,
            "readers": [w.coordinator, w.leader, w.other_leader, tove]}
