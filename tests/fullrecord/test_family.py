"""The requester collects the record in the family pages (ID-porten), and
nobody else can: not the other parent, not a stranger, not staff. Bad input
when registering is refused with a message and nothing saved."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.fullrecord import actions
from stafett.fullrecord.models import AccessRequest
from stafett.notify.models import OutboxMessage
from tests.conftest import nb

from .conftest import WORRY_TEXT

FAMILY_PATHS = ("fullrecord_family:pdf", "fullrecord_family:json")


def delivered(scene, who="frida"):
    request = scene.register(who=who)
    with scope(municipality=scene.world.fjordvik):
        nurse = scene.actor(scene.world.health_nurse)
        request = actions.produce(nurse, request.pk, version=request.version)
        return actions.deliver(nurse, request.pk, version=request.version)


def test_frida_finds_and_downloads_her_record_and_that_is_audited(scene):
    frida = scene.family.frida
    frida.email = "frida@example.invalid"
    frida.save()
    request = delivered(scene)
    with scopes_disabled():
        assert OutboxMessage.objects.filter(kind="family_record_ready", recipient=frida).count() == 1
    client = scene.family.client_for(frida)
    page = client.get(reverse("fullrecord_family:list"))
    assert page.status_code == 200
    assert nb("Download the record about %(name)s (PDF)", name="Mia Fjeld") in page.content.decode()
    pdf = client.get(reverse("fullrecord_family:pdf", args=[request.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Cache-Control"].startswith("private, no-store")
    data = client.get(reverse("fullrecord_family:json", args=[request.pk]))
    assert WORRY_TEXT in json.loads(data.content)["worries"][0]["observations"]
    with scopes_disabled():
        request.refresh_from_db()
        assert request.collected_at is not None
        actions_done = list(AuditEvent.objects.filter(
            actor=frida, legal_basis=LegalBasis.RIGHT_OF_ACCESS).values_list("action", flat=True))
    assert actions_done.count("collect_full_record") == 2 and "list" in actions_done


@pytest.mark.parametrize("who", ["geir", "unni", "nils", "ylva", "ase"])
def test_nobody_but_the_requester_can_collect_it(scene, who):
    request = delivered(scene)
    client = scene.family.client_for(getattr(scene.family, who))
    page = client.get(reverse("fullrecord_family:list")).content.decode()
    assert f"/familie/innsyn/{request.pk}/" not in page
    for name in FAMILY_PATHS:
        assert client.get(reverse(name, args=[request.pk])).status_code == 404


def test_staff_get_404_on_the_family_pages(scene):
    request = delivered(scene)
    client = scene.world.client_for(scene.world.health_nurse)
    for name in FAMILY_PATHS:
        assert client.get(reverse(name, args=[request.pk])).status_code == 404
    assert client.get(reverse("fullrecord_family:list")).status_code == 404


def test_a_record_not_yet_delivered_is_not_there(scene):
    request = scene.register()
    with scope(municipality=scene.world.fjordvik):
        actions.produce(scene.actor(scene.world.health_nurse), request.pk, version=request.version)
    client = scene.family.client_for(scene.family.frida)
    for name in FAMILY_PATHS:
        assert client.get(reverse(name, args=[request.pk])).status_code == 404


def test_geirs_copy_in_his_family_pages_has_nothing_withheld_from_him(scene):
    request = delivered(scene, who="geir")
    client = scene.family.client_for(scene.family.geir)
    text = client.get(reverse("fullrecord_family:json", args=[request.pk])).content.decode()
    assert "Samtale med mor alene" not in text and "withheld_entry" in text


# --- registering: bad input -------------------------------------------------------------


def _post(scene, **changes):
    data = {
        "case": scene.case(scene.world.health_nurse), "role": "guardian",
        "requester_name": "Frida Fjeld", "national_id": scene.family.frida.national_id,
        "received_on": timezone.localdate().isoformat(), "channel": "letter", "checked": "on",
        **changes,
    }
    return scene.world.client_for(scene.world.health_nurse).post(reverse("fullrecord:register"), data)


@pytest.mark.parametrize(("changes", "message"), [
    ({"national_id": "12345678901"},
     "This national identity number is not valid: check the digits."),
    ({"checked": ""}, "Check the requester's identity and parental responsibility first."),
    ({"case": "relay:999999:1"}, "Choose one of the options in the list."),
    ({"role": "neighbour"}, "Choose one of the options in the list."),
    ({"requester_name": "x" * 500}, None),
    ({"received_on": "0025-01-01"}, None),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(scene, changes, message):
    response = _post(scene, **changes)
    assert response.status_code == 200
    if message:
        assert nb(message) in response.content.decode()
    with scopes_disabled():
        assert not AccessRequest.objects.exists()


def test_a_guardian_without_parental_responsibility_is_refused(scene):
    response = _post(scene, requester_name="Unni Fjeld", national_id=scene.family.unni.national_id)
    assert response.status_code == 200
    assert nb("The municipality's records say this person does not have parental responsibility "
              "for the child. Only a guardian with parental responsibility can ask for the child's "
              "record. Check it, and correct the records if they are wrong.") in response.content.decode()
    with scopes_disabled():
        assert not AccessRequest.objects.exists()


def test_a_child_under_the_consent_age_cannot_ask_themself(scene):
    response = _post(scene, case=scene.case(scene.world.health_nurse, "Tobias Berg"), role="child",
                     requester_name="Tobias Berg", national_id=scene.family.tobias.national_id)
    assert response.status_code == 200
    assert nb("The child is under %(age)s, the municipality's consent age: a guardian with parental "
              "responsibility asks on the child's behalf.", age=15) in response.content.decode()


def test_a_request_cannot_come_in_tomorrow(scene):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _post(scene, received_on=tomorrow)
    assert response.status_code == 200
    with scopes_disabled():
        assert not AccessRequest.objects.exists()
