"""Closed cases to extract: a relay with a consent, minutes and a corrected
entry, and a worry closed with a decision; and the schemas of the standard."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scope

from stafett.concerns import actions as concern_actions
from stafett.relay import actions as relay_actions
from tests.concerns.helpers import make_concern
from tests.relay.conftest import world  # noqa: F401  (the world with Helga, the nurse)
from tests.relay.helpers import make_relay

STANDARDS = Path("/work/shared/standards/noark5-v5.0")


@pytest.fixture(autouse=True)
def extract_dirs(tmp_path, settings):
    """Each test's extracts land in a folder of its own, with the official XSDs.
    Documents are rendered in the test's own process (starting the helper
    process costs seconds); the test of the whole extract uses the helper."""
    settings.STAFETT_EXTRACT_DIR = tmp_path / "extracts"
    settings.STAFETT_NOARK5_SCHEMA_DIR = str(STANDARDS)
    settings.STAFETT_EXTRACT_RENDER_BATCH = 0
    return settings.STAFETT_EXTRACT_DIR


def close_a_relay(world, name="Ella Strandvik"):  # noqa: F811
    """A relay with a consent, one meeting with minutes, a corrected note, closed."""
    relay, _parents = make_relay(world, name=name)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        meeting = relay_actions.plan_meeting(
            actor, relay, kind="network", starts_at=timezone.now() - dt.timedelta(days=1),
            place="Helsestasjonen")
        relay_actions.record_minutes(actor, meeting, version=meeting.version,
                                     minutes="Vi ble enige om faste leggetider.",
                                     decisions="Ny samtale om fire uker.")
        entry = relay_actions.add_entry(actor, relay, kind="note", text="Sover bedre nå.")
        relay_actions.correct_entry(actor, entry, text="Sover mye bedre nå.")
        relay.refresh_from_db()
        relay_actions.close_relay(actor, relay, version=relay.version, reason="goal_reached",
                                  summary="Målet er nådd: Ella sover godt.")
        relay.refresh_from_db()
    return relay


def close_a_concern(world, name="Nora Bakke", serial=7):  # noqa: F811
    concern = make_concern(world, name=name, serial=serial)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = concern_actions.decide(actor, concern, version=concern.version, outcome="close",
                                         reason="Det gikk over.")
        concern = concern_actions.close_concern(actor, concern, version=concern.version,
                                                reason="Ingen grunn til å gå videre.")
    return concern
