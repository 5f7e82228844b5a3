"""The level-0 journey through the web pages: validation, steps in any order,
conflicts, and nothing saved half-way."""

import datetime as dt

from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.concerns.models import Child, Concern
from stafett.lib.national_id import make_synthetic

from .helpers import make_concern


def _new(client, **overrides):
    data = {
        "service": "", "child_name": "Ella Strandvik", "birth_date": "", "expected_date": "",
        "national_id": "", "observations": "Sliten om morgenen.", "questions": "",
    }
    data.update(overrides)
    return client.post(reverse("concerns:new"), data)


def test_register_with_birth_date_and_masked_id(world):
    client = world.client_for(world.teacher)
    birth = dt.date.today() - dt.timedelta(days=1500)
    nid = make_synthetic(birth, 2)
    response = _new(client, service=world.kindergarten.pk, birth_date=birth.isoformat(),
                    national_id=f"{nid[:6]} {nid[6:]}")
    assert response.status_code == 302
    with scopes_disabled():
        concern = Concern.objects.get()
        assert concern.child.national_id == nid
    page = client.get(response["Location"]).content.decode()
    assert nid[:6] + " *****" in page
    assert nid not in page


def test_birth_date_is_taken_from_the_identity_number(world):
    client = world.client_for(world.teacher)
    birth = dt.date.today() - dt.timedelta(days=2000)
    response = _new(client, service=world.kindergarten.pk, national_id=make_synthetic(birth, 1))
    assert response.status_code == 302
    with scopes_disabled():
        assert Child.objects.get().birth_date == birth


def test_unborn_child_by_expected_date(world):
    client = world.client_for(world.teacher)
    expected = dt.date.today() + dt.timedelta(days=90)
    response = _new(client, service=world.kindergarten.pk, child_name="Ufødt barn",
                    expected_date=expected.isoformat())
    assert response.status_code == 302
    with scopes_disabled():
        child = Child.objects.get()
        assert child.unborn and child.expected_date == expected


def test_bad_input_gets_clear_messages_and_saves_nothing(world):
    client = world.client_for(world.teacher)
    cases = [
        ({"child_name": "  "}, "Skriv barnets navn"),
        ({"birth_date": ""}, "fødselsdato"),
        ({"birth_date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "framtiden"),
        ({"birth_date": "2019-02-30"}, "gyldig dato"),
        ({"national_id": "12345678901"}, "ikke gyldig"),
        ({"national_id": "1234"}, "11 sifre"),
        ({"observations": ""}, "Skriv hva du har sett og hørt"),
        ({"birth_date": "2020-01-01", "expected_date": (dt.date.today() + dt.timedelta(days=30)).isoformat()}, "ikke begge"),
    ]
    for overrides, message in cases:
        data = {"service": world.kindergarten.pk, "birth_date": "2020-05-05"} | overrides
        response = _new(client, **data)
        assert response.status_code == 200, overrides
        assert message in response.content.decode(), (overrides, message)
    with scopes_disabled():
        assert not Concern.objects.exists() and not Child.objects.exists()


def test_identity_number_must_match_birth_date(world):
    client = world.client_for(world.teacher)
    nid = make_synthetic(dt.date(2020, 5, 5), 0)
    response = _new(client, service=world.kindergarten.pk, birth_date="2020-05-06", national_id=nid)
    assert response.status_code == 200
    assert "stemmer ikke med fødselsdatoen" in response.content.decode()


def test_cannot_register_for_a_service_one_does_not_work_in(world):
    client = world.client_for(world.teacher)
    response = _new(client, service=world.school.pk, birth_date="2020-05-05")
    assert response.status_code == 200
    with scopes_disabled():
        assert not Concern.objects.exists()


def test_steps_in_any_order_and_the_suggested_next(world):
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    detail = reverse("concerns:detail", args=[concern.pk])
    # Talk before sharing: allowed; the suggestion stays on "share".
    response = client.post(reverse("concerns:step", args=[concern.pk, "talk"]), {
        "held_on": dt.date.today().isoformat(), "participants": "Mor og barnet",
        "summary": "Mor er bekymret også.", "child_view": "Jeg er trøtt.",
    })
    assert response.status_code == 302
    page = client.get(detail)
    journey = {item.code: item for item in page.context["journey"]}
    assert journey["define"].done and journey["talk"].done
    assert not journey["share"].done and journey["share"].is_next
    # Share, decide, close.
    concern.refresh_from_db()
    assert client.post(reverse("concerns:step", args=[concern.pk, "share"]),
                       {"version": concern.version, "message": ""}).status_code == 302
    concern.refresh_from_db()
    assert client.post(reverse("concerns:step", args=[concern.pk, "decide"]), {
        "version": concern.version, "outcome": "level2", "reason": "Trenger helsestasjonen.",
    }).status_code == 302
    concern.refresh_from_db()
    assert client.post(reverse("concerns:step", args=[concern.pk, "close"]), {
        "version": concern.version, "reason": "Videre på nivå 2.",
    }).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.outcome == "level2"
    assert all(item.done for item in client.get(detail).context["journey"])


def test_stale_form_gets_conflict_not_lost_update(world):
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    url = reverse("concerns:step", args=[concern.pk, "define"])
    stale = concern.version
    assert client.post(url, {"version": stale, "observations": "Første versjon"}).status_code == 302
    response = client.post(url, {"version": stale, "observations": "Andre versjon"})
    assert response.status_code == 200
    assert "endret denne bekymringen" in response.content.decode()
    concern.refresh_from_db()
    assert concern.observations == "Første versjon"


def test_closed_worry_cannot_be_changed(world):
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    client.post(reverse("concerns:step", args=[concern.pk, "close"]),
                {"version": concern.version, "reason": "Løst."})
    concern.refresh_from_db()
    response = client.post(reverse("concerns:step", args=[concern.pk, "define"]),
                           {"version": concern.version, "observations": "Endret"})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.observations == "Virker sliten om morgenen."


def test_acute_contact_is_recorded_with_legal_basis(world):
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    url = reverse("concerns:acute", args=[concern.pk])
    page = client.get(url).content.decode()
    assert "112" in page and "40 00 10 01" in page and "40 00 10 02" in page
    response = client.post(url, {
        "contacted": "child_welfare", "contacted_at": "2026-01-05T10:15",
        "legal_basis": "duty_to_report", "leader_informed": "on", "leader_name": "",
    })
    assert response.status_code == 200
    assert "Skriv hvilken leder" in response.content.decode()
    response = client.post(url, {
        "contacted": "child_welfare", "contacted_at": "2026-01-05T10:15",
        "legal_basis": "duty_to_report", "leader_informed": "on", "leader_name": "Leif Styrersen",
    })
    assert response.status_code == 302
    with scopes_disabled():
        contact = concern.acute_contacts.get()
        assert contact.legal_basis == "duty_to_report" and contact.leader_informed
        from stafett.audit.models import AuditEvent
        event = AuditEvent.objects.get(action="acute_contact")
        assert event.legal_basis == "duty_to_report" and event.item_id == contact.pk


def test_leader_inbox_lists_shared_worries_with_next_step(world):
    make_concern(world, shared=True, name="Delt Barnesen")
    make_concern(world, shared=False, name="Privat Barnesen")
    response = world.client_for(world.leader).get(reverse("concerns:inbox"))
    page = response.content.decode()
    assert "Delt Barnesen" in page and "Privat Barnesen" not in page
    assert "Kari Lærersen" in page
