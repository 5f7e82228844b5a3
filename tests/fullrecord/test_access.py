"""Who may register, produce and deliver a child's full record, and who is
refused (404, as for anything else they may not see): Kasper, Olav, Cora the
coordinator and Per in Åsheim beside Helga (the holder), Lise (leader of a
service taking part) and Leif (once the worry is shared with him)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.fullrecord import actions, policy
from stafett.fullrecord.models import AccessRequest
from tests.conftest import nb

from .conftest import WORRY_TEXT

REFUSED = ["colleague", "other_employee", "coordinator", "outsider", "teacher"]


def cases_of(scene, user) -> list[str]:
    with scope(municipality=scene.world.fjordvik):
        return [label for _value, label in actions.case_choices(scene.actor(user))]


def test_the_holder_and_the_leader_of_a_service_taking_part_answer_for_mia(scene):
    assert any(label.startswith("Mia Fjeld") for label in cases_of(scene, scene.world.health_nurse))
    assert [label for label in cases_of(scene, scene.world.other_leader)] == [
        "Mia Fjeld – " + nb("log (level %(level)s)", level=1) + ", Bakken skole"]


@pytest.mark.parametrize("who", REFUSED + ["leader"])
def test_nobody_else_answers_for_mia(scene, who):
    """Kari wrote the worry but is not its leader; Leif may not see it until it is shared."""
    user = getattr(scene.world, who)
    assert cases_of(scene, user) == []
    with scope(municipality=scene.world.fjordvik):
        assert not policy.answers_for(scene.actor(user), scene.worry.child_id, scene.world.kindergarten.pk)


def test_leif_answers_for_mia_once_the_worry_is_shared_and_sees_only_the_worry(scene):
    with scope(municipality=scene.world.fjordvik):
        kari = scene.actor(scene.world.teacher)
        scene.worry.refresh_from_db()
        concern_actions.share_concern(kari, scene.worry, version=scene.worry.version)
    leif = scene.world.leader
    assert cases_of(scene, leif) == ["Mia Fjeld – " + nb("worry") + ", Solsikken barnehage"]
    request = scene.register(leif, who="frida")
    with scope(municipality=scene.world.fjordvik):
        request = actions.produce(scene.actor(leif), request.pk, version=request.version)
        _r, part, _pdf = actions.read_part(scene.actor(leif), request.pk)
    assert [w["id"] for w in part["worries"]] == [scene.worry.pk]
    assert part["relays"] == [], "the log is not Leif's to see"
    # The requester's copy holds both.
    assert request.document["relays"] and request.document["worries"]


def test_a_request_belongs_to_the_service_it_was_registered_for(scene):
    """Lise answers for Mia through the school; she does not see Helga's
    request, registered for the health station (it would tell her what the
    health station does)."""
    request = scene.register()
    with scope(municipality=scene.world.fjordvik):
        assert list(policy.visible_requests(scene.actor(scene.world.other_leader))) == []
        assert list(policy.visible_requests(scene.actor(scene.world.health_nurse))) == [request]


def _pages(request):
    return [
        ("get", reverse("fullrecord:detail", args=[request.pk])),
        ("get", reverse("fullrecord:part_pdf", args=[request.pk])),
        ("get", reverse("fullrecord:part_json", args=[request.pk])),
        ("post", reverse("fullrecord:produce", args=[request.pk])),
        ("post", reverse("fullrecord:deliver", args=[request.pk])),
    ]


@pytest.mark.parametrize("who", REFUSED + ["other_leader", "leader"])
def test_everyone_else_gets_404_and_leaves_no_trace(scene, who):
    request = scene.register()
    with scope(municipality=scene.world.fjordvik):
        request = actions.produce(scene.actor(scene.world.health_nurse), request.pk,
                                  version=request.version)
    client = scene.world.client_for(getattr(scene.world, who))
    with scopes_disabled():
        before = AuditEvent.objects.count()
    for method, path in _pages(request):
        response = getattr(client, method)(path, {"version": request.version})
        assert response.status_code == 404, (who, path, response.status_code)
    listing = client.get(reverse("fullrecord:list"))
    assert listing.status_code == 200 and f"/innsyn/{request.pk}/" not in listing.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.count() == before
        assert AccessRequest.objects.get(pk=request.pk).status == "produced"


def test_a_citizen_gets_404_on_the_staff_pages(scene):
    request = scene.register()
    client = scene.family.client_for(scene.family.frida)
    assert client.get(reverse("fullrecord:list")).status_code == 404
    assert client.get(reverse("fullrecord:detail", args=[request.pk])).status_code == 404


def test_helga_registers_produces_and_delivers_through_the_pages(scene):
    client = scene.world.client_for(scene.world.health_nurse)
    received = timezone.localdate() - dt.timedelta(days=9)
    page = client.get(reverse("fullrecord:register"))
    assert page.status_code == 200
    response = client.post(reverse("fullrecord:register"), {
        "case": scene.case(scene.world.health_nurse), "role": "guardian",
        "requester_name": "Frida Fjeld", "national_id": scene.family.frida.national_id,
        "received_on": received.isoformat(), "channel": "email", "checked": "on",
    })
    with scopes_disabled():
        request = AccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fullrecord:detail", args=[request.pk])
    assert request.deadline == actions.add_months(received, 1) and request.requester_national_id == scene.family.frida.national_id
    detail = client.get(response["Location"]).content.decode()
    assert nb("Produce the record") in detail and nb("Deliver to the requester") not in detail
    assert WORRY_TEXT not in detail
    client.post(reverse("fullrecord:produce", args=[request.pk]), {"version": request.version})
    request.refresh_from_db()
    assert request.status == "produced"
    # The page never shows the sealed copy: nothing of the kindergarten's worry.
    assert WORRY_TEXT not in client.get(reverse("fullrecord:detail", args=[request.pk])).content.decode()
    part = client.get(reverse("fullrecord:part_json", args=[request.pk]))
    assert part.status_code == 200 and WORRY_TEXT not in part.content.decode()
    assert part["Cache-Control"].startswith("private, no-store")
    client.post(reverse("fullrecord:deliver", args=[request.pk]), {"version": request.version})
    request.refresh_from_db()
    assert request.status == "delivered"
    listing = client.get(reverse("fullrecord:list")).content.decode()
    assert f"/innsyn/{request.pk}/" in listing and nb("Overdue") not in listing


def test_a_request_past_its_deadline_is_marked_overdue_until_it_is_delivered(scene):
    request = scene.register(received_on=timezone.localdate() - dt.timedelta(days=40))
    client = scene.world.client_for(scene.world.health_nurse)
    assert nb("Overdue") in client.get(reverse("fullrecord:list")).content.decode()
    with scope(municipality=scene.world.fjordvik):
        nurse = scene.actor(scene.world.health_nurse)
        request = actions.produce(nurse, request.pk, version=request.version)
        actions.deliver(nurse, request.pk, version=request.version)
    assert nb("Overdue") not in client.get(reverse("fullrecord:list")).content.decode()


@pytest.mark.parametrize(("received", "deadline"), [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28)), (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
    (dt.date(2026, 12, 15), dt.date(2027, 1, 15)), (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
])
def test_the_deadline_is_one_month_from_receipt(received, deadline):
    assert actions.deadline_for(received) == deadline


def test_an_out_of_date_page_changes_nothing(scene):
    request = scene.register()
    client = scene.world.client_for(scene.world.health_nurse)
    response = client.post(reverse("fullrecord:produce", args=[request.pk]), {"version": request.version + 5})
    assert response.status_code == 302
    with scopes_disabled():
        assert AccessRequest.objects.get(pk=request.pk).status == "registered"
    messages = client.get(response["Location"]).content.decode()
    assert nb("The page is out of date. Reload it, and make your change again.") in messages
