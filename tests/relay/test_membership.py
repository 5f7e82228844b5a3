"""Access follows active membership (issue 8, point 3): every right that comes
from being an author, holder, participant or leader ends when the person's
membership of the record's service ends. A departed author's worries stay with
the service; a departed holder's relay gets a new holder appointed by the
service's leader — or, where it has none, by the BTI coordinator, who sees
only the child's name and the services."""

import threading

import lxml.html
import pytest
from django.db import connection, connections
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.access.rules import Forbidden
from stafett.audit.models import AuditEvent, LegalBasis
from stafett.concerns import actions as concern_actions
from stafett.relay import actions
from stafett.relay.models import Handover
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.conftest import _user, nb

from .helpers import make_relay


def _leave(user, service):
    with scopes_disabled():
        Membership.objects.filter(user=user, service=service).update(active=False)


def _join(world, user, service, role="employee"):
    with scopes_disabled():
        Membership.objects.update_or_create(
            user=user, service=service,
            defaults={"municipality": service.municipality, "role": role, "active": True},
        )


def _status(world, user, url):
    return world.client_for(user).get(url).status_code


# --- worries -------------------------------------------------------------------------


def test_an_author_who_moves_leaves_her_worries_behind(world):
    """Kari moves from the kindergarten to the school: her kindergarten worry
    is closed to her at once, and Leif, the kindergarten's leader, now sees it
    (though it was never shared) and gives it to Kasper."""
    concern = make_concern(world)
    detail = reverse("concerns:detail", args=[concern.pk])
    assert _status(world, world.leader, detail) == 404  # not shared: the author's own

    _leave(world.teacher, world.kindergarten)
    _join(world, world.teacher, world.school)
    assert _status(world, world.teacher, detail) == 404
    with scope(municipality=world.fjordvik), pytest.raises(Forbidden):
        concern_actions.add_comment(world.actor(world.teacher), concern, text="Fortsatt bekymret.")

    leif = world.client_for(world.leader)
    assert leif.get(detail).status_code == 200
    inbox = leif.get(reverse("concerns:inbox")).content.decode()
    # The row names the author, says she has left, and links to giving it on.
    assert (f'<td>Kari Lærersen – {nb("has left the service")}. '
            f'<a href="{reverse("concerns:reassign", args=[concern.pk])}">'
            f'{nb("Give the worry about %(name)s to someone else", name="Ella Strandvik")}</a></td>'
            ) in inbox
    # Nobody else: the school's people, the colleague, the coordinator.
    for person in (world.other_employee, world.other_leader, world.colleague, world.coordinator):
        assert _status(world, person, detail) == 404, person
        assert _status(world, person, reverse("concerns:reassign", args=[concern.pk])) == 404

    with scopes_disabled():
        kasper = Membership.objects.get(user=world.colleague, service=world.kindergarten)
    response = leif.post(reverse("concerns:reassign", args=[concern.pk]), {"to": kasper.pk})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.author == world.colleague
    assert _status(world, world.colleague, detail) == 200
    assert _status(world, world.teacher, detail) == 404
    # Reassigned to someone active, the worry is no longer the leader's until shared.
    assert _status(world, world.leader, detail) == 404


def test_a_worry_cannot_be_given_to_someone_outside_the_service(world):
    concern = make_concern(world)
    _leave(world.teacher, world.kindergarten)
    with scopes_disabled():
        olav = Membership.objects.get(user=world.other_employee)
    response = world.client_for(world.leader).post(
        reverse("concerns:reassign", args=[concern.pk]), {"to": olav.pk})
    assert response.status_code == 200
    assert response.context["form"].errors
    concern.refresh_from_db()
    assert concern.author == world.teacher


def test_the_leader_cannot_take_a_worry_from_an_author_who_is_still_there(world):
    concern = make_concern(world, shared=True)
    assert _status(world, world.leader, reverse("concerns:reassign", args=[concern.pk])) == 404


# --- relays ----------------------------------------------------------------------------


@pytest.fixture
def hilde(world):
    """Hilde, a second public health nurse, who can take over Helga's relays."""
    with scopes_disabled():
        hilde = _user("hilde", "Hilde", "Helsesøstersen")
    _join(world, hilde, world.health_station)
    return hilde


def test_a_holder_who_leaves_loses_the_relay_at_once(world):
    relay, _ = make_relay(world)
    _leave(world.health_nurse, world.health_station)
    assert _status(world, world.health_nurse, reverse("relay:detail", args=[relay.pk])) == 404
    with scope(municipality=world.fjordvik), pytest.raises(Forbidden):
        actions.add_entry(world.actor(world.health_nurse), relay, kind="note", text="Notat.")


def test_a_holder_who_also_takes_part_for_another_service_keeps_that_part(world):
    """Helga holds the relay for the health station and takes part for the
    school too (she works in both). Her list shows it once; when she leaves
    the health station she no longer holds it, but still sees it as the
    school's participant, under the school's consent."""
    relay, _ = make_relay(world)
    _join(world, world.health_nurse, world.school)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.health_nurse)
    nurse = world.client_for(world.health_nurse)
    detail = reverse("relay:detail", args=[relay.pk])
    assert nurse.get(reverse("relay:mine")).content.decode().count(detail) == 1
    _leave(world.health_nurse, world.health_station)
    page = nurse.get(detail)
    assert page.status_code == 200
    assert "handover" not in page.context["allowed"]  # a participant now, not the holder
    assert nurse.get(reverse("relay:mine")).content.decode().count(detail) == 1
    # The school's other people are not let in by it.
    assert _status(world, world.other_employee, detail) == 404


def test_a_closed_account_ends_every_right(world):
    relay, _ = make_relay(world)
    with scopes_disabled():
        world.health_nurse.is_active = False
        world.health_nurse.save(update_fields=["is_active"])
    with scope(municipality=world.fjordvik):
        assert not world.actor(world.health_nurse).is_staff_member


def test_a_participant_who_leaves_loses_access(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school,
                                user=world.other_employee)
    url = reverse("relay:detail", args=[relay.pk])
    assert _status(world, world.other_employee, url) == 200
    _leave(world.other_employee, world.school)
    _join(world, world.other_employee, world.kindergarten)
    assert _status(world, world.other_employee, url) == 404


def test_the_coordinator_appoints_where_the_service_has_no_leader(world, hilde, english):
    """The health station has no leader. Helga leaves; Cora, the coordinator,
    sees the child's name and the services — not the log — and asks Hilde,
    who accepts and holds the relay."""
    relay, _ = make_relay(world)
    _leave(world.health_nurse, world.health_station)
    appoint = reverse("relay:appoint", args=[relay.pk])
    cora = world.client_for(world.coordinator)
    page = cora.get(appoint)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ella Strandvik" in text and "Helsestasjonen" in text
    assert relay.area_of_concern not in text
    assert _status(world, world.coordinator, reverse("relay:detail", args=[relay.pk])) == 404

    # Refused: the departed holder, a participant, the other leaders, the other municipality.
    for person in (world.health_nurse, world.other_employee, world.other_leader, world.leader,
                   world.outsider):
        assert _status(world, person, appoint) == 404, person

    with scopes_disabled():
        membership = Membership.objects.get(user=hilde, service=world.health_station)
    response = cora.post(appoint, {"to": membership.pk, "note": "Helga har sluttet. Ta over."})
    assert response.status_code == 302
    with scope(municipality=world.fjordvik):
        handover = Handover.objects.get(relay=relay, status="pending")
        assert handover.kind == "appointment" and handover.requested_by == world.coordinator
        bases = set(AuditEvent.objects.filter(object_id=relay.pk, actor=world.coordinator)
                    .values_list("legal_basis", flat=True))
    assert bases == {LegalBasis.COORDINATION_DUTY}

    hilde_client = world.client_for(hilde)
    mine = hilde_client.get(reverse("relay:mine")).content.decode()
    respond = reverse("relay:respond_to_handover", args=[relay.pk, handover.pk])
    assert respond in mine
    assert hilde_client.get(respond).status_code == 200
    assert hilde_client.post(respond, {"decision": "accept"}).status_code == 302
    relay.refresh_from_db()
    assert relay.holder == hilde
    assert _status(world, hilde, reverse("relay:detail", args=[relay.pk])) == 200
    # The break is mended: nobody may appoint any longer.
    assert _status(world, world.coordinator, appoint) == 404


def test_the_leader_appoints_and_the_coordinator_is_refused(world, hilde):
    """With a leader (Henny) at the health station, the leader appoints and
    the coordinator has no business with the relay."""
    with scopes_disabled():
        henny = _user("henny", "Henny", "Helseleder")
    _join(world, henny, world.health_station, role="leader")
    relay, _ = make_relay(world)
    appoint = reverse("relay:appoint", args=[relay.pk])
    assert _status(world, henny, appoint) == 404  # the holder is still there
    _leave(world.health_nurse, world.health_station)
    assert _status(world, henny, appoint) == 200
    assert _status(world, world.coordinator, appoint) == 404
    with scopes_disabled():
        membership = Membership.objects.get(user=hilde, service=world.health_station)
    assert world.client_for(henny).post(appoint, {"to": membership.pk, "note": "Ta over."}).status_code == 302
    with scope(municipality=world.fjordvik):
        handover = Handover.objects.get(relay=relay, status="pending")
    # Only the person asked may answer.
    for person in (world.coordinator, world.other_employee, henny):
        response = world.client_for(person).post(
            reverse("relay:respond_to_handover", args=[relay.pk, handover.pk]), {"decision": "accept"})
        assert response.status_code == 404, person


def test_only_someone_in_the_holder_service_can_be_appointed(world, english):
    relay, _ = make_relay(world)
    _leave(world.health_nurse, world.health_station)
    with scopes_disabled():
        olav = Membership.objects.get(user=world.other_employee)
    response = world.client_for(world.coordinator).post(
        reverse("relay:appoint", args=[relay.pk]), {"to": olav.pk, "note": "Ta over."})
    assert response.status_code == 200 and response.context["form"].errors
    with scope(municipality=world.fjordvik):
        assert not Handover.objects.filter(relay=relay, status="pending").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_simultaneous_appointments_leave_one_request(transactional_db, world, hilde):
    """Two leaders of the health station appoint at the same moment: one
    appointment waits for an answer, the other is refused."""
    with scopes_disabled():
        henny = _user("henny", "Henny", "Helseleder")
        hans = _user("hans", "Hans", "Helseleder")
    _join(world, henny, world.health_station, role="leader")
    _join(world, hans, world.health_station, role="leader")
    relay, _ = make_relay(world)
    _leave(world.health_nurse, world.health_station)
    barrier = threading.Barrier(2)
    outcomes = []

    def appoint(leader):
        try:
            with scope(municipality=world.fjordvik):
                actor = world.actor(leader)
                barrier.wait()
                actions.appoint_holder(actor, relay, to_user=hilde, note="Ta over.")
            outcomes.append("ok")
        except Exception as error:  # noqa: BLE001 - the refusal is what we count
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appoint, args=(leader,)) for leader in (henny, hans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ValidationError", "ok"]
    with scope(municipality=world.fjordvik):
        assert Handover.objects.filter(relay=relay, status="pending").count() == 1


def test_a_person_in_two_municipalities_chooses_where_to_act(world):
    """Per leads a school in Åsheim and joins the inter-municipal PPT in
    Fjordvik: he switches between them, and sees only the chosen one's work."""
    with scopes_disabled():
        from stafett.tenancy.models import Service

        ppt = Service.objects.create(municipality=world.fjordvik, name="PPT for Fjordregionen",
                                     kind="hjelpe")
    _join(world, world.outsider, ppt)
    client = world.client_for(world.outsider)
    page = client.get(reverse("relay:mine")).content.decode()
    assert reverse("switch_municipality") in page
    # The switch in the frame, by its label: both municipalities, the one acted in chosen.
    form = lxml.html.fromstring(page).xpath(
        '//form[.//label[normalize-space()="Kommune"]]')[0]
    select = form.get_element_by_id(form.xpath('.//label')[0].get("for"))
    assert ({o.text: o.get("selected") is not None for o in select.xpath("option")}
            == {world.fjordvik.name: True, world.asheim.name: False})
    assert form.xpath('.//input[@name="csrfmiddlewaretoken"]/@value')[0]
    assert form.xpath(".//button")[0].text_content() == "Bytt kommune"
    assert client.post(reverse("switch_municipality"), {"municipality": world.asheim.pk}).status_code == 302
    assert client.get(reverse("relay:mine")).context["actor"].municipality == world.asheim
    client.post(reverse("switch_municipality"), {"municipality": world.fjordvik.pk})
    assert client.get(reverse("relay:mine")).context["actor"].municipality == world.fjordvik
    # A municipality he does not work in cannot be chosen.
    with scopes_disabled():
        from stafett.tenancy.models import Municipality

        other = Municipality.objects.create(name="Tredje kommune", number="9903",
                                            child_welfare_phone="40 00 30 01",
                                            after_hours_name="Vakt", after_hours_phone="40 00 30 02")
    client.post(reverse("switch_municipality"), {"municipality": other.pk})
    assert client.get(reverse("relay:mine")).context["actor"].municipality == world.fjordvik
    # Someone who works in one municipality is offered no switch.
    assert reverse("switch_municipality") not in world.client_for(world.teacher).get(
        reverse("relay:mine")).content.decode()
