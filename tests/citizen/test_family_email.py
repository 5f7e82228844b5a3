"""E-mail for families: an address they give and can remove, and messages
with a link and no personal data when something happens in their child's
log — never about an entry withheld from the guardian who would get it."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.followup.engine import run_rules
from stafett.notify import channels
from stafett.notify.models import OutboxMessage
from stafett.relay import actions as relay_actions
from stafett.relay.models import Meeting
from tests.conftest import nb

pytestmark = pytest.mark.django_db


def _give_addresses(family):
    for who in ("frida", "geir", "ylva"):
        response = family.client_for(getattr(family, who)).post(
            "/familie/varsler/", {"email": f"{who}@example.no"})
        assert response.status_code == 302


def _family_messages(kind=None):
    with scopes_disabled():
        rows = OutboxMessage.objects.filter(kind__startswith="family_").exclude(
            kind__in=["family_wrote", "family_child_view", "family_meeting_reply", "family_worry_raised"])
        if kind:
            rows = rows.filter(kind=kind)
        return list(rows.select_related("recipient").order_by("pk"))


def test_the_address_is_given_and_removed(family):
    client = family.client_for(family.frida)
    bad = client.post("/familie/varsler/", {"email": "ikke-en-adresse"})
    assert bad.status_code == 200
    assert nb("Write a valid e-mail address, like name@example.no.") in bad.content.decode()
    client.post("/familie/varsler/", {"email": "frida@example.no"})
    family.frida.refresh_from_db()
    assert family.frida.email == "frida@example.no"
    client.post("/familie/varsler/", {"remove": "1"})
    family.frida.refresh_from_db()
    assert family.frida.email == ""


def test_a_new_entry_tells_the_family_without_personal_data_and_never_the_withheld_guardian(world, family):
    _give_addresses(family)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        entry = relay_actions.add_entry(nurse, family.mia_relay, kind="note", text="Mia strevde i dag.")
    messages = _family_messages("family_log_entry")
    assert {m.recipient for m in messages} == {family.frida, family.geir}
    assert all(m.available_at > timezone.now() for m in messages)  # time to withhold it first
    for message in messages:
        with translation.override("nb"):
            subject, body = channels.render_email(message)
        assert "Mia" not in subject + body and "strevde" not in body and "Fjeld" not in body
        assert "/familie/" in body
        assert nb("Something new has been written in your child's log in Stafett.") in body
    # Withheld from Geir at once: his message is cancelled, Frida's stays.
    with scope(municipality=world.fjordvik):
        relay_actions.withhold_entry(nurse, entry, guardian=family.guardians["geir"], reason="Vurdert med leder.")
    states = {m.recipient: m.state for m in _family_messages("family_log_entry")}
    assert states == {family.frida: "pending", family.geir: "cancelled"}


def test_a_message_that_is_already_waiting_is_refused_when_the_entry_is_withheld(world, family):
    _give_addresses(family)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        entry = relay_actions.add_entry(nurse, family.mia_relay, kind="bright_spot", text="Fin dag.")
    geirs = next(m for m in _family_messages("family_log_entry") if m.recipient == family.geir)
    with scope(municipality=world.fjordvik):
        relay_actions.withhold_entry(nurse, entry, guardian=family.guardians["geir"], reason="Vurdert.")
    # Even a message someone had already claimed is not rendered for Geir.
    with pytest.raises(channels.Cancelled):
        channels.render_email(geirs)


def test_a_correction_of_a_withheld_note_does_not_tell_the_guardian(world, family):
    _give_addresses(family)
    with scope(municipality=world.fjordvik):
        relay_actions.correct_entry(world.actor(world.health_nurse), family.withheld_note,
                                    text="Omformulert.")
    assert {m.recipient for m in _family_messages("family_log_entry")} == {family.frida}


def test_what_the_family_writes_tells_staff_not_the_family(world, family):
    _give_addresses(family)
    family.client_for(family.frida).post(f"/familie/logg/{family.mia_relay.pk}/skriv/",
                                         {"kind": "note", "text": "Hei."})
    assert _family_messages() == []


def test_a_meeting_and_a_new_holder_tell_the_family(world, family):
    _give_addresses(family)
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        relay_actions.plan_meeting(nurse, family.mia_relay, kind=Meeting.Kind.NETWORK,
                                   starts_at=timezone.now() + dt.timedelta(days=3), place="Skolen")
        handover = relay_actions.request_handover(nurse, family.mia_relay, to_user=world.other_employee,
                                                  to_service=world.school, note="Skolen tar over.")
        relay_actions.respond_to_handover(world.actor(world.other_employee), handover, accept=True)
    assert {m.recipient for m in _family_messages("family_meeting_planned")} == {family.frida, family.geir}
    assert {m.recipient for m in _family_messages("family_holder_changed")} == {family.frida, family.geir}
    # Ylva's own relay tells Ylva, not Mia's parents.
    with scope(municipality=world.fjordvik):
        relay_actions.plan_meeting(world.actor(world.health_nurse), family.ylva_relay,
                                   kind=Meeting.Kind.PLANNING, starts_at=timezone.now() + dt.timedelta(days=3),
                                   place="Helsestasjonen")
    assert family.ylva in {m.recipient for m in _family_messages("family_meeting_planned")}


def test_an_expiring_consent_tells_the_family_once(world, family):
    _give_addresses(family)
    with scopes_disabled():
        consent = family.mia_relay.consents.get(withdrawn_at__isnull=True, superseded_at__isnull=True)
        consent.valid_until = timezone.localdate() + dt.timedelta(days=5)
        consent.save(update_fields=["valid_until"])
    run_rules()
    run_rules()
    messages = _family_messages("family_consent_expiring")
    assert sorted(m.recipient.username for m in messages) == ["frida", "geir"]


def test_nobody_without_an_address_or_parental_responsibility_gets_mail(world, family):
    with scopes_disabled():
        family.unni.email = "unni@example.no"
        family.unni.save(update_fields=["email"])
    with scope(municipality=world.fjordvik):
        relay_actions.add_entry(world.actor(world.health_nurse), family.mia_relay, kind="note", text="x")
    assert _family_messages() == []
