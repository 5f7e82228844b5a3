"""The bank, the waves and answering, through the actions and the pages, with
the people who may beside those who must be refused."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.notify.models import Notice, OutboxMessage
from stafett.surveys import actions
from stafett.surveys.bank import SHIPPED, display_text
from stafett.surveys.models import Answer, Area, Invitation, Question, Response, Wave
from stafett.tenancy.models import Membership
from tests.conftest import nb

from .helpers import answer, answers_for, open_wave, staff


def test_the_shipped_bank_covers_every_area_and_kind():
    areas = {s.area for s in SHIPPED}
    assert areas == set(Area.values) - {Area.OTHER}
    assert {s.kind for s in SHIPPED} == {"likert", "yes_no", "free_text"}
    assert len({s.key for s in SHIPPED}) == len(SHIPPED)


def test_a_shipped_question_shows_in_the_readers_language_until_edited(world):
    coordinator = world.actor(world.coordinator)
    with scope(municipality=world.fjordvik):
        questions = list(actions.bank(coordinator))
        assert len(questions) == len(SHIPPED)
        q = next(q for q in questions if q.key == "holder-role")
        with translation.override("nb"):
            bokmal = display_text(q.text, q.key)
        with translation.override("nn"):
            nynorsk = display_text(q.text, q.key)
        assert bokmal != q.text and nynorsk != q.text and bokmal != nynorsk
        # Saved unchanged in bokmål: still the shipped, translatable question.
        with translation.override("nb"):
            q = actions.edit_question(coordinator, q.pk, version=q.version, area=q.area, text=bokmal)
        assert q.text == "I know what a stafettholder does."
        q = actions.edit_question(coordinator, q.pk, version=q.version, area=q.area,
                                  text="Jeg vet hva stafettholderen i Fjordvik gjør.")
        with translation.override("en"):
            assert display_text(q.text, q.key) == "Jeg vet hva stafettholderen i Fjordvik gjør."
        with pytest.raises(actions.Conflict):
            actions.edit_question(coordinator, q.pk, version=1, area=q.area, text="Gammel versjon")


def test_only_the_coordinator_keeps_the_bank_and_runs_waves(world):
    wave = open_wave(world, [world.kindergarten])
    for user in (world.teacher, world.leader, world.other_leader, world.outsider):
        client = world.client_for(user)
        for url in (reverse("surveys:bank"), reverse("surveys:wave_new"), reverse("surveys:wave", args=[wave.pk])):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(reverse("surveys:wave_close", args=[wave.pk]), {"version": wave.version}).status_code == 404
    with scopes_disabled():
        assert Wave.objects.get(pk=wave.pk).status == Wave.Status.OPEN
    assert world.client_for(world.coordinator).get(reverse("surveys:bank")).status_code == 200


def test_coordinator_adds_reorders_and_retires_questions_through_the_pages(world):
    client = world.client_for(world.coordinator)
    response = client.post(reverse("surveys:bank"), {"area": "other", "kind": "likert",
                                                      "text": "Vi har nok tid til BTI-arbeidet."})
    assert response.status_code == 302
    with scope(municipality=world.fjordvik):
        mine = Question.objects.get(text="Vi har nok tid til BTI-arbeidet.")
        assert mine.key == "" and mine.position == len(SHIPPED) + 1
    client.post(reverse("surveys:question_move", args=[mine.pk]), {"direction": "up"})
    client.post(reverse("surveys:question_active", args=[mine.pk]), {"active": "0"})
    with scope(municipality=world.fjordvik):
        mine.refresh_from_db()
        assert mine.position == len(SHIPPED) and not mine.active
    # Bad input: a message, nothing changed.
    response = client.post(reverse("surveys:question_move", args=[mine.pk]), {"direction": "sideways"},
                           follow=True)
    assert nb("The page was out of date. Look again, then try once more.") in response.content.decode()


def test_opening_invites_active_members_and_tells_them(world):
    with scopes_disabled():
        gone = staff(world, world.kindergarten, 1, "sluttet")[0]
        Membership.objects.filter(user=gone).update(active=False)
    wave = open_wave(world, [world.kindergarten, world.school])
    with scopes_disabled():
        invited = set(Invitation.objects.filter(wave=wave).values_list("user__username", flat=True))
        assert invited == {"kari", "leif", "kasper", "olav", "lise"}
        notices = Notice.objects.filter(object_type="wave", object_id=wave.pk, kind="survey_invited")
        assert notices.count() == 5
        assert not Notice.objects.filter(recipient=world.coordinator).exists()
        assert Invitation.objects.filter(wave=wave, user=gone).count() == 0
    page = world.client_for(world.teacher).get(reverse("notify:list")).content.decode()
    assert reverse("surveys:answer", args=[wave.pk]) in page
    start = world.client_for(world.teacher).get(reverse("core:home")).content.decode()
    assert reverse("surveys:answer", args=[wave.pk]) in start


def test_the_email_links_to_the_answer_page(world):
    with scopes_disabled():
        for user in (world.teacher,):
            user.email = "kari@fjordvik.example"
            user.save(update_fields=["email"])
    wave = open_wave(world, [world.kindergarten])
    from stafett.notify.channels import render_email

    with scopes_disabled():
        message = OutboxMessage.objects.get(recipient=world.teacher, kind="survey_invited")
        _subject, body = render_email(message)
    assert reverse("surveys:answer", args=[wave.pk]) in body
    assert "Kari" not in body


def test_answering_once_writes_the_response_by_service_only(world):
    wave = open_wave(world, [world.kindergarten])
    answer(world, world.teacher, wave, value=4)
    with scopes_disabled():
        response = Response.objects.get(wave=wave)
        assert response.service == world.kindergarten
        assert Invitation.objects.get(wave=wave, user=world.teacher).answered
        assert Answer.objects.filter(response=response).count() == len(SHIPPED)
    with scope(municipality=world.fjordvik), pytest.raises(actions.SurveyError) as refused:
        actions.answer(world.actor(world.teacher), wave.pk, answers_for(wave))
    assert refused.value.messages == [nb("You have already answered this survey. Thank you!")]
    # Through the page: refused with a message, nothing written.
    client = world.client_for(world.teacher)
    page = client.post(reverse("surveys:answer", args=[wave.pk]), answers_for(wave)).content.decode()
    assert nb("You have answered this survey. Thank you!") in page
    with scopes_disabled():
        assert Response.objects.filter(wave=wave).count() == 1


def test_bad_answers_get_messages_and_save_nothing(world):
    wave = open_wave(world, [world.kindergarten])
    data = answers_for(wave)
    likert = next(k for k, v in data.items() if v == "3")
    data[likert] = "7"
    free = next(k for k, v in data.items() if len(v) > 2)
    data[free] = "x" * 5000
    page = world.client_for(world.teacher).post(reverse("surveys:answer", args=[wave.pk]), data).content.decode()
    assert nb("Question %(n)s: choose an answer.", n="1").split(":")[1].strip() in page
    with scopes_disabled():
        assert not Response.objects.filter(wave=wave).exists()
        assert not Invitation.objects.get(wave=wave, user=world.teacher).answered
    # Free text is optional.
    data = answers_for(wave)
    data[free] = ""
    answer_page = world.client_for(world.teacher).post(reverse("surveys:answer", args=[wave.pk]), data)
    assert answer_page.status_code == 302
    with scopes_disabled():
        assert Response.objects.filter(wave=wave).count() == 1


def test_people_not_invited_cannot_answer(world):
    wave = open_wave(world, [world.kindergarten])
    for user in (world.other_employee, world.coordinator, world.outsider):
        assert world.client_for(user).get(reverse("surveys:answer", args=[wave.pk])).status_code == 404
        assert world.client_for(user).post(reverse("surveys:answer", args=[wave.pk]),
                                           answers_for(wave)).status_code == 404
    with scopes_disabled():
        assert not Response.objects.exists()


def test_a_closed_wave_takes_no_answers_and_closes_by_date(world):
    wave = open_wave(world, [world.kindergarten])
    with scopes_disabled():
        Wave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    page = world.client_for(world.teacher).post(reverse("surveys:answer", args=[wave.pk]),
                                                answers_for(wave)).content.decode()
    assert nb("The survey is closed and takes no more answers.") in page
    with scopes_disabled():
        assert Wave.objects.get(pk=wave.pk).status == Wave.Status.CLOSED
        assert not Response.objects.exists()


def test_the_periodic_task_closes_due_waves(world):
    wave = open_wave(world, [world.kindergarten])
    with scopes_disabled():
        Wave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    from stafett.followup.tasks import PERIODIC

    work = next(w for w in PERIODIC if w.name == "close_survey_waves")
    assert work.call() == {"closed": 1}
    with scopes_disabled():
        assert Wave.objects.get(pk=wave.pk).status == Wave.Status.CLOSED


def test_reminders_go_to_those_who_have_not_answered(world):
    wave = open_wave(world, [world.kindergarten])
    answer(world, world.teacher, wave)
    client = world.client_for(world.coordinator)
    response = client.post(reverse("surveys:wave_remind", args=[wave.pk]), follow=True)
    assert nb("%(n)s people who have not answered have been reminded.", n=2) in response.content.decode()
    with scopes_disabled():
        reminded = set(Notice.objects.filter(kind="survey_reminder").values_list("recipient__username", flat=True))
    assert reminded == {"leif", "kasper"}
    # Not again the same day.
    client.post(reverse("surveys:wave_remind", args=[wave.pk]))
    with scopes_disabled():
        assert Notice.objects.filter(kind="survey_reminder").count() == 2


def test_a_wave_form_refuses_bad_input_and_stale_versions(world):
    client = world.client_for(world.coordinator)
    with scope(municipality=world.fjordvik):
        actions.ensure_bank(world.fjordvik)
        q = Question.objects.filter(municipality=world.fjordvik).first()
    page = client.post(reverse("surveys:wave_new"), {"title": "Runde", "closes_on": "2001-01-01",
                                                     "services": [world.kindergarten.pk],
                                                     "questions": [q.pk]}).content.decode()
    assert nb("Please correct the following") in page and nb("Closes on") in page
    with scopes_disabled():
        assert not Wave.objects.exists()
    response = client.post(reverse("surveys:wave_new"), {
        "title": "Runde 1", "baseline": "on", "services": [world.kindergarten.pk],
        "closes_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(), "questions": [q.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        wave = Wave.objects.get()
    assert client.post(reverse("surveys:wave_open", args=[wave.pk]), {"version": "99"}).status_code == 302
    with scopes_disabled():
        assert Wave.objects.get().status == Wave.Status.DRAFT
    client.post(reverse("surveys:wave_open", args=[wave.pk]), {"version": str(wave.version)})
    with scopes_disabled():
        wave = Wave.objects.get()
        assert wave.status == Wave.Status.OPEN and wave.questions.count() == 1
