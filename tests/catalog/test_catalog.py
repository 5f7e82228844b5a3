"""The catalogue of measures: who may keep it, import by line, round trips,
the public pages and the query budget."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.catalog import actions
from stafett.catalog.fileformat import CatalogFormatError, export_csv, export_yaml, read_file
from stafett.catalog.models import CatalogMeasure
from tests.conftest import nb

HEADER = "key;name;description;age_from;age_to;groups;levels;steps;service;access;contact;active\n"


def make(world, key="icdp", service=None, municipality=None, **extra):
    municipality = municipality or world.fjordvik
    with scope(municipality=municipality):
        return CatalogMeasure.objects.create(
            municipality=municipality, key=key, name=extra.pop("name", f"Tiltak {key}"),
            service=service or world.kindergarten, access="low_threshold", **extra)


def edit_url(m):
    return reverse("catalog:edit", args=[m.pk])


# --- who may keep and see it --------------------------------------------------------


def test_the_coordinator_and_the_services_leader_may_edit_and_others_may_not(world):
    measure = make(world, levels="12")
    assert world.client_for(world.coordinator).get(edit_url(measure)).status_code == 200
    assert world.client_for(world.leader).get(edit_url(measure)).status_code == 200  # leif leads it
    # lise leads the school, not the kindergarten; kari and kasper are employees.
    for refused in (world.other_leader, world.teacher, world.colleague):
        assert world.client_for(refused).get(edit_url(measure)).status_code == 404
        assert world.client_for(refused).get(
            reverse("catalog:status", args=[measure.pk])).status_code == 404
    # Every member of staff reads it.
    assert world.client_for(world.teacher).get(reverse("catalog:detail", args=[measure.pk])).status_code == 200


def test_per_in_asheim_sees_404_on_fjordviks_measure(world):
    measure = make(world)
    per = world.client_for(world.outsider)
    assert per.get(reverse("catalog:detail", args=[measure.pk])).status_code == 404
    assert per.get(edit_url(measure)).status_code == 404
    assert "Tiltak icdp" not in per.get(reverse("catalog:list")).content.decode()


def test_an_employee_may_not_add_or_import(world):
    kari = world.client_for(world.teacher)
    assert kari.get(reverse("catalog:new")).status_code == 404
    assert kari.get(reverse("catalog:import")).status_code == 404


def test_a_leader_may_not_move_a_measure_to_another_service(world):
    measure = make(world)
    with scope(municipality=world.fjordvik):
        with pytest.raises(ValidationError):
            actions.update_measure(world.actor(world.leader), measure, version=1, key="icdp",
                                   service=world.school, name="X")
        assert CatalogMeasure.objects.get(pk=measure.pk).service_id == world.kindergarten.pk


def test_an_import_is_refused_when_a_previewed_measure_changed_meanwhile(world):
    measure = make(world, key="icdp", service=world.health_station)
    cora = world.client_for(world.coordinator)
    _upload(cora, (HEADER + "icdp;ICDP;;;;;;;Helsestasjonen;referral;;yes\n").encode())
    preview = cora.get(reverse("catalog:import") + "?forhandsvis=1")
    with scope(municipality=world.fjordvik):
        actions.set_active(world.actor(world.coordinator), measure, version=1, active=False)
    cora.post(reverse("catalog:import"), {"expected": preview.context["confirm"].initial["expected"]})
    with scope(municipality=world.fjordvik):
        assert CatalogMeasure.objects.get(pk=measure.pk).access == "low_threshold"


def test_a_stale_edit_is_refused_and_deactivating_keeps_the_measure(world):
    measure = make(world)
    cora = world.client_for(world.coordinator)
    form = {"name": "Nytt navn", "key": "icdp", "service": world.kindergarten.pk,
            "access": "referral", "version": 1}
    assert cora.post(edit_url(measure), form).status_code == 302
    response = cora.post(edit_url(measure), {**form, "name": "Et annet navn"})  # version 1 again
    assert response.status_code == 200
    with scope(municipality=world.fjordvik):
        assert CatalogMeasure.objects.get(pk=measure.pk).name == "Nytt navn"
    cora.post(reverse("catalog:status", args=[measure.pk]), {"version": 2})
    with scope(municipality=world.fjordvik):
        kept = CatalogMeasure.objects.get(pk=measure.pk)
    assert kept.active is False


# --- import ----------------------------------------------------------------------------


def _upload(client, text: bytes, name="tiltak.csv"):
    return client.post(reverse("catalog:import"), {"file": SimpleUploadedFile(name, text)})


def test_every_wrong_line_is_named_and_nothing_is_saved(world):
    cora = world.client_for(world.coordinator)
    text = (HEADER
            + "icdp;ICDP;;0;18;parents;1 2;1.3;Helsestasjonen;low_threshold;;yes\n"
            + "pmto;PMTO;;;;;5;;Helsestasjonen;referral;;yes\n"           # line 3: bad level
            + "lek;Leksehjelp;;;;;;;Ukjent skole;low_threshold;;yes\n"    # line 4: unknown service
            + "icdp;Igjen;;;;;;;Helsestasjonen;low_threshold;;yes\n"      # line 5: duplicate key
            + "uten-navn;;;;;;;;Helsestasjonen;low_threshold;;yes\n"      # line 6: missing name
            + "alder;Alder;;12;6;;;;Helsestasjonen;low_threshold;;yes\n")  # line 7: bad age range
    response = _upload(cora, text.encode())
    problems = response.context["problems"]
    for line, column in [(3, "levels"), (4, "service"), (5, "key"), (6, "name"), (7, "age_to")]:
        assert any(p.startswith(nb("line %(line)s, column '%(column)s': %(problem)s", line=line,
                                   column=column, problem="")) for p in problems), (line, problems)
    assert len(problems) == 5
    with scope(municipality=world.fjordvik):
        assert not CatalogMeasure.objects.exists()


def test_wrong_encoding_and_empty_file_are_refused(world):
    for data in (HEADER.encode() + "æ;Æ;;;;;;;Helsestasjonen;referral;;yes\n".encode("latin-1"), b"", b"  \n"):
        with pytest.raises(CatalogFormatError):
            read_file("tiltak.csv", data)
    cora = world.client_for(world.coordinator)
    response = _upload(cora, "Ærlig;Æ\n".encode("latin-1"))
    assert "UTF-8" in response.content.decode()


def test_a_leader_imports_only_their_own_services_measures(world):
    lise = world.client_for(world.other_leader)
    text = HEADER + "lek;Leksehjelp;;;;;;;Solsikken barnehage;low_threshold;;yes\n"
    response = _upload(lise, text.encode())
    assert response.context["problems"][0].startswith(nb("line %(line)s, column '%(column)s': %(problem)s",
                                                        line=2, column="service", problem=""))
    with scope(municipality=world.fjordvik):
        assert not CatalogMeasure.objects.exists()


def test_a_checked_file_is_previewed_then_imported_matched_by_key(world):
    make(world, key="icdp", name="Gammelt navn", service=world.health_station)
    cora = world.client_for(world.coordinator)
    text = (HEADER + "icdp;ICDP;Kurs;0;18;parents;1 2;1.3;Helsestasjonen;low_threshold;;yes\n"
            + "lek;Leksehjelp;;6;16;child;1;;Bakken skole;low_threshold;;yes\n")
    response = _upload(cora, text.encode())
    assert response.status_code == 302
    preview = cora.get(response["Location"])
    assert [p.status for p in preview.context["planned"]] == ["changed", "new"]
    with scope(municipality=world.fjordvik):
        assert CatalogMeasure.objects.count() == 1  # the preview saves nothing
    response = cora.post(reverse("catalog:import"), {"expected": preview.context["confirm"].initial["expected"]})
    assert response.status_code == 302 and response["Location"] == reverse("catalog:list")
    with scope(municipality=world.fjordvik):
        icdp = CatalogMeasure.objects.get(key="icdp")
        assert (icdp.name, icdp.levels, icdp.steps, icdp.version) == ("ICDP", "12", "1.3", 2)
        assert CatalogMeasure.objects.get(key="lek").service == world.school


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_an_export_imports_back_unchanged(world, kind):
    make(world, key="icdp", name="ICDP; «foreldre»", description="Linje én\nLinje to",
         age_from=0, age_to=18, for_parents=True, levels="12", steps="1.3 2.10",
         contact="tlf. 40 00 00 00", service=world.health_station)
    make(world, key="gammel", active=False, for_unborn=True)
    cora = world.client_for(world.coordinator)
    exported = cora.get(reverse("catalog:export") + f"?format={kind}").getvalue()
    with scope(municipality=world.fjordvik):
        before = {m.key: (m.version, m.updated_at) for m in CatalogMeasure.objects.all()}
        planned, _fp = actions.plan_import(world.actor(world.coordinator),
                                           read_file(f"tiltak.{kind}", exported))
        assert [p.status for p in planned] == ["unchanged", "unchanged"]
        measures = CatalogMeasure.objects.select_related("service").order_by("key")
        again = export_csv(measures) if kind == "csv" else export_yaml(measures, "9901")
        assert again.encode() == exported
        assert before == {m.key: (m.version, m.updated_at) for m in CatalogMeasure.objects.all()}


def test_the_shipped_example_imports(world, settings):
    from pathlib import Path

    data = (Path(settings.BASE_DIR) / "docs" / "catalog-example.csv").read_bytes()
    with scopes_disabled():
        from stafett.tenancy.models import Service
        for name in ("Helsestasjon og skolehelsetjeneste", "Barneverntjenesten", "PPT Fjordvik"):
            Service.objects.create(municipality=world.fjordvik, name=name, kind="hjelpe")
    with scope(municipality=world.fjordvik):
        planned, _fp = actions.plan_import(world.actor(world.coordinator), read_file("x.csv", data))
    assert len(planned) >= 3


# --- public -----------------------------------------------------------------------------


def test_the_public_catalogue_shows_active_measures_of_its_own_municipality(world):
    make(world, key="icdp", name="Foreldreveiledning ICDP", age_from=0, age_to=18, levels="12",
         service=world.health_station)
    make(world, key="lek", name="Leksehjelp", age_from=6, age_to=16, levels="1", service=world.school)
    make(world, key="gammel", name="Nedlagt tilbud", active=False)
    anonymous = Client()
    url = reverse("catalog_public:list", args=["9901"])
    page = anonymous.get(url).content.decode()
    assert "Foreldreveiledning ICDP" in page and "Leksehjelp" in page
    assert "Nedlagt tilbud" not in page
    assert "Leksehjelp" not in anonymous.get(url + "?alder=3").content.decode()
    assert "Leksehjelp" not in anonymous.get(url + "?niva=2").content.decode()
    assert "Leksehjelp" not in anonymous.get(url + "?q=foreldre").content.decode()
    assert "Leksehjelp" not in anonymous.get(url + f"?tjeneste={world.health_station.pk}").content.decode()
    assert "Leksehjelp" in anonymous.get(url + "?alder=abc&niva=9").content.decode()  # ignored
    assert anonymous.get(reverse("catalog_public:detail", args=["9901", "icdp"])).status_code == 200
    assert anonymous.get(reverse("catalog_public:detail", args=["9901", "gammel"])).status_code == 404
    assert anonymous.get(reverse("catalog_public:detail", args=["9902", "icdp"])).status_code == 404
    assert "Foreldreveiledning" not in anonymous.get(
        reverse("catalog_public:list", args=["9902"])).content.decode()
    assert "no-store" not in anonymous.get(url).get("Cache-Control", "")


def test_a_guide_step_lists_its_measures(world):
    make(world, key="icdp", name="Foreldreveiledning ICDP", steps="1.1 2.3")
    make(world, key="annet", name="Et annet steg", steps="1.10")
    public = Client().get(reverse("guides_public:step", args=["9901", 1, 1])).content.decode()
    assert "Foreldreveiledning ICDP" in public and "Et annet steg" not in public
    assert reverse("catalog_public:detail", args=["9901", "icdp"]) in public
    staff = world.client_for(world.teacher).get(reverse("guides:step", args=[1, 1])).content.decode()
    assert "Foreldreveiledning ICDP" in staff
    overview = Client().get(reverse("guides_public:overview", args=["9901"])).content.decode()
    assert reverse("catalog_public:list", args=["9901"]) in overview


# --- query budget -----------------------------------------------------------------------


def _many(world, count):
    with scope(municipality=world.fjordvik):
        CatalogMeasure.objects.bulk_create([
            CatalogMeasure(municipality=world.fjordvik, key=f"m-{i}", name=f"Tiltak {i}",
                           service=(world.kindergarten, world.school)[i % 2], access="referral",
                           levels="12")
            for i in range(CatalogMeasure.objects.count(), count)])


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_make_the_same_number_of_queries_with_10_and_10_000_measures(world):
    staff = world.client_for(world.coordinator)
    staff_url = reverse("catalog:list") + "?niva=1&q=Tiltak"
    public_url = reverse("catalog_public:list", args=["9901"]) + "?niva=1"
    _many(world, 10)
    small = (_queries(staff, staff_url), _queries(Client(), public_url))
    _many(world, 10_000)
    assert (_queries(staff, staff_url), _queries(Client(), public_url)) == small
