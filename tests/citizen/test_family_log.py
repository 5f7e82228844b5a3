"""The family's view of a relay and what they write in it: who reads what,
what is written where, and that staff are told."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent, LegalBasis
from stafett.citizen.actions import upcoming_meetings
from stafett.notify.models import Notice
from stafett.relay import actions as relay_actions
from stafett.relay.models import ChildView, Entry, MeetingReply
from stafett.relay.policy import timeline_queryset
from tests.conftest import nb

pytestmark = pytest.mark.django_db


def url(relay, tail=""):
    return f"/familie/logg/{relay.pk}/{tail}"


def test_frida_reads_mias_log_with_goals_measures_and_meetings(family_log):
    f = family_log.family
    page = f.client_for(f.frida).get(url(f.mia_relay))
    assert page.status_code == 200
    text = page.content.decode()
    for wanted in ("Mia Fjeld", "Mia sover hele natten", "Fast leggetid kl. 19.", "Bakken skole",
                   "Vi snakket om søvn.", "Helga Helsesøstersen", "Helsestasjonen", "Mia lo mye i dag.",
                   "Samtale med mor alene"):
        assert wanted in text, wanted
    assert nb("What happens next") in text
    with scopes_disabled():
        event = AuditEvent.objects.filter(actor=f.frida, action="read").get()
    assert (event.object_id, event.legal_basis) == (f.mia_relay.pk, LegalBasis.FAMILY_ACCESS)


def test_geir_does_not_see_the_withheld_note_nor_its_correction(world, family):
    with scope(municipality=world.fjordvik):
        relay_actions.correct_entry(world.actor(world.health_nurse), family.withheld_note,
                                    text="Samtale med mor alene, omformulert.")
    geir = family.client_for(family.geir).get(url(family.mia_relay)).content.decode()
    assert "Samtale med mor" not in geir and "omformulert" not in geir
    assert "Mia lo mye i dag." in geir
    frida = family.client_for(family.frida).get(url(family.mia_relay)).content.decode()
    assert "omformulert" in frida


@pytest.mark.parametrize("who", ["unni", "tobias", "nils", "ase"])
def test_nobody_else_gets_mias_log(family, who):
    client = family.client_for(getattr(family, who))
    assert client.get(url(family.mia_relay)).status_code == 404
    assert client.post(url(family.mia_relay, "skriv/"), {"kind": "note", "text": "Hei"}).status_code == 404
    with scopes_disabled():
        assert not Entry.objects.filter(by_family=True).exists()
        assert not AuditEvent.objects.filter(actor=getattr(family, who)).exclude(action="list").exists()


def test_staff_get_404_on_the_family_log(world, family):
    assert world.client_for(world.health_nurse).get(url(family.mia_relay)).status_code == 404


def test_the_young_person_reads_her_own_log(family_log):
    f = family_log.family
    assert f.client_for(f.ylva).get(url(f.ylva_relay)).status_code == 200
    assert f.client_for(f.ylva).get(url(f.mia_relay)).status_code == 404


@pytest.mark.parametrize("entries", [5, 200])
def test_the_family_log_is_a_bounded_number_of_queries(world, family_log, entries,
                                                       django_assert_max_num_queries):
    f = family_log.family
    with scope(municipality=world.fjordvik):
        nurse = world.actor(world.health_nurse)
        for i in range(entries):
            relay_actions.add_entry(nurse, f.mia_relay, kind="note", text=f"Notat {i}")
    client = f.client_for(f.frida)
    client.get("/familie/")  # the session and the language are settled
    with django_assert_max_num_queries(30):
        response = client.get(url(f.mia_relay))
    assert response.status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(url(f.mia_relay) + "?side=3").status_code == 200


def test_a_bright_spot_from_frida_is_on_helgas_timeline_as_the_familys(world, family):
    client = family.client_for(family.frida)
    response = client.post(url(family.mia_relay, "skriv/"), {"kind": "bright_spot", "text": "Mia syklet alene!"})
    assert response.status_code == 302
    with scopes_disabled():
        entry = Entry.objects.get(text="Mia syklet alene!")
        assert (entry.by_family, entry.author, entry.author_service_id) == (True, family.frida, None)
        assert Notice.objects.filter(recipient=world.health_nurse, kind="family_wrote",
                                     object_id=family.mia_relay.pk).exists()
        assert AuditEvent.objects.filter(actor=family.frida, action="create",
                                         legal_basis=LegalBasis.FAMILY_ACCESS).exists()
    staff = world.client_for(world.health_nurse).get(f"/stafettlogg/{family.mia_relay.pk}/").content.decode()
    assert "Mia syklet alene!" in staff and nb("From the family") in staff
    copy = world.client_for(world.health_nurse).get(f"/stafettlogg/{family.mia_relay.pk}/foresattes-kopi/?foresatt={family.guardians['geir'].pk}")
    assert nb("From the family") in copy.content.decode()


@pytest.mark.parametrize("text, message", [
    ("", "Write something before you send it."),
    ("   ", "Write something before you send it."),
    ("x" * 5001, None),
    ("Hei\x00der", None),
])
def test_bad_text_gets_a_message_and_saves_nothing(family, text, message):
    response = family.client_for(family.frida).post(url(family.mia_relay, "skriv/"),
                                                    {"kind": "note", "text": text})
    assert response.status_code == 200
    if message:
        assert nb(message) in response.content.decode()
    with scopes_disabled():
        assert not Entry.objects.filter(by_family=True).exists()
        assert not Notice.objects.filter(kind="family_wrote").exists()


def test_ylva_writes_her_own_view_before_a_meeting(world, family_log):
    f = family_log.family
    response = f.client_for(f.ylva).post(url(f.ylva_relay, "mitt-syn/"), {
        "meeting": family_log.ylva_meeting.pk, "text": "Jeg vil ikke bytte skole."})
    assert response.status_code == 302
    with scopes_disabled():
        view = ChildView.objects.get()
    assert (view.written_by, view.author, view.meeting) == ("child", f.ylva, family_log.ylva_meeting)
    staff = world.client_for(world.health_nurse).get(
        f"/stafettlogg/{f.ylva_relay.pk}/mote/{family_log.ylva_meeting.pk}/").content.decode()
    assert "Jeg vil ikke bytte skole." in staff
    assert nb("written by the child") in staff


def test_a_guardian_writes_the_childs_view_on_her_behalf(family_log):
    f = family_log.family
    f.client_for(f.frida).post(url(f.mia_relay, "mitt-syn/"), {
        "meeting": family_log.meeting.pk, "text": "Mia vil ha lys på om natten."})
    with scopes_disabled():
        assert ChildView.objects.get().written_by == "guardian"


@pytest.mark.parametrize("which", ["past_meeting", "ylva_meeting", "nonsense"])
def test_the_view_refuses_a_past_meeting_or_another_relays(family_log, which):
    f = family_log.family
    meeting = getattr(family_log, which, None)
    response = f.client_for(f.frida).post(url(f.mia_relay, "mitt-syn/"), {
        "meeting": meeting.pk if meeting else "1e99", "text": "Hei"})
    assert response.status_code == 200
    assert nb("Choose one of the options in the list.") in response.content.decode()
    with scopes_disabled():
        assert not ChildView.objects.exists()


def test_a_reply_to_an_invitation_is_seen_on_the_meeting_page(world, family_log):
    f = family_log.family
    client = f.client_for(f.geir)
    bad = client.post(url(f.mia_relay, "svar/"), {"meeting": family_log.meeting.pk, "answer": "other_time"})
    assert bad.status_code == 200 and nb("Write which times suit you.") in bad.content.decode()
    ok = client.post(url(f.mia_relay, "svar/"), {"meeting": family_log.meeting.pk, "answer": "other_time",
                                                 "comment": "Etter kl. 15 passer best."})
    assert ok.status_code == 302
    with scopes_disabled():
        reply = MeetingReply.objects.get()
        assert reply.guardian == f.guardians["geir"]
        assert Notice.objects.filter(recipient=world.health_nurse, kind="family_meeting_reply").exists()
    staff = world.client_for(world.health_nurse).get(
        f"/stafettlogg/{f.mia_relay.pk}/mote/{family_log.meeting.pk}/").content.decode()
    assert "Etter kl. 15 passer best." in staff and "Geir Fjeld" in staff


def test_a_closed_relay_refuses_writes(world, family_log):
    f = family_log.family
    with scope(municipality=world.fjordvik):
        relay = f.mia_relay
        relay.refresh_from_db()
        relay_actions.close_relay(world.actor(world.health_nurse), relay, version=relay.version,
                                  reason="goal_reached", summary="Målet er nådd.")
    client = f.client_for(f.frida)
    page = client.get(url(f.mia_relay))
    assert page.status_code == 200 and nb("Write in the log") not in page.content.decode()
    response = client.post(url(f.mia_relay, "skriv/"), {"kind": "note", "text": "Hei"})
    assert response.status_code == 200
    assert nb("This log is closed: nothing more can be written in it.") in response.content.decode()
    response = client.post(url(f.mia_relay, "svar/"), {"meeting": family_log.meeting.pk, "answer": "coming"})
    assert response.status_code == 200
    with scopes_disabled():
        assert not Entry.objects.filter(by_family=True).exists()
        assert not MeetingReply.objects.exists()


def test_family_entries_are_marked_in_the_pdf(world, family):
    family.client_for(family.frida).post(url(family.mia_relay, "skriv/"), {"kind": "note", "text": "Fra mor."})
    with scope(municipality=world.fjordvik):
        entry = timeline_queryset(family.mia_relay).filter(by_family=True).get()
        with translation.override("nb"):
            html = Template("{% load authors %}{% entry_author entry %}").render(Context({"entry": entry}))
    assert nb("From the family") in html and "Frida Fjeld" in html


def test_upcoming_meetings_are_offered_only_ahead(family_log):
    f = family_log.family
    with scope(municipality=f.mia_relay.municipality):
        ahead = list(upcoming_meetings(f.mia_relay))
    assert ahead == [family_log.meeting]
    assert family_log.past_meeting.starts_at < timezone.now() - dt.timedelta(days=1)
