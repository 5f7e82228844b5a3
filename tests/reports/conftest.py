import pytest
from django_scopes import scopes_disabled

from stafett.lib import org_number
from stafett.tenancy.models import Membership
from tests.conftest import _user


@pytest.fixture
def world(world):
    """The shared world with organisation numbers (a report names its
    sender's), and Helga, a nurse at the health station who holds relays."""
    with scopes_disabled():
        world.fjordvik.organisation_number = org_number.make("99990101")
        world.fjordvik.save()
        world.kindergarten.organisation_number = org_number.make("99990201")
        world.kindergarten.save()
        world.health_nurse = _user("helga", "Helga", "Helsesøstersen", email="helga@example.invalid")
        Membership.objects.create(
            municipality=world.fjordvik, service=world.health_station, user=world.health_nurse,
            role="employee",
        )
        world.teacher.email = "kari@fjordvik.example"
        world.teacher.save()
    return world
