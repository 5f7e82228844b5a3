"""Innsyn: the family sees who among staff has read or written the child's
log — name, service, when, what kind of information, legal basis — and
never what was written."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.audit.log import record_many, verify_chain
from stafett.audit.models import AuditEvent, LegalBasis
from stafett.citizen.access_log import PAGE_SIZE
from stafett.concerns.models import Child
from stafett.relay import actions
from tests.conftest import nb


def log_url(relay, query=""):
    return reverse("citizen:access_log", kwargs={"pk": relay.pk}) + query


def table(html: str) -> str:
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return match[1] if match else ""


def rows(html: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", table(html), re.S)


@pytest.mark.django_db
def test_helgas_read_shows_with_her_service_and_basis_and_no_text(family, world):
    mia = family.mia_relay
    assert world.client_for(world.health_nurse).get(
        reverse("relay:detail", kwargs={"pk": mia.pk})).status_code == 200
    html = family.client_for(family.frida).get(log_url(mia)).content.decode()
    newest = rows(html)[0]
    assert "Helga Helsesøstersen" in newest and "Helsestasjonen" in newest
    assert nb("read the log") in newest
    assert nb("The service's own duty to follow up the child") in newest
    for text in ("Mia sover bedre", "Samtale med mor alene", "Mistanke om vold", "Mia lo mye"):
        assert text not in html


@pytest.mark.django_db
def test_a_read_by_the_school_shows_the_consent_as_its_basis(family, world):
    mia = family.mia_relay
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), mia, service=world.school,
                                user=world.other_employee)
    world.client_for(world.other_employee).get(reverse("relay:detail", kwargs={"pk": mia.pk}))
    newest = rows(family.client_for(family.frida).get(log_url(mia)).content.decode())[0]
    assert "Olav Skolesen" in newest and "Bakken skole" in newest
    assert nb("The family's consent") in newest


@pytest.mark.django_db
def test_geir_sees_the_same_log_as_frida_and_nothing_tells_him_of_the_withholding(family, world):
    """The access log is about the child: the same for every member of the
    family. The withholding from Geir reads as a plain change to the log."""
    mia = family.mia_relay
    world.client_for(world.health_nurse).get(reverse("relay:detail", kwargs={"pk": mia.pk}))
    frida = table(family.client_for(family.frida).get(log_url(mia)).content.decode())
    geir = table(family.client_for(family.geir).get(log_url(mia)).content.decode())
    assert frida == geir
    assert nb("changed something in the log") in geir
    assert "withh" not in geir.lower() and "tilbakehold" not in geir.lower()


@pytest.mark.django_db
def test_the_familys_own_reads_are_left_out_and_the_visit_is_audited(family):
    mia = family.mia_relay
    client = family.client_for(family.frida)
    client.get(reverse("citizen:consent", kwargs={"pk": mia.pk}))
    html = client.get(log_url(mia)).content.decode()
    assert "Frida Fjeld" not in table(html)
    with scopes_disabled():
        event = AuditEvent.objects.filter(actor=family.frida).latest("id")
    assert (event.action, event.legal_basis, event.child_id) == (
        "read_access_log", LegalBasis.FAMILY_ACCESS, mia.child_id)


def _many_reads(world, relay, count, child_id=None):
    with scope(municipality=world.fjordvik), transaction.atomic():
        actor = world.actor(world.health_nurse)
        for _ in range(count):
            record_many(actor, "read", [(relay, child_id or relay.child_id, None)],
                        legal_basis=LegalBasis.SERVICE_DUTY, service_id=world.health_station.pk)


@pytest.mark.django_db
def test_paged_newest_first_by_keyset_in_a_bounded_number_of_queries(
        family, world, django_assert_max_num_queries):
    mia = family.mia_relay
    _many_reads(world, mia, 3 * PAGE_SIZE)
    client = family.client_for(family.frida)
    with scopes_disabled():
        expected = list(AuditEvent.objects.filter(
            child_id=mia.child_id, object_type="relay",
            legal_basis__in=[LegalBasis.SERVICE_DUTY, LegalBasis.CONSENT]
        ).order_by("-at", "-pk").values_list("pk", flat=True))
    seen, url, pages = 0, log_url(mia), 0
    while url:
        with django_assert_max_num_queries(16):
            html = client.get(url).content.decode()
        pages += 1
        seen += len(rows(html))
        older = re.search(r'href="([^"]*\?eldre=[0-9]+-[0-9]+)"', html)
        url = older[1].replace("&amp;", "&") if older else None
    assert seen == len(expected) and pages == -(-len(expected) // PAGE_SIZE)


@pytest.mark.django_db
def test_a_cursor_that_is_not_one_shows_the_first_page(family):
    client = family.client_for(family.frida)
    for value in ("x", "1-", "9" * 40 + "-1", "-1-1", "99999999999999999-1"):
        assert client.get(log_url(family.mia_relay, f"?eldre={value}")).status_code == 200


@pytest.mark.django_db
def test_a_child_merged_from_duplicates_keeps_its_older_events(family, world):
    mia = family.mia_relay
    old_id = 987654
    with scopes_disabled():
        Child.objects.filter(pk=mia.child_id).update(merged_ids=[old_id])
    _many_reads(world, mia, 1, child_id=old_id)
    with scopes_disabled():
        assert AuditEvent.objects.filter(child_id=old_id).count() == 1
    html = family.client_for(family.frida).get(log_url(mia)).content.decode()
    with scopes_disabled():
        shown = AuditEvent.objects.filter(child_id__in=[mia.child_id, old_id],
                                          object_type="relay",
                                          legal_basis=LegalBasis.SERVICE_DUTY).count()
    assert len(rows(html)) == min(PAGE_SIZE, shown)
    assert rows(html)[0].count("Helsestasjonen")  # the merged row's event is the newest


@pytest.mark.django_db
def test_rows_with_and_without_a_service_keep_the_chain_valid(family, world):
    family.client_for(family.frida).get("/familie/")  # a citizen acts for no service
    with scopes_disabled():
        assert AuditEvent.objects.filter(service__isnull=False).exists()
        assert AuditEvent.objects.filter(service__isnull=True).exists()
    for municipality in (world.fjordvik, world.asheim):
        with scope(municipality=municipality):
            assert verify_chain(municipality.pk) is None
