"""Feedback to leadership: who may send, read and answer it; anonymity; the
status flow and its history; who is told; bad input."""

import hashlib

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.feedback import policy
from stafett.feedback.models import Feedback, StatusChange
from stafett.guides.models import Guide
from stafett.notify import outbox
from stafett.notify.models import Notice, OutboxMessage
from stafett.tenancy.models import MunicipalityRole

from .helpers import answer, send

pytestmark = pytest.mark.django_db

NEW, MINE, TRACK, HANDLE = (reverse(f"feedback:{n}") for n in ("new", "mine", "track", "handle"))


def _post_new(client, **data):
    return client.post(NEW, {"topic": "guide", "subject": "", "text": "Veilederen er for lang.", **data})


def _count():
    with scopes_disabled():
        return Feedback.objects.count(), StatusChange.objects.count()


# --- sending ---------------------------------------------------------------------


def test_an_employee_sends_named_feedback_and_follows_it_on_my_feedback(world):
    kari = world.client_for(world.teacher)
    response = _post_new(kari, topic="step", subject="1.2", text="Hvem kaller inn?")
    with scopes_disabled():
        feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:detail", args=[feedback.pk])
    assert (feedback.sender, feedback.service, feedback.origin) == (world.teacher, world.kindergarten, "staff")
    assert (feedback.topic, feedback.subject, feedback.tracking_hash) == ("step", "1.2", "")
    page = kari.get(MINE).content.decode()
    assert "Mottatt" in page and "Nivå 1, trinn 2" in page
    assert "Hvem kaller inn?" in kari.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()


def test_the_guide_step_page_links_to_feedback_prefilled_with_the_step(world):
    kari = world.client_for(world.teacher)
    page = kari.get(reverse("guides:step", args=[1, 2])).content.decode()
    link = reverse("feedback:new") + "?om=step&amp;del=1.2"
    assert link in page
    form = kari.get(reverse("feedback:new") + "?om=step&del=1.2").content.decode()
    assert 'value="1.2" selected' in form and 'value="step" required id="id_topic_1" checked' in form


@pytest.mark.parametrize("data, message", [
    ({"text": "   "}, "Skriv tilbakemeldingen din."),
    ({"text": "x" * 4001}, "Teksten er for lang"),
    ({"topic": "step", "subject": "9.9"}, "Velg et av valgene i listen."),
    ({"topic": "step", "subject": ""}, "Velg trinnet i listen."),
    ({"topic": "tool", "subject": "1.2"}, "Velg verktøyet i listen."),
    ({"topic": "weather"}, "Velg et av valgene i listen."),
])
def test_bad_input_gets_a_message_and_nothing_is_saved(world, data, message):
    response = _post_new(world.client_for(world.teacher), **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _count() == (0, 0)


# --- anonymity -------------------------------------------------------------------


def test_anonymous_feedback_stores_nothing_that_names_the_sender(world):
    kari = world.client_for(world.teacher)
    response = _post_new(kari, anonymous="on", text="Anonym hilsen.")
    assert response.status_code == 200
    page = response.content.decode()
    code = page.split('<strong dir="ltr">')[1].split("<")[0]
    assert policy.normalise_code(code)
    with scopes_disabled():
        feedback = Feedback.objects.get()
        change = StatusChange.objects.get()
    assert feedback.sender is None and feedback.service is None and feedback.answered_by is None
    assert change.by is None
    assert feedback.tracking_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    # Only the day: no time to match against who was logged in.
    assert (feedback.created_at.second, feedback.created_at.minute) == (0, 0)
    # The code is in no session, message or notice: "My feedback" does not list it.
    assert "Anonym hilsen." not in kari.get(MINE).content.decode()
    assert code not in kari.get(MINE).content.decode()
    # The coordinator sees it, and never who sent it.
    cora = world.client_for(world.coordinator)
    for url in (HANDLE, reverse("feedback:handle_detail", args=[feedback.pk])):
        text = cora.get(url).content.decode()
        assert "Anonym hilsen." in text[:100000] or url == HANDLE
        assert "Anonym" in text and "Kari" not in text and "Solsikken" not in text


def test_the_tracking_code_opens_its_own_item_and_no_other(world):
    first = send(world, world.teacher, text="Første anonyme.", anonymous=True)
    second = send(world, world.other_employee, text="Andre anonyme.", anonymous=True)
    olav = world.client_for(world.other_employee)
    page = olav.post(TRACK, {"code": first.code.lower().replace("-", " ")}).content.decode()
    assert "Første anonyme." in page and "Andre anonyme." not in page
    page = olav.post(TRACK, {"code": second.code}).content.decode()
    assert "Andre anonyme." in page and "Første anonyme." not in page


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD-EEEE", "ikke en kode", "1' OR 1=1 --", "A" * 79])
def test_unknown_and_malformed_codes_get_one_and_the_same_message(world, code):
    send(world, world.teacher, anonymous=True)
    response = world.client_for(world.teacher).post(TRACK, {"code": code})
    assert response.status_code == 200
    assert "Fant ingen tilbakemelding med denne koden." in response.content.decode()


def test_a_code_does_not_open_feedback_in_another_municipality(world):
    sent = send(world, world.teacher, anonymous=True, text="Fra Fjordvik.")
    page = world.client_for(world.outsider).post(TRACK, {"code": sent.code}).content.decode()
    assert "Fra Fjordvik." not in page and "Fant ingen tilbakemelding" in page


# --- refusals --------------------------------------------------------------------


def test_another_employee_cannot_see_someone_elses_feedback(world):
    sent = send(world, world.teacher)
    url = reverse("feedback:detail", args=[sent.feedback.pk])
    assert world.client_for(world.teacher).get(url).status_code == 200
    assert world.client_for(world.colleague).get(url).status_code == 404
    assert world.client_for(world.leader).get(url).status_code == 404
    assert "Trinnet er uklart." not in world.client_for(world.colleague).get(MINE).content.decode()


def test_a_leader_who_is_not_coordinator_cannot_open_the_coordinators_pages(world):
    sent = send(world, world.teacher)
    leif = world.client_for(world.leader)
    assert leif.get(HANDLE).status_code == 404
    assert leif.get(reverse("feedback:handle_detail", args=[sent.feedback.pk])).status_code == 404
    response = leif.post(reverse("feedback:handle_detail", args=[sent.feedback.pk]),
                         {"status": "considering", "answer": "", "version": 1})
    assert response.status_code == 404
    with scopes_disabled():
        assert Feedback.objects.get().status == "received"


def test_per_in_asheim_sees_nothing_of_fjordviks_feedback(world):
    sent = send(world, world.teacher, text="Bare for Fjordvik.")
    with scopes_disabled():
        MunicipalityRole.objects.create(municipality=world.asheim, user=world.outsider, role="coordinator")
    per = world.client_for(world.outsider)
    page = per.get(HANDLE)
    assert page.status_code == 200 and "Bare for Fjordvik." not in page.content.decode()
    assert per.get(reverse("feedback:handle_detail", args=[sent.feedback.pk])).status_code == 404
    assert per.get(reverse("feedback:detail", args=[sent.feedback.pk])).status_code == 404


def test_citizens_and_staff_do_not_reach_each_others_feedback_pages(world):
    assert world.client_for(world.teacher).get(reverse("feedback_family:new")).status_code == 404


# --- the status flow ----------------------------------------------------------------


def test_the_coordinator_answers_and_every_change_is_in_the_history(world):
    sent = send(world, world.teacher)
    cora = world.client_for(world.coordinator)
    url = reverse("feedback:handle_detail", args=[sent.feedback.pk])
    with scope(municipality=world.fjordvik):
        guide = Guide.objects.get(municipality=world.fjordvik, status="published")
    # A decision without an answer is refused, and nothing changes.
    response = cora.post(url, {"status": "changed", "answer": "", "version": 1})
    assert "Skriv et svar til avsenderen" in response.content.decode()
    assert cora.post(url, {"status": "considering", "answer": "Vi ser på det.", "version": 1}).status_code == 302
    # A stale page is a conflict, not an overwrite.
    response = cora.post(url, {"status": "not_changed", "answer": "Nei.", "version": 1})
    assert "Siden er utdatert" in response.content.decode()
    # "Received" does not come back once it is being considered.
    response = cora.post(url, {"status": "received", "answer": "", "version": 2})
    assert "Velg et av valgene i listen." in response.content.decode()
    assert cora.post(url, {"status": "changed", "answer": "Trinnet er skrevet om.", "guide": guide.pk,
                           "version": 2}).status_code == 302
    with scopes_disabled():
        feedback = Feedback.objects.get()
        history = list(StatusChange.objects.filter(feedback=feedback).values_list("status", "answer", "by"))
    assert (feedback.status, feedback.guide, feedback.version) == ("changed", guide, 3)
    assert history == [("received", "", None), ("considering", "Vi ser på det.", world.coordinator.pk),
                       ("changed", "Trinnet er skrevet om.", world.coordinator.pk)]
    page = world.client_for(world.teacher).get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert f"Endret i versjon {guide.number} av handlingsveilederen" in page
    assert "Vi ser på det." in page and "Trinnet er skrevet om." in page


def test_a_guide_version_is_linked_only_to_a_change(world):
    sent = send(world, world.teacher)
    with scope(municipality=world.fjordvik):
        guide = Guide.objects.get(municipality=world.fjordvik, status="published")
    with pytest.raises(Exception, match="endret"):
        answer(world, sent.feedback, "not_changed", "Nei.", guide=guide)
    with scope(municipality=world.asheim):
        other = Guide.objects.get(municipality=world.asheim, status="published")
    with pytest.raises(Exception, match="publisert versjon"):
        answer(world, sent.feedback, "changed", "Ja.", guide=other)


# --- who is told -------------------------------------------------------------------


def test_a_named_sender_is_told_in_the_app_and_by_email_without_the_text(world):
    world.teacher.email = "kari@fjordvik.example"
    world.teacher.save(update_fields=["email"])
    sent = send(world, world.teacher, text="Hemmelig innhold om rutinen.")
    answer(world, sent.feedback, "considering", "Vi ser på det.")
    with scopes_disabled():
        notice = Notice.objects.get()
        message = OutboxMessage.objects.get()
    assert (notice.recipient, notice.kind, notice.object_type, notice.object_id) == (
        world.teacher, "feedback_answered", "feedback", sent.feedback.pk)
    assert message.recipient == world.teacher and "Hemmelig" not in str(message.params)
    outbox.deliver_all("test")
    assert len(mail.outbox) == 1
    assert "Hemmelig" not in mail.outbox[0].body and "Vi ser på det." not in mail.outbox[0].body
    # The notice opens the feedback for her.
    page = world.client_for(world.teacher).get(reverse("notify:list")).content.decode()
    assert reverse("feedback:detail", args=[sent.feedback.pk]) in page


def test_an_anonymous_sender_is_told_nothing(world):
    world.teacher.email = "kari@fjordvik.example"
    world.teacher.save(update_fields=["email"])
    sent = send(world, world.teacher, anonymous=True)
    answer(world, sent.feedback, "not_changed", "Vi lar det stå.")
    with scopes_disabled():
        assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


# --- the start page -----------------------------------------------------------------


def test_the_start_page_offers_feedback_and_counts_what_waits_for_the_coordinator(world):
    send(world, world.teacher)
    second = send(world, world.other_employee, anonymous=True)
    send(world, world.other_employee)
    answer(world, second.feedback, "considering")
    page = world.client_for(world.coordinator).get(reverse("core:home")).content.decode()
    assert "2 tilbakemeldinger venter på svar." in page
    kari = world.client_for(world.teacher).get(reverse("core:home")).content.decode()
    assert reverse("feedback:new") in kari and reverse("feedback:handle") not in kari


def test_the_list_filters_and_counts_by_status(world):
    first = send(world, world.teacher, topic="cooperation", text="Samarbeid A")
    send(world, world.teacher, topic="system", text="System B")
    answer(world, first.feedback, "considering")
    cora = world.client_for(world.coordinator)
    page = cora.get(HANDLE + "?status=considering").content.decode()
    assert "Samarbeid A" in page and "System B" not in page
    page = cora.get(HANDLE + "?topic=system").content.decode()
    assert "System B" in page and "Samarbeid A" not in page
    # A crafted filter is ignored, never a 500.
    assert cora.get(HANDLE + "?status=%00&topic=x").status_code == 200
