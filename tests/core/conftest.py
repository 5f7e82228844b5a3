import pytest
from django_scopes import scopes_disabled

from stafett.tenancy.models import Membership
from tests.conftest import _user


@pytest.fixture
def helga(world):
    """Helga, a public health nurse at the health station: help services start a
    relay directly (tests/relay/helpers.make_relay holds it with her)."""
    with scopes_disabled():
        world.health_nurse = _user("helga", "Helga", "Helsesøstersen")
        Membership.objects.create(
            municipality=world.fjordvik, service=world.health_station, user=world.health_nurse,
            role="employee",
        )
    return world.health_nurse
