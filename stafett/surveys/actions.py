"""Every write of the survey: the bank, the waves, the answers.

Answering writes no audit row and no log line. An audit row (or a log line)
written in the same request as the response would name the person and the
moment, and the response's own id or its answers' position next to it would
join the two — exactly what the tables are built to prevent (models.py). The
answers hold no personal data about a child or a client, so rule 7 (audit
every read and write of personal data) does not ask for one; the invitation's
`answered` flag is the only trace that a person answered, never what.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from stafett.access.rules import Forbidden
from stafett.accounts.models import User
from stafett.notify import outbox
from stafett.notify.models import Notice
from stafett.tenancy.models import Membership, Service

from .bank import BY_KEY, SHIPPED, display_text
from .models import Answer, Invitation, Question, QuestionKind, Response, Wave, WaveQuestion
from .notify_kinds import SURVEY_INVITED, SURVEY_REMINDER
from .policy import invitation_for, require_survey_runner


class SurveyError(Exception):
    """Input or a state the action refuses, with messages for the person."""

    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = list(messages)


class Conflict(SurveyError):
    pass


# --- the bank ------------------------------------------------------------------------


def ensure_bank(municipality) -> None:
    """Copy the shipped bank into a municipality that has no questions yet."""
    if Question.objects.filter(municipality=municipality).exists():
        return
    Question.objects.bulk_create(
        [Question(municipality=municipality, key=s.key, area=s.area, kind=s.kind, text=s.source,
                  position=i) for i, s in enumerate(SHIPPED, start=1)],
        ignore_conflicts=True,
    )


def bank(actor):
    require_survey_runner(actor)
    ensure_bank(actor.municipality)
    return Question.objects.filter(municipality=actor.municipality).order_by("-active", "position", "pk")


def _question(actor, pk) -> Question:
    require_survey_runner(actor)
    question = Question.objects.select_for_update().filter(municipality=actor.municipality, pk=pk).first()
    if question is None:
        raise Forbidden("question")
    return question


def _stored_text(question_key: str, text: str) -> str:
    # A shipped question saved with its text as the reader saw it stays the
    # shipped (translatable) question.
    shipped = BY_KEY.get(question_key) if question_key else None
    if shipped is not None and text.strip() == display_text(shipped.source, question_key).strip():
        return shipped.source
    return text.strip()


@transaction.atomic
def add_question(actor, *, area, kind, text) -> Question:
    require_survey_runner(actor)
    ensure_bank(actor.municipality)
    last = Question.objects.filter(municipality=actor.municipality).aggregate(m=Max("position"))["m"] or 0
    return Question.objects.create(municipality=actor.municipality, area=area, kind=kind,
                                   text=text.strip(), position=last + 1)


@transaction.atomic
def edit_question(actor, pk, *, version, area, text) -> Question:
    question = _question(actor, pk)
    if question.version != version:
        raise Conflict(_("Someone else changed this question while you were editing it. "
                         "Here it is as it is now; make your change again."))
    question.area = area
    question.text = _stored_text(question.key, text)
    question.version += 1
    question.save(update_fields=["area", "text", "version"])
    return question


@transaction.atomic
def move_question(actor, pk, direction: str) -> None:
    question = _question(actor, pk)
    ordered = list(Question.objects.select_for_update().filter(municipality=actor.municipality)
                   .order_by("position", "pk"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered, start=1):
        q.position = position
    Question.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def set_active(actor, pk, active: bool) -> Question:
    question = _question(actor, pk)
    question.active = active
    question.version += 1
    question.save(update_fields=["active", "version"])
    return question


# --- waves ---------------------------------------------------------------------------


def _wave(actor, pk, *, lock=False) -> Wave:
    require_survey_runner(actor)
    waves = Wave.objects.filter(municipality=actor.municipality, pk=pk)
    wave = (waves.select_for_update() if lock else waves).first()
    if wave is None:
        raise Forbidden("wave")
    return wave


def wave_of(actor, pk) -> Wave:
    close_due_waves(actor.municipality)
    return _wave(actor, pk)


def _check_wave_input(actor, services, questions, closes_on):
    errors = []
    if not services:
        errors.append(_("Choose at least one service."))
    if not questions:
        errors.append(_("Choose at least one question."))
    if closes_on is not None and closes_on < timezone.localdate():
        errors.append(_("The closing date has passed. Choose today or a later date."))
    if closes_on is not None and closes_on > timezone.localdate() + dt.timedelta(days=366):
        errors.append(_("Choose a closing date within a year."))
    if any(s.municipality_id != actor.municipality.pk for s in services) or any(
            q.municipality_id != actor.municipality.pk for q in questions):
        errors.append(_("Choose among the municipality's own services and questions."))
    if errors:
        raise SurveyError(*errors)


def _set_questions(wave, questions):
    WaveQuestion.objects.filter(wave=wave).delete()
    WaveQuestion.objects.bulk_create([
        WaveQuestion(municipality=wave.municipality, wave=wave, question=q, area=q.area, kind=q.kind,
                     text=q.text, position=q.position)
        for q in questions
    ])


@transaction.atomic
def create_wave(actor, *, title, baseline, services, closes_on, questions) -> Wave:
    require_survey_runner(actor)
    _check_wave_input(actor, services, questions, closes_on)
    wave = Wave.objects.create(municipality=actor.municipality, title=title.strip(), baseline=baseline,
                               closes_on=closes_on, created_by=actor.user)
    wave.services.set(services)
    _set_questions(wave, questions)
    return wave


@transaction.atomic
def update_wave(actor, pk, *, version, title, baseline, services, closes_on, questions) -> Wave:
    wave = _wave(actor, pk, lock=True)
    if wave.status != Wave.Status.DRAFT:
        raise SurveyError(_("The wave has been opened; its questions and services can no longer change."))
    if wave.version != version:
        raise Conflict(_("Someone else changed this wave while you were editing it. "
                         "Here it is as it is now; make your change again."))
    _check_wave_input(actor, services, questions, closes_on)
    wave.title, wave.baseline, wave.closes_on = title.strip(), baseline, closes_on
    wave.version += 1
    wave.save(update_fields=["title", "baseline", "closes_on", "version"])
    wave.services.set(services)
    _set_questions(wave, questions)
    return wave


def _tell(wave, user_ids, kind) -> int:
    """A notice in the app and an e-mail with a link to the answer page for
    each person: two inserts whatever their number."""
    now = timezone.now()
    notices = Notice.objects.bulk_create([
        Notice(municipality=wave.municipality, recipient_id=uid, kind=kind, object_type="wave",
               object_id=wave.pk, params={"wave": wave.pk}, created_at=now)
        for uid in user_ids
    ])
    if notices and notices[0].pk is None:  # a backend that does not return ids
        notices = list(Notice.objects.filter(kind=kind, object_id=wave.pk, created_at=now,
                                             recipient_id__in=user_ids))
    reachable = set(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
                    .values_list("pk", flat=True))
    outbox.post_many([(n.recipient_id, f"notice:{n.pk}", {"wave": wave.pk, "notice": n.pk})
                      for n in notices if n.recipient_id in reachable], kind,
                     municipality=wave.municipality)
    return len(notices)


@transaction.atomic
def open_wave(actor, pk, *, version) -> int:
    """Freeze the questions, invite every active member of the chosen
    services and tell them. Returns how many were invited."""
    wave = _wave(actor, pk, lock=True)
    if wave.status != Wave.Status.DRAFT:
        raise SurveyError(_("The wave is already open or closed."))
    if wave.version != version:
        raise Conflict(_("Someone else changed this wave while you were looking at it. Look again, then open it."))
    if wave.closes_on is not None and wave.closes_on < timezone.localdate():
        raise SurveyError(_("The closing date has passed. Choose today or a later date."))
    chosen = list(WaveQuestion.objects.filter(wave=wave).select_related("question"))
    live = [wq for wq in chosen if wq.question.active]
    if not live:
        raise SurveyError(_("The wave has no questions in use. Edit it and choose at least one."))
    WaveQuestion.objects.filter(wave=wave).exclude(pk__in=[wq.pk for wq in live]).delete()
    for wq in live:  # frozen as the bank has them now
        q = wq.question
        wq.area, wq.kind, wq.text, wq.position = q.area, q.kind, q.text, q.position
    WaveQuestion.objects.bulk_update(live, ["area", "kind", "text", "position"])
    service_ids = list(wave.services.values_list("pk", flat=True))
    members = (Membership.objects.filter(municipality=wave.municipality, service_id__in=service_ids,
                                         active=True, user__is_active=True)
               .order_by("user_id", "service_id").values_list("user_id", "service_id"))
    first_service = {}
    for user_id, service_id in members:  # someone in two services answers once, for the first
        first_service.setdefault(user_id, service_id)
    if not first_service:
        raise SurveyError(_("Nobody works in the chosen services. Choose other services."))
    Invitation.objects.bulk_create([
        Invitation(municipality=wave.municipality, wave=wave, user_id=uid, service_id=sid)
        for uid, sid in first_service.items()
    ])
    wave.status, wave.opened_at = Wave.Status.OPEN, timezone.now()
    wave.version += 1
    wave.save(update_fields=["status", "opened_at", "version"])
    _tell(wave, list(first_service), SURVEY_INVITED.code)
    return len(first_service)


REMIND_AGAIN_AFTER = dt.timedelta(hours=20)


@transaction.atomic
def remind(actor, pk) -> int:
    """Remind those who have not answered (the coordinator learns only how
    many). Someone reminded within the last day is not reminded again."""
    wave = _wave(actor, pk, lock=True)
    if wave.status != Wave.Status.OPEN:
        raise SurveyError(_("Only an open wave can send reminders."))
    now = timezone.now()
    waiting = Invitation.objects.filter(wave=wave, answered=False).exclude(
        reminded_at__gt=now - REMIND_AGAIN_AFTER)
    user_ids = list(waiting.values_list("user_id", flat=True))
    waiting.update(reminded_at=now)
    return _tell(wave, user_ids, SURVEY_REMINDER.code) if user_ids else 0


@transaction.atomic
def close_wave(actor, pk, *, version) -> None:
    wave = _wave(actor, pk, lock=True)
    if wave.status != Wave.Status.OPEN:
        raise SurveyError(_("Only an open wave can be closed."))
    if wave.version != version:
        raise Conflict(_("Someone else changed this wave while you were looking at it. Look again, then close it."))
    wave.status, wave.closed_at = Wave.Status.CLOSED, timezone.now()
    wave.version += 1
    wave.save(update_fields=["status", "closed_at", "version"])


def close_due_waves(municipality=None) -> int:
    """Close every open wave whose closing date has passed (on access, and by
    the periodic task, across municipalities). One UPDATE."""
    if municipality is None:
        with scopes_disabled():
            return Wave.objects.filter(status=Wave.Status.OPEN, closes_on__lt=timezone.localdate()).update(
                status=Wave.Status.CLOSED, closed_at=timezone.now())
    due = Wave.objects.filter(status=Wave.Status.OPEN, closes_on__lt=timezone.localdate())
    due = due.filter(municipality=municipality)
    return due.update(status=Wave.Status.CLOSED, closed_at=timezone.now())


def response_rates(actor, wave) -> list[dict]:
    """Invited and answered per service: counts only."""
    rows = (Invitation.objects.filter(wave=wave).values("service_id")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True))))
    names = dict(Service.objects.filter(pk__in=[r["service_id"] for r in rows]).values_list("pk", "name"))
    return sorted(({"service": names.get(r["service_id"], "?"), "invited": r["invited"],
                    "answered": r["answered"]} for r in rows), key=lambda r: r["service"])


# --- answering -------------------------------------------------------------------------


def questions_of(wave) -> list[WaveQuestion]:
    return list(WaveQuestion.objects.filter(wave=wave).select_related("question").order_by("position", "pk"))


def clean_answers(questions, data) -> tuple[dict, list[str]]:
    """{wave question id: (value, text)} from the posted form, and the messages."""
    values, errors = {}, []
    for number, wq in enumerate(questions, start=1):
        raw = data.get(f"q{wq.pk}", "")
        raw = raw.strip() if isinstance(raw, str) else ""
        if wq.kind == QuestionKind.FREE_TEXT:
            if "\x00" in raw:
                errors.append(_("Question %(n)s: the text holds characters that cannot be saved.") % {"n": number})
            elif len(raw) > 4000:
                errors.append(_("Question %(n)s: write at most 4000 characters.") % {"n": number})
            else:
                values[wq.pk] = (None, raw)
            continue
        allowed = {"1", "2", "3", "4", "5"} if wq.kind == QuestionKind.LIKERT else {"1", "0"}
        if raw not in allowed:
            errors.append(_("Question %(n)s: choose an answer.") % {"n": number})
        else:
            values[wq.pk] = (int(raw), "")
    return values, errors


def answer(actor, wave_id, data) -> None:
    """Write the person's response once, anonymously: the Response carries the
    invitation's service and nothing of the person, and no audit row or log
    line is written (see the module's docstring)."""
    with transaction.atomic():
        invitation = invitation_for(actor, wave_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        wave = Wave.objects.get(pk=invitation.wave_id)
        if wave.status == Wave.Status.OPEN and wave.closes_on and wave.closes_on < timezone.localdate():
            close_due_waves(wave.municipality)
            wave.refresh_from_db()
        if invitation.answered:
            raise SurveyError(_("You have already answered this survey. Thank you!"))
        if wave.status != Wave.Status.OPEN:
            raise SurveyError(_("The survey is closed and takes no more answers."))
        questions = questions_of(wave)
        values, errors = clean_answers(questions, data)
        if errors:
            raise SurveyError(*errors)
        response = Response.objects.create(municipality=wave.municipality, wave=wave,
                                           service_id=invitation.service_id)
        Answer.objects.bulk_create([
            Answer(municipality=wave.municipality, response=response, question_id=wq_id, value=value, text=text)
            for wq_id, (value, text) in values.items() if value is not None or text
        ])
        invitation.answered = True
        invitation.save(update_fields=["answered"])


def my_open_invitations(actor):
    """The waves waiting for the person's answer (the start page's card)."""
    if not actor.is_staff_member:
        return Invitation.objects.none()
    return Invitation.objects.filter(user=actor.user, municipality=actor.municipality, answered=False,
                                     wave__status=Wave.Status.OPEN)
