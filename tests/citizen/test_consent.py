"""Digital consent in the family pages, by real actions and pages.

Mia's consent covers the health station (Helga holds) and, once extended,
the school, where Olav takes part. Frida and Geir each consent for
themselves; a withdrawal by one of them takes effect in the same request.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.lib.national_id import make_synthetic
from stafett.notify.models import Notice
from stafett.relay import actions
from stafett.relay.models import Consent, ConsentProposal
from stafett.relay.policy import covered_service_ids
from tests.citizen.conftest import citizen
from tests.conftest import nb

SUBSTANTIAL = "idporten-loa-substantial"


def family_client(family, user, acr=SUBSTANTIAL):
    client = family.client_for(user)
    if acr:
        session = client.session
        session["idporten_acr"] = acr
        session.save()
    return client


def consent_url(relay):
    return reverse("citizen:consent", kwargs={"pk": relay.pk})


def propose(client, relay, services, *, days=300, purpose="Samarbeid med skolen om trivsel."):
    return client.post(consent_url(relay), {
        "services": [s.pk for s in services], "purpose": purpose,
        "valid_until": (dt.date.today() + dt.timedelta(days=days)).isoformat(),
    })


def pending(relay):
    with scopes_disabled():
        return ConsentProposal.objects.filter(relay=relay, status="pending").first()


def covered(relay):
    with scope(municipality=relay.municipality_id):
        return covered_service_ids(relay)


@pytest.fixture
def school_out(family, world):
    """Olav takes part for the school; then Helga records a consent for the
    health station only (the school is out, Olav refused)."""
    mia = family.mia_relay
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        actions.add_participant(nurse, mia, service=world.school, user=world.other_employee,
                                task="Følger opp på skolen.")
        actions.give_consent(
            nurse, mia, guardians=[family.guardians["frida"], family.guardians["geir"]],
            child_consents=False, services=[world.health_station],
            purpose="Samarbeid om trivsel.", given_on=dt.date.today(),
            valid_until=dt.date.today() + dt.timedelta(days=365), method="digital")
    return mia


def olav_status(world, relay):
    return world.client_for(world.other_employee).get(
        reverse("relay:detail", kwargs={"pk": relay.pk})).status_code


@pytest.mark.django_db
def test_frida_extends_to_the_school_geir_signs_then_frida_withdraws(family, world, school_out):
    mia = school_out
    assert olav_status(world, mia) == 404
    frida, geir = family_client(family, family.frida), family_client(family, family.geir)

    response = propose(frida, mia, [world.health_station, world.school])
    assert response.status_code == 302
    proposal = pending(mia)
    assert proposal.kind == "extend"
    # Frida alone is not enough: the school still sees nothing.
    assert world.school.pk not in covered(mia)
    assert olav_status(world, mia) == 404
    page = geir.get(consent_url(mia)).content.decode()
    assert nb("Sign this consent") in page and "Frida Fjeld" in page

    response = geir.post(reverse("citizen:consent_sign",
                                 kwargs={"pk": mia.pk, "proposal_pk": proposal.pk}))
    assert response.status_code == 302
    assert world.school.pk in covered(mia)
    with scopes_disabled():
        consent = Consent.objects.get(relay=mia, superseded_at__isnull=True, withdrawn_at__isnull=True)
        assert consent.method == Consent.Method.IDPORTEN
        parties = {p.guardian.name: p for p in consent.parties.select_related("guardian")}
        assert set(parties) == {"Frida Fjeld", "Geir Fjeld"}
        assert all(p.assurance_level == SUBSTANTIAL and p.signed_at for p in parties.values())
        proposal.refresh_from_db()
        assert proposal.status == "recorded" and proposal.consent == consent
        # The holder is told when the family signs, and when it is in force.
        kinds = set(Notice.objects.filter(recipient=world.health_nurse).values_list("kind", flat=True))
        assert {"family_consent_signed", "family_consent_recorded"} <= kinds
    assert olav_status(world, mia) == 200

    # Frida withdraws for the school: Olav is refused in his very next request.
    response = frida.post(reverse("citizen:consent_withdraw", kwargs={"pk": mia.pk}),
                          {"what": str(world.school.pk)})
    assert response.status_code == 302
    assert olav_status(world, mia) == 404
    assert covered(mia) == {world.health_station.pk}

    # And then the whole consent.
    frida.post(reverse("citizen:consent_withdraw", kwargs={"pk": mia.pk}), {"what": "all"})
    assert covered(mia) == set()
    with scopes_disabled():
        assert Notice.objects.filter(recipient=world.health_nurse, kind="family_withdrew_consent").exists()
        assert AuditEvent.objects.filter(actor=family.frida, action="withdraw_consent",
                                         legal_basis=LegalBasis.FAMILY_ACCESS).exists()


@pytest.mark.django_db
def test_a_withdrawal_by_one_guardian_ends_sharing_in_the_same_request(family, world):
    mia = family.mia_relay
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), mia, service=world.school,
                                user=world.other_employee)
    assert olav_status(world, mia) == 200
    # No higher assurance is needed to withdraw: it only narrows sharing.
    geir = family_client(family, family.geir, acr=None)
    response = geir.post(reverse("citizen:consent_withdraw", kwargs={"pk": mia.pk}), {"what": "all"})
    assert response.status_code == 302
    assert olav_status(world, mia) == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["unni", "tobias", "ase", "nils"])
def test_nobody_else_reaches_the_consent_pages(family, who):
    client = family_client(family, getattr(family, who))
    mia = family.mia_relay
    for name in ("citizen:consent", "citizen:consent_withdraw", "citizen:access_log"):
        assert client.get(reverse(name, kwargs={"pk": mia.pk})).status_code == 404
    assert propose(client, mia, []).status_code == 404
    assert client.post(reverse("citizen:consent_withdraw", kwargs={"pk": mia.pk}),
                       {"what": "all"}).status_code == 404
    assert covered(mia)  # nothing changed


@pytest.mark.django_db
def test_tobias_under_the_consent_age_does_not_reach_his_own(family):
    client = family_client(family, family.tobias)
    assert client.get(consent_url(family.tobias_relay)).status_code == 404


@pytest.mark.django_db
def test_staff_get_404_on_family_pages(family, world):
    client = world.client_for(world.health_nurse)
    for name in ("citizen:consent", "citizen:consent_withdraw", "citizen:access_log"):
        assert client.get(reverse(name, kwargs={"pk": family.mia_relay.pk})).status_code == 404


@pytest.mark.django_db
def test_consent_is_not_recorded_without_substantial_assurance(family, world, school_out):
    mia = school_out
    for acr in (None, "idporten-loa-low", "something-else"):
        client = family_client(family, family.frida, acr=acr)
        page = client.get(consent_url(mia)).content.decode()
        assert nb("Sign and ask the others to sign") not in page
        response = propose(client, mia, [world.health_station, world.school])
        assert response.status_code == 200
        assert pending(mia) is None
    # Geir at level "high" proposes; Frida at level "low" cannot sign it.
    propose(family_client(family, family.geir, acr="idporten-loa-high"), mia,
            [world.health_station, world.school])
    proposal = pending(mia)
    low = family_client(family, family.frida, acr="idporten-loa-low")
    response = low.post(reverse("citizen:consent_sign",
                                kwargs={"pk": mia.pk, "proposal_pk": proposal.pk}), follow=True)
    assert nb("To consent, log in with ID-porten at a higher security level (for example "
              "BankID, or MinID with a code). Log out and log in again.") in response.content.decode()
    with scopes_disabled():
        assert proposal.signatures.count() == 1
    assert world.school.pk not in covered(mia)


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["no service", "other municipality", "beyond the limit", "past"])
def test_bad_proposals_get_a_message_and_save_nothing(family, world, school_out, case):
    mia = school_out
    client = family_client(family, family.frida)
    services, days = [world.health_station, world.school], 300
    if case == "no service":
        services = []
    elif case == "other municipality":
        services = [world.health_station, world.asheim_health]
    elif case == "beyond the limit":
        days = 3 * 366 + 5
    else:
        days = -2
    response = propose(client, mia, services, days=days)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert pending(mia) is None


@pytest.mark.django_db
def test_signing_twice_and_signing_a_superseded_request_are_refused(family, world, school_out):
    mia = school_out
    frida, geir = family_client(family, family.frida), family_client(family, family.geir)
    propose(frida, mia, [world.health_station, world.school])
    first = pending(mia)
    sign = reverse("citizen:consent_sign", kwargs={"pk": mia.pk, "proposal_pk": first.pk})
    page = frida.post(sign, follow=True).content.decode()
    assert nb("You have already signed this consent.") in page
    # Geir proposes something else: Frida's request is replaced.
    propose(geir, mia, [world.health_station, world.school, world.kindergarten])
    first.refresh_from_db()
    assert first.status == "superseded"
    page = geir.post(sign, follow=True).content.decode()
    assert nb("This request for consent has been replaced or closed and can no longer be "
              "signed. See the consent in force below.") in page
    with scopes_disabled():
        assert first.signatures.count() == 1
    assert world.school.pk not in covered(mia)


@pytest.mark.django_db
def test_ylva_must_sign_her_own(family, world):
    """Ylva (16) is over Fjordvik's consent age: her mother's signature alone
    does not make a consent, and neither signs for the other."""
    ylva = family.ylva_relay
    with scopes_disabled():
        berit = family.guardians["ylva_mother"]
        berit.national_id = make_synthetic(dt.date(1980, 1, 1), 0)
        berit.save(update_fields=["national_id"])
        mother = citizen("berit", berit.national_id, "Berit", "Berg")
    mum = family_client(family, mother)
    response = propose(mum, ylva, [world.health_station, world.school])
    assert response.status_code == 302
    assert world.school.pk not in covered(ylva)
    page = family_client(family, family.ylva).get(consent_url(ylva)).content.decode()
    assert nb("Sign this consent") in page
    # Berit cannot sign a second time, for Ylva or herself.
    proposal = pending(ylva)
    sign = reverse("citizen:consent_sign", kwargs={"pk": ylva.pk, "proposal_pk": proposal.pk})
    mum.post(sign)
    assert world.school.pk not in covered(ylva)
    family_client(family, family.ylva).post(sign)
    assert world.school.pk in covered(ylva)
    with scopes_disabled():
        consent = Consent.objects.get(relay=ylva, superseded_at__isnull=True)
        assert consent.parties.filter(is_child=True, assurance_level=SUBSTANTIAL).exists()


@pytest.mark.django_db
def test_the_holder_asks_the_family_and_the_first_consent_comes_that_way(family, world):
    tobias = family.tobias_relay  # no consent yet, under the consent age
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        mother = actions.add_guardian(nurse, tobias, name="Berit Berg", relation="mor",
                                      national_id=make_synthetic(dt.date(1980, 1, 1), 0))
    with scopes_disabled():
        berit = citizen("berit", mother.national_id, "Berit", "Berg")
    staff = world.client_for(world.health_nurse)
    url = reverse("relay:ask_consent", kwargs={"pk": tobias.pk})
    response = staff.post(url, {
        "services": [world.health_station.pk, world.school.pk], "purpose": "Samarbeid.",
        "valid_until": (dt.date.today() + dt.timedelta(days=200)).isoformat()})
    assert response.status_code == 302
    proposal = pending(tobias)
    assert proposal.kind == "give"
    page = staff.get(url).content.decode()
    assert "Berit Berg" in page and nb("Not yet") in page
    family_client(family, berit).post(reverse(
        "citizen:consent_sign", kwargs={"pk": tobias.pk, "proposal_pk": proposal.pk}))
    assert covered(tobias) == {world.health_station.pk, world.school.pk}


@pytest.mark.django_db
def test_only_the_holder_asks_the_family(family, world):
    url = reverse("relay:ask_consent", kwargs={"pk": family.mia_relay.pk})
    for user in (world.other_employee, world.teacher, world.outsider):
        assert world.client_for(user).get(url).status_code == 404


@pytest.mark.django_db
def test_the_consent_page_shows_the_consent_in_force(family, world, django_assert_max_num_queries):
    client = family_client(family, family.frida)
    with django_assert_max_num_queries(30):
        page = client.get(consent_url(family.mia_relay)).content.decode()
    assert "Samarbeid om trivsel." in page and world.school.name in page
    assert nb("Withdraw consent") in page


@pytest.mark.django_db
def test_a_consent_recorded_on_paper_supersedes_the_request_waiting(family, world, school_out):
    mia = school_out
    propose(family_client(family, family.frida), mia, [world.health_station, world.school])
    proposal = pending(mia)
    with scope(municipality=world.fjordvik):
        actions.give_consent(
            world.actor(world.health_nurse), mia,
            guardians=[family.guardians["frida"], family.guardians["geir"]], child_consents=False,
            services=[world.health_station], purpose="På papir.", given_on=dt.date.today(),
            valid_until=dt.date.today() + dt.timedelta(days=100), method="digital")
    proposal.refresh_from_db()
    assert proposal.status == "superseded"
    family_client(family, family.geir).post(reverse(
        "citizen:consent_sign", kwargs={"pk": mia.pk, "proposal_pk": proposal.pk}))
    assert world.school.pk not in covered(mia)


@pytest.mark.django_db
def test_staff_cannot_record_a_consent_as_given_with_id_porten(family, world):
    with scope(municipality=world.fjordvik), pytest.raises(ValidationError):
        actions.give_consent(
            world.actor(world.health_nurse), family.mia_relay,
            guardians=[family.guardians["frida"], family.guardians["geir"]], child_consents=False,
            services=[world.health_station], purpose="x", given_on=dt.date.today(),
            valid_until=dt.date.today() + dt.timedelta(days=100), method="idporten")
