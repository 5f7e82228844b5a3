import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from stafett.concerns.models import Concern
from stafett.tenancy.models import Service
from tests.concerns.helpers import make_concern


def test_query_outside_a_municipality_scope_fails(world):
    with pytest.raises(ScopeError):
        list(Service.objects.all())
    with pytest.raises(ScopeError):
        list(Concern.objects.all())


def test_scope_shows_only_its_own_municipality(world):
    make_concern(world)
    with scope(municipality=world.asheim):
        assert not Concern.objects.exists()
        assert {s.municipality_id for s in Service.objects.all()} == {world.asheim.pk}
    with scope(municipality=world.fjordvik):
        assert Concern.objects.count() == 1
