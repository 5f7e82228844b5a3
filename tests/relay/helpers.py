import datetime as dt

from django_scopes import scope

from stafett.relay import actions


def make_relay(world, *, holder=None, service=None, level=1, consent_services=None,
               guardians=1, name="Ella Strandvik"):
    """A relay started directly by the health station (or `service`), with
    guardians and a consent covering `consent_services` (default: the holder's
    service and the school)."""
    holder = holder or world.health_nurse
    service = service or world.health_station
    today = dt.date.today()
    with scope(municipality=world.fjordvik):
        actor = world.actor(holder)
        relay = actions.start_relay(
            actor, service=service, level=level, area_of_concern="Søvn og trygghet hjemme.",
            child={"name": name, "birth_date": today - dt.timedelta(days=6 * 365),
                   "expected_date": None, "national_id": ""},
        )
        parents = [
            actions.add_guardian(actor, relay, name=f"Forelder {i}", relation="mor" if i == 0 else "far")
            for i in range(guardians)
        ]
        if consent_services is None:
            consent_services = [service, world.school]
        if consent_services:
            actions.give_consent(
                actor, relay, guardians=parents, child_consents=False, services=consent_services,
                purpose="Samarbeid om søvn og trygghet.", given_on=today,
                valid_until=today + dt.timedelta(days=365), method="digital",
            )
        relay.refresh_from_db()
    return relay, parents
