"""The coordinator's archive settings page, and the archive status on a
closed relay's page."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.archive.models import ArchiveSettings
from stafett.audit.models import AuditEvent
from stafett.notify import outbox
from tests.archive.helpers import closed_relay
from tests.archive.test_delivery import answer
from tests.conftest import nb

pytestmark = pytest.mark.django_db
URL = reverse("archive:settings")
GOOD = {"classification_system": "Arkivnøkkel", "class_id": "K-F47", "class_title": "Barn og unge",
        "archive_part": "OPPVEKST", "responsible_unit": "Oppvekst og kultur",
        "receiver": "3f1e5a8c-0c1f-4d4b-9a2e-6c9b1f0e2d7a"}


def test_the_defaults_work_out_of_the_box(world):
    response = world.client_for(world.coordinator).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["class_id"].value() == "F47"
    assert form["archive_part"].value() == "BTI"


def test_the_coordinator_sets_the_archive_settings_and_it_is_audited(world):
    response = world.client_for(world.coordinator).post(URL, GOOD)
    assert response.status_code == 302
    with scopes_disabled():
        conf = ArchiveSettings.objects.get(municipality=world.fjordvik)
        assert (conf.class_id, conf.archive_part, conf.updated_by) == (
            "K-F47", "OPPVEKST", world.coordinator)
        event = AuditEvent.objects.get(action="configure_archive")
        assert (event.object_type, event.object_id, event.child_id, event.legal_basis) == (
            "archivesettings", conf.pk, None, "duty_to_archive")


@pytest.mark.parametrize("who", ["leader", "teacher", "outsider", "other_leader"])
def test_everyone_but_the_coordinator_gets_404(world, who):
    client = world.client_for(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, GOOD).status_code == 404
    with scopes_disabled():
        assert not ArchiveSettings.objects.filter(class_id="K-F47").exists()
        assert not AuditEvent.objects.filter(action="configure_archive").exists()


def test_bad_input_gets_a_message_and_nothing_is_saved(world):
    client = world.client_for(world.coordinator)
    response = client.post(URL, GOOD | {"class_id": "", "archive_part": "x" * 500})
    assert response.status_code == 200
    assert nb("This field is required.") in response.content.decode()
    with scopes_disabled():
        assert not ArchiveSettings.objects.filter(archive_part__startswith="xxx").exists()


def test_a_closed_relays_page_shows_its_archive_status(world, filedrop):
    relay = closed_relay(world, minutes=False)
    page = reverse("relay:detail", args=[relay.pk])
    client = world.client_for(world.health_nurse)
    assert nb("Waiting to be sent to the municipality's archive.") in client.get(page).content.decode()
    outbox.deliver_all()
    answer(filedrop, number=88)
    body = client.get(page).content.decode()
    assert "2026/88" in body
    # Who may not see the relay sees no status either.
    assert world.client_for(world.outsider).get(page).status_code == 404


def test_the_settings_page_counts_cases_per_status_without_naming_a_child(world, filedrop):
    closed_relay(world, minutes=False)
    outbox.deliver_all()
    answer(filedrop, number=5)
    body = world.client_for(world.coordinator).get(URL).content.decode()
    assert "<td>1</td>" in body
    assert "Ella" not in body and "2026/5" not in body
