"""No audit row for a request that ends in 404 (issue 8, point 4): the object
and its part are loaded and checked inside the read, before anything is
recorded. Helga holds two relays; every page of one relay asked for a part of
the other answers 404 and writes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.audit.models import AuditEvent
from stafett.relay import actions
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay


def _events(world):
    with scope(municipality=world.fjordvik):
        return AuditEvent.objects.count()


@pytest.fixture
def two_relays(world):
    first, _ = make_relay(world, name="Ella Strandvik")
    second, parents = make_relay(world, name="Noah Fjellheim")
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        goal = actions.add_goal(actor, second, title="Bedre søvn", indicator="Sover hele natta.")
        measure = actions.add_measure(
            actor, second, what="Søvndagbok", responsible_service=world.health_station,
            starts_on=timezone.localdate(), deadline=timezone.localdate(),
            evaluate_on=timezone.localdate(),
        )
        meeting = actions.plan_meeting(actor, second, kind="planning", starts_at=timezone.now(),
                                       place="Helsestasjonen")
        entry = actions.add_entry(actor, second, kind="note", text="Et notat.")
    return first, {"goal": goal, "measure": measure, "meeting": meeting, "entry": entry,
                   "guardian": parents[0]}


def test_a_part_of_another_relay_answers_404_and_records_nothing(world, two_relays):
    first, parts = two_relays
    helga = world.client_for(world.health_nurse)
    requests = [
        ("get", reverse("relay_content:goal", args=[first.pk, parts["goal"].pk])),
        ("post", reverse("relay_content:goal_achieved", args=[first.pk, parts["goal"].pk])),
        ("get", reverse("relay_content:measure", args=[first.pk, parts["measure"].pk])),
        ("get", reverse("relay_content:meeting", args=[first.pk, parts["meeting"].pk])),
        ("get", reverse("relay_content:meeting_minutes", args=[first.pk, parts["meeting"].pk])),
        ("get", reverse("relay_content:entry_correct", args=[first.pk, parts["entry"].pk])),
        ("get", reverse("relay_content:entry_withhold", args=[first.pk, parts["entry"].pk])),
        ("get", reverse("relay:guardian_copy", args=[first.pk]) + f"?foresatt={parts['guardian'].pk}"),
        ("get", reverse("relay:guardian_copy", args=[first.pk]) + "?foresatt=99999999999999999999999"),
        ("get", reverse("relay:consent_scan", args=[first.pk, 1])),
    ]
    for method, url in requests:
        before = _events(world)
        data = {"version": 1} if method == "post" else None
        response = getattr(helga, method)(url, data) if data else getattr(helga, method)(url)
        assert response.status_code == 404, url
        assert _events(world) == before, f"{url} left an audit row"
    # The same pages with the relay's own parts are read, and audited once.
    before = _events(world)
    own = reverse("relay_content:goal", args=[parts["goal"].relay_id, parts["goal"].pk])
    assert helga.get(own).status_code == 200
    assert _events(world) == before + 1


def test_a_level_change_at_a_meeting_that_cannot_decide_records_nothing(world, two_relays):
    first, _parts = two_relays
    with scope(municipality=world.fjordvik):
        planning = actions.plan_meeting(world.actor(world.health_nurse), first, kind="planning",
                                        starts_at=timezone.now(), place="Helsestasjonen")
    before = _events(world)
    response = world.client_for(world.health_nurse).post(
        reverse("relay_content:meeting_minutes", args=[first.pk, planning.pk]),
        {"step": "level", "to_level": 2, "reason": "Trenger skolen"},
    )
    assert response.status_code == 404
    assert _events(world) == before


def test_a_step_the_leader_may_not_take_records_nothing(world):
    """Leif may read the shared worry but not rewrite its description."""
    concern = make_concern(world, shared=True)
    before = _events(world)
    response = world.client_for(world.leader).post(
        reverse("concerns:step", args=[concern.pk, "define"]),
        {"version": concern.version, "observations": "Overskrevet.", "questions": ""},
    )
    assert response.status_code == 404
    assert _events(world) == before
    concern.refresh_from_db()
    assert concern.observations != "Overskrevet."
