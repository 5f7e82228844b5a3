import pytest
from django_scopes import scopes_disabled

from stafett.tenancy.models import Membership
from tests.conftest import _user


@pytest.fixture
def world(world):
    """The shared world plus Helga, a public health nurse at the health station
    (help services may start a relay directly), and Vidar in the adult service
    (mental health and addiction), who may too."""
    with scopes_disabled():
        world.health_nurse = _user("helga", "Helga", "Helsesøstersen")
        Membership.objects.create(
            municipality=world.fjordvik, service=world.health_station, user=world.health_nurse,
            role="employee",
        )
        world.adult_worker = _user("vidar", "Vidar", "Voksensen")
        Membership.objects.create(
            municipality=world.fjordvik, service=world.adult_service, user=world.adult_worker,
            role="employee",
        )
    return world
