import datetime as dt
from pathlib import Path

from django.utils import timezone
from django_scopes import scope
from lxml import etree

from stafett.concerns import actions as concern_actions
from stafett.relay import actions
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

# The official schema, compiled from its own folder (never the app's copy).
OFFICIAL = Path("/work/shared/standards/fiks-arkiv-v1")
OPPRETT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
KVITTERING = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"
_schemas = {}


def official(name=OPPRETT):
    if name not in _schemas:
        _schemas[name] = etree.XMLSchema(etree.parse(str(OFFICIAL / name)))
    return _schemas[name]


def assert_valid(xml: bytes, name=OPPRETT):
    document = etree.fromstring(xml)
    schema = official(name)
    assert schema.validate(document), schema.error_log
    return document


def closed_relay(world, *, minutes=True, name="Ella Strandvik"):
    """A relay with a consent and (by default) a meeting with minutes,
    closed by its holder through the real actions."""
    relay, _ = make_relay(world, name=name)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        if minutes:
            meeting = actions.plan_meeting(actor, relay, kind="network", starts_at=timezone.now(),
                                           place="Helsestasjonen")
            actions.record_minutes(actor, meeting, version=meeting.version,
                                   minutes="Vi møttes og ble enige.", decisions="Kveldsrutine.")
            relay.refresh_from_db()
        relay = actions.close_relay(actor, relay, version=relay.version, reason="goal_reached",
                                    summary="Ella sover hele natta nå.")
    return relay


def closed_concern(world, *, outcome="close"):
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.teacher)
        concern = concern_actions.decide(actor, concern, version=concern.version,
                                         outcome=outcome, reason="Det gikk over.")
        concern = concern_actions.close_concern(actor, concern, version=concern.version,
                                                reason="Ingen grunn til å gå videre.")
    return concern


def today():
    return dt.date.today()
