"""Who of the family sees which log: the guardians with parental
responsibility and the young person from the consent age, nobody else."""

import pytest
from django_scopes import scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from tests.conftest import nb


def _home(family, user):
    return family.client_for(user).get("/familie/")


@pytest.mark.django_db
def test_a_guardian_with_parental_responsibility_sees_the_childs_log(family):
    page = _home(family, family.frida).content.decode()
    assert "Mia Fjeld" in page
    assert "Ylva Berg" not in page and "Åsmund" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["unni", "tobias", "nils"])
def test_nobody_else_sees_a_log(family, who):
    response = _home(family, getattr(family, who))
    assert response.status_code == 200
    page = response.content.decode()
    assert nb("There is no log about a child of yours here.") in page
    for name in ("Mia Fjeld", "Ylva Berg", "Tobias Berg", "Åsmund"):
        assert name not in page


@pytest.mark.django_db
def test_the_young_person_from_the_consent_age_sees_their_own_log(family):
    page = _home(family, family.ylva).content.decode()
    assert "Ylva Berg" in page and "Mia Fjeld" not in page


@pytest.mark.django_db
def test_a_family_of_the_other_municipality_sees_only_its_own(family):
    page = _home(family, family.ase).content.decode()
    assert "Åsmund Åsheim" in page and "Mia Fjeld" not in page


@pytest.mark.django_db
def test_the_familys_own_reads_are_audited(family):
    _home(family, family.frida)
    with scopes_disabled():
        event = AuditEvent.objects.get(actor=family.frida)
    assert (event.action, event.object_id, event.legal_basis) == (
        "list", family.mia_relay.pk, LegalBasis.FAMILY_ACCESS)


@pytest.mark.django_db
def test_staff_get_404_on_family_pages_and_families_on_staff_pages(world, family):
    assert world.client_for(world.health_nurse).get("/familie/").status_code == 404
    client = family.client_for(family.frida)
    assert client.get(f"/stafettlogg/{family.mia_relay.pk}/").status_code == 404
    assert client.get("/bekymringer/").status_code == 404
    # Nor the staff's own account pages (password, authenticator, municipality).
    for path in ("/konto/", "/konto/to-trinn/oppsett/"):
        assert client.get(path).status_code == 404, path
    # The start page sends a citizen to the family pages.
    assert client.get("/")["Location"] == "/familie/"


@pytest.mark.django_db
def test_family_pages_are_not_stored_and_the_session_ends_after_15_idle_minutes(family):
    client = family.client_for(family.frida)
    response = client.get("/familie/")
    assert "no-store" in response["Cache-Control"]
    assert client.session.get_expiry_age() == 15 * 60
