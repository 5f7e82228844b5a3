"""Foreldreinitiativ: a guardian asks a service to start the BTI work; it
lands in that service's leader inbox, marked as raised by the family, and
the family sees its status and nothing staff wrote."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.concerns import actions as concern_actions
from stafett.concerns.journey import CODES
from stafett.concerns.models import Concern
from stafett.followup.engine import run_rules
from stafett.followup.models import Break
from stafett.lib.dates import add_years
from stafett.lib.national_id import make_synthetic
from stafett.notify.models import Notice
from stafett.tenancy.models import Membership, Service
from tests.conftest import nb

pytestmark = pytest.mark.django_db

NEW = "/familie/bekymring/ny/"


def _raise(family, world, chosen=None, **extra):
    born = add_years(dt.date.today(), -4)
    data = {
        "kommune": world.fjordvik.pk, "service": (chosen or world.kindergarten).pk,
        "child_name": "Lars Fjeld", "birth_date": born.isoformat(), "national_id": "",
        "worry": "Lars sover dårlig og er redd i barnehagen.", "contact_how": "phone",
        "contact_detail": "900 00 000", **extra,
    }
    return family.client_for(family.frida).post(NEW, data)


def test_the_form_offers_the_municipalitys_kindergartens_schools_and_health_stations(world, family):
    page = family.client_for(family.frida).get(NEW).content.decode()
    for name in ("Solsikken barnehage", "Bakken skole", "Helsestasjonen"):
        assert name in page
    assert "Psykisk helse og rus" not in page  # an adult service is not asked this way
    asheim = family.client_for(family.frida).get(f"{NEW}?kommune={world.asheim.pk}").content.decode()
    assert "Åsheim skole" in asheim and "Solsikken barnehage" not in asheim


def test_a_worry_lands_in_the_chosen_services_leader_inbox_and_nowhere_else(world, family):
    assert _raise(family, world).status_code == 302
    with scopes_disabled():
        concern = Concern.objects.get()
        assert (concern.raised_by_family, concern.author, concern.raised_by) == (True, None, family.frida)
        assert concern.service == world.kindergarten
        # Under the kindergarten's own municipality's guide (Åsheim's is newer).
        assert concern.guide.municipality_id == world.fjordvik.pk
        assert Notice.objects.filter(recipient=world.leader, kind="family_worry_raised").exists()
        event = AuditEvent.objects.get(actor=family.frida, action="create")
        assert (event.legal_basis, event.object_id) == (LegalBasis.FAMILY_ACCESS, concern.pk)
    leif = world.client_for(world.leader)
    inbox = leif.get("/bekymringer/innboks/").content.decode()
    assert "Lars Fjeld" in inbox and nb("Raised by the family") in inbox
    detail = leif.get(f"/bekymringer/{concern.pk}/").content.decode()
    assert "900 00 000" in detail and "Frida Fjeld" in detail
    assert leif.get(f"/bekymringer/{concern.pk}/ny-ansvarlig/").status_code == 200
    for other in (world.other_leader, world.teacher, world.outsider):
        client = world.client_for(other)
        assert "Lars Fjeld" not in client.get("/bekymringer/innboks/").content.decode()
        assert client.get(f"/bekymringer/{concern.pk}/").status_code == 404


def test_the_family_sees_the_status_and_nothing_staff_wrote(world, family):
    _raise(family, world)
    home = family.client_for(family.frida)
    page = home.get("/familie/").content.decode()
    assert "Lars Fjeld" in page and nb("Received") in page
    with scopes_disabled():
        concern = Concern.objects.get()
    with scope(municipality=world.fjordvik):
        leif = world.actor(world.leader)
        concern_actions.reassign_concern(leif, concern, to_user=world.teacher)
        concern_actions.add_comment(world.actor(world.teacher), concern, text="Hemmelig vurdering.")
    page = home.get("/familie/").content.decode()
    assert nb("Someone is working on it") in page and "Hemmelig" not in page
    # Kari now has it, and Leif still sees it in his inbox.
    assert world.client_for(world.teacher).get(f"/bekymringer/{concern.pk}/").status_code == 200
    assert "Lars Fjeld" in world.client_for(world.leader).get("/bekymringer/innboks/").content.decode()
    with scope(municipality=world.fjordvik):
        concern.refresh_from_db()
        concern_actions.close_concern(world.actor(world.teacher), concern, version=concern.version,
                                      reason="Avklart med mor.")
    assert nb("Closed") in home.get("/familie/").content.decode()
    # Geir did not raise it and does not see it.
    assert "Lars Fjeld" not in family.client_for(family.geir).get("/familie/").content.decode()


@pytest.mark.parametrize("extra, field_message", [
    ({"worry": ""}, "Write what you are worried about."),
    ({"worry": "a\x00b"}, None),
    ({"worry": "x" * 5001}, None),
    ({"child_name": "  "}, "Write the child's name."),
    ({"national_id": "12345678901"}, None),
    ({"contact_how": "phone", "contact_detail": ""}, "Write your phone number or e-mail address."),
    ({"contact_how": "pigeon"}, "Choose one of the options in the list."),
    ({"service": "999999999"}, "Choose one of the options in the list."),
])
def test_bad_input_gets_a_message_and_saves_nothing(world, family, extra, field_message):
    response = _raise(family, world, **extra)
    assert response.status_code == 200
    if field_message:
        assert nb(field_message) in response.content.decode()
    with scopes_disabled():
        assert not Concern.objects.exists()


def test_a_service_of_another_municipality_than_the_chosen_one_is_refused(world, family):
    with scopes_disabled():
        asheim_school = Service.objects.get(name="Åsheim skole")
    assert _raise(family, world, chosen=asheim_school).status_code == 200
    with scopes_disabled():
        assert not Concern.objects.exists()


def test_a_national_id_is_checked_and_matched_to_the_date(world, family):
    born = add_years(dt.date.today(), -4)
    number = make_synthetic(born, 3)
    assert _raise(family, world, national_id=number, birth_date="").status_code == 302
    with scopes_disabled():
        concern = Concern.objects.get()
        assert concern.child.national_id == number and concern.child.birth_date == born


def test_staff_get_404_on_the_worry_page(world):
    assert world.client_for(world.leader).get(NEW).status_code == 404


def test_followup_and_insights_cope_with_a_worry_without_author(world, family):
    _raise(family, world)
    with scopes_disabled():
        Concern.objects.update(last_activity_at=timezone.now() - dt.timedelta(days=90))
    run_rules()
    with scopes_disabled():
        brk = Break.objects.get(rule="concern_idle")
        assert brk.recipient == world.leader
    assert world.client_for(world.coordinator).get("/ledelse/").status_code == 200


def test_every_page_of_a_family_worry_opens_for_the_leader(world, family):
    _raise(family, world)
    with scopes_disabled():
        concern = Concern.objects.get()
    leif = world.client_for(world.leader)
    paths = [f"/bekymringer/{concern.pk}/", f"/bekymringer/{concern.pk}/historikk/",
             f"/bekymringer/{concern.pk}/akutt/", f"/bekymringer/{concern.pk}/ny-ansvarlig/",
             *[f"/bekymringer/{concern.pk}/trinn/{code}/" for code in CODES]]
    for path in paths:
        assert leif.get(path).status_code == 200, path
    # Leif gives it to Kari; her pages and lists open too.
    with scopes_disabled():
        membership = Membership.objects.get(user=world.teacher, service=world.kindergarten)
    response = leif.post(f"/bekymringer/{concern.pk}/ny-ansvarlig/", {"to": str(membership.pk)})
    assert response.status_code == 302
    kari = world.client_for(world.teacher)
    assert "Lars Fjeld" in kari.get("/bekymringer/").content.decode()
    for path in paths[:3]:
        assert kari.get(path).status_code == 200, path
