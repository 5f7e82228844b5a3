"""The coordinator sets the municipality's thresholds; nobody else can."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.followup import engine
from stafett.followup.models import Break, FollowUpSettings
from tests.concerns.helpers import make_concern

URL = "followup:settings"


def _post(client, **days):
    data = {"concern_idle_days": 14, "holder_inactive_days": 30, "handover_days": 7,
            "consent_warning_days": 30, "relay_idle_days": 45, "transition_days": 90} | days
    return client.post(reverse(URL), data)


def test_the_coordinator_sets_a_threshold_and_the_rules_use_it(world):
    client = world.client_for(world.coordinator)
    assert client.get(reverse(URL)).status_code == 200
    assert _post(client, concern_idle_days=3).status_code == 302
    make_concern(world)
    engine.run_rules(timezone.now() + dt.timedelta(days=4))
    with scopes_disabled():
        assert FollowUpSettings.objects.get(municipality=world.fjordvik).concern_idle_days == 3
        assert Break.objects.filter(rule="concern_idle", mended_at__isnull=True).count() == 1


@pytest.mark.parametrize("value", ["0", "366", "x", ""])
def test_bad_numbers_get_a_message_and_save_nothing(world, value):
    client = world.client_for(world.coordinator)
    response = _post(client, relay_idle_days=value)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    with scope(municipality=world.fjordvik):
        assert engine.settings_for(world.fjordvik).relay_idle_days == 45


@pytest.mark.parametrize("who", ["teacher", "leader", "other_leader", "outsider", "operator"])
def test_everyone_else_is_refused(world, who):
    client = world.client_for(getattr(world, who))
    assert client.get(reverse(URL)).status_code == 404
    assert _post(client, relay_idle_days=1).status_code == 404
    with scopes_disabled():
        assert not FollowUpSettings.objects.filter(relay_idle_days=1).exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
