"""One open relay per child, by both ways of starting one, also at the same
moment; and the service that comes second is included only if the family
says yes, learning nothing of the relay before that."""

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.lib.national_id import make_synthetic
from stafett.relay import actions
from stafett.relay.models import InclusionRequest, Participant, Relay
from tests.concerns.helpers import BIRTH, make_concern
from tests.conftest import nb

# The child of tests.concerns.helpers.make_concern (serial 0).
ELLA = {"name": "Ella Strandvik", "birth_date": BIRTH, "expected_date": None,
        "national_id": make_synthetic(BIRTH, 0)}
ALREADY = ("A stafettlogg already exists for this child, so no new one was created. The family "
           "will be asked whether your service may take part, and you will be told the answer.")


def start(world, user, service, child=ELLA, level=2, **kwargs):
    with scope(municipality=world.fjordvik):
        return actions.start_relay(world.actor(user), service=service, level=level,
                                   area_of_concern="Søvn og trygghet.", child=dict(child), **kwargs)


def relays():
    with scopes_disabled():
        return list(Relay.objects.order_by("pk"))


def requests():
    with scopes_disabled():
        return list(InclusionRequest.objects.order_by("pk"))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def post_direct_start(world, user, service, child=ELLA):
    return world.client_for(user).post(reverse("relay:new"), {
        "service": service.pk, "child_name": child["name"],
        "birth_date": child["birth_date"].isoformat(), "expected_date": "",
        "national_id": child["national_id"], "level": "2", "area_of_concern": "Fravær.",
    }, follow=True)


def helga_holds_ellas_relay(world):
    """Helga's relay for Ella, with Ella's mother and a consent for the health station."""
    relay = start(world, world.health_nurse, world.health_station)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        mother = actions.add_guardian(nurse, relay, name="Trine Strandvik", relation="mor")
        actions.give_consent(
            nurse, relay, guardians=[mother], child_consents=False,
            services=[world.health_station], purpose="Søvn.", given_on=dt.date.today(),
            valid_until=dt.date.today() + dt.timedelta(days=200), method="digital",
        )
    return relay, mother


# --- the same child twice -------------------------------------------------------------


def test_a_direct_start_for_a_child_with_an_open_relay_creates_nothing(world):
    helgas = start(world, world.health_nurse, world.health_station)
    vidars = start(world, world.adult_worker, world.adult_service,
                   child=ELLA | {"name": "Ella Marie Strandvik"})
    assert isinstance(vidars, InclusionRequest)
    assert relays() == [helgas]
    assert (vidars.relay, vidars.service, vidars.requested_by) == (
        helgas, world.adult_service, world.adult_worker)
    assert vidars.child_name == "Ella Marie Strandvik" and vidars.is_pending
    # Trying again asks once, not twice.
    assert start(world, world.adult_worker, world.adult_service) == vidars
    assert requests() == [vidars]
    # Helga herself is told plainly: she holds it.
    with pytest.raises(ValidationError, match=re.escape(nb("This child already has an open relay."))):
        start(world, world.health_nurse, world.health_station)
    assert relays() == [helgas]


def test_a_start_from_a_worry_meets_the_direct_one(world):
    """Kari's worry about Ella goes on at level 1 while Helga holds Ella's relay;
    then the other way round: Kari's relay first, Helga's direct start second."""
    helgas = start(world, world.health_nurse, world.health_station)
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        kari = world.actor(world.teacher)
        concern = concern_actions.decide(kari, concern, version=concern.version,
                                         outcome="level1", reason="Videre.")
        asked = actions.start_relay(kari, concern=concern, service=world.kindergarten, level=1,
                                    area_of_concern="Søvn.")
    assert isinstance(asked, InclusionRequest) and asked.concern == concern
    assert asked.child_name == concern.child_name
    assert relays() == [helgas]
    # Now the other order, for another child: Kari starts first from her worry.
    other = make_concern(world, name="Noah Bergly", serial=1)
    with scope(municipality=world.fjordvik):
        other = concern_actions.decide(kari, other, version=other.version, outcome="level2",
                                       reason="Videre.")
        karis = actions.start_relay(kari, concern=other, service=world.kindergarten, level=2,
                                    area_of_concern="Søvn.")
    assert isinstance(karis, Relay)
    noah = {"name": "Noah Bergly", "birth_date": BIRTH, "expected_date": None,
            "national_id": make_synthetic(BIRTH, 1)}
    assert isinstance(start(world, world.health_nurse, world.health_station, child=noah),
                      InclusionRequest)
    assert relays() == [helgas, karis]


def test_the_page_says_only_that_the_family_will_be_asked(world):
    relay, _mother = helga_holds_ellas_relay(world)
    with scopes_disabled():
        before = AuditEvent.objects.count()
    response = post_direct_start(world, world.adult_worker, world.adult_service)
    assert response.redirect_chain[-1][0] == reverse("relay:mine")
    page = text(response)
    assert nb(ALREADY) in page
    # Nothing of the relay: not its holder, her service, its level or the mother.
    for secret in ("Helga", "Helsesøstersen", world.health_station.name, "Trine",
                   "Søvn og trygghet", reverse("relay:detail", args=[relay.pk])):
        assert secret not in page
    assert relays() == [relay]
    [asked] = requests()
    # Vidar's own list shows the child as he typed it, and only that the family will be asked.
    assert nb("the family will be asked") in page and "Ella Strandvik" in page
    with scopes_disabled():
        event = AuditEvent.objects.get(action="request_inclusion")
        assert (event.actor, event.object_type, event.object_id, event.child_id) == (
            world.adult_worker, "inclusionrequest", asked.pk, relay.child_id)
        assert AuditEvent.objects.count() > before


def test_the_worry_page_tells_the_author_the_family_will_be_asked(world):
    helga_holds_ellas_relay(world)
    concern = make_concern(world, author=world.other_employee, service=world.school)
    with scope(municipality=world.fjordvik):
        concern = concern_actions.decide(world.actor(world.other_employee), concern,
                                         version=concern.version, outcome="level2",
                                         reason="Trenger samarbeid.")
    olav = world.client_for(world.other_employee)
    response = olav.post(reverse("relay:start_from_concern", args=[concern.pk]),
                         {"level": "2", "area_of_concern": "Fravær."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("concerns:detail", args=[concern.pk])
    page = text(response)
    assert nb(ALREADY) in page and "Helga" not in page
    assert nb("The child already had a stafettlogg when you tried to start one. The family will "
              "be asked whether your service may take part.") in page
    assert len(relays()) == 1


def test_after_the_relay_is_closed_a_new_one_may_start(world):
    helgas = start(world, world.health_nurse, world.health_station)
    with scope(municipality=world.fjordvik):
        helgas.refresh_from_db()
        actions.close_relay(world.actor(world.health_nurse), helgas, version=helgas.version,
                            reason="goal_reached", summary="Sover godt nå.")
    vidars = start(world, world.adult_worker, world.adult_service)
    assert isinstance(vidars, Relay) and vidars.child_id == helgas.child_id
    assert vidars.holder == world.adult_worker


# --- the holder asks the family --------------------------------------------------------


def test_helga_sees_the_request_and_the_family_decides(world):
    relay, mother = helga_holds_ellas_relay(world)
    start(world, world.adult_worker, world.adult_service)
    [asked] = requests()
    helga, vidar = world.client_for(world.health_nurse), world.client_for(world.adult_worker)
    detail = reverse("relay:detail", args=[relay.pk])

    overview = helga.get(detail)
    assert overview.context["inclusion_requests"] == [asked]
    extend = reverse("relay:extend_consent", args=[relay.pk]) + f"?inkluder={asked.pk}"
    assert extend in overview.content.decode()
    # Only the holder sees who asked; Vidar cannot open the relay at all.
    assert vidar.get(detail).status_code == 404
    assert vidar.get(extend).status_code == 404

    # The consent page has the adult service ticked.
    form = helga.get(extend).context["form"]
    assert set(form.initial["services"]) == {world.health_station.pk, world.adult_service.pk}

    # The family said no: Vidar is still refused and told only that.
    decline = reverse("relay:decline_inclusion", args=[relay.pk, asked.pk])
    assert vidar.post(decline).status_code == 404
    assert helga.post(decline).status_code == 302
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.responded_by == world.health_nurse
    assert helga.get(detail).context["inclusion_requests"] == []
    assert vidar.get(detail).status_code == 404
    mine = text(vidar.get(reverse("relay:mine")))
    assert nb("the family did not consent") in mine and "Helga" not in mine
    assert helga.post(decline).status_code == 404  # answered once

    # Vidar asks again; this time the family consents to the adult service.
    again = start(world, world.adult_worker, world.adult_service)
    assert again != asked and again.is_pending
    extend = reverse("relay:extend_consent", args=[relay.pk]) + f"?inkluder={again.pk}"
    response = helga.post(extend, {
        "guardians": [mother.pk], "services": [world.health_station.pk, world.adult_service.pk],
        "purpose": "Søvn, og mors oppfølging.", "given_on": dt.date.today().isoformat(),
        "valid_until": (dt.date.today() + dt.timedelta(days=200)).isoformat(),
        "method": "digital",
    })
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == "accepted"
    with scopes_disabled():
        assert Participant.objects.filter(relay=relay, service=world.adult_service,
                                          user=world.adult_worker, left_at=None).exists()
        assert {e.action for e in AuditEvent.objects.filter(object_id=again.pk,
                                                            object_type="inclusionrequest")} == {
            "request_inclusion", "accept_inclusion"}
        assert AuditEvent.objects.filter(action="decline_inclusion", object_id=asked.pk,
                                         object_type="inclusionrequest",
                                         actor=world.health_nurse).exists()
        # Nothing of the request lands in the relay's own trail, but the one who joined does.
        assert not AuditEvent.objects.filter(object_type="relay", object_id=relay.pk,
                                             action__contains="inclusion").exists()
        assert AuditEvent.objects.filter(object_type="relay", object_id=relay.pk,
                                         action="add_participant").exists()
    assert vidar.get(detail).status_code == 200


def test_only_the_holder_answers_a_request(world):
    relay, _ = helga_holds_ellas_relay(world)
    asked = start(world, world.adult_worker, world.adult_service)
    for user in (world.adult_worker, world.teacher, world.coordinator, world.other_employee):
        with scope(municipality=world.fjordvik), pytest.raises(actions.Forbidden):
            actions.decline_inclusion(world.actor(user), asked)
    asked.refresh_from_db()
    assert asked.is_pending


# --- at the same moment (PostgreSQL) -----------------------------------------------------


def _at_once(world, starters):
    """Run start_relay for each (user, service) in its own thread and database
    connection, all released together by a barrier."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent starts need PostgreSQL's row locks")
    barrier = threading.Barrier(len(starters))
    results, errors = [], []

    def run(user, service):
        try:
            with scope(municipality=world.fjordvik):
                actor = world.actor(user)
                barrier.wait(timeout=30)
                results.append(actions.start_relay(actor, service=service, level=2,
                                                   area_of_concern="Fravær.", child=dict(ELLA)))
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=starter) for starter in starters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


# Two races: for a child nobody has registered (both create the Child row), and
# for one known from a worry (both find it and go for the relay).
known_or_new = pytest.mark.parametrize("known", [False, True], ids=["new child", "known child"])


@pytest.mark.django_db(transaction=True)
@known_or_new
def test_two_services_starting_at_once_give_one_relay(world, known):
    if known:
        make_concern(world)
    results, errors = _at_once(world, [(world.health_nurse, world.health_station),
                                       (world.adult_worker, world.adult_service)])
    assert errors == []
    assert len(relays()) == 1
    [relay] = [r for r in results if isinstance(r, Relay)]
    [asked] = [r for r in results if isinstance(r, InclusionRequest)]
    assert asked.relay == relay and asked.service != relay.holder_service
    with scopes_disabled():
        assert relay.child.__class__.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@known_or_new
def test_the_same_start_sent_twice_at_once_gives_one_relay(world, known):
    if known:
        make_concern(world)
    results, errors = _at_once(world, [(world.health_nurse, world.health_station)] * 2)
    assert len(relays()) == 1 and len(results) == 1 and requests() == []
    [error] = errors
    assert isinstance(error, ValidationError)
