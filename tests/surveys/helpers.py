"""Survey waves made through the real actions, and people to answer them."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled

from stafett.surveys import actions
from stafett.surveys.models import Question, QuestionKind, Wave, WaveQuestion
from stafett.tenancy.models import Membership
from tests.conftest import _user


def staff(world, service, n, prefix):
    """n more employees of `service` (fictional), with e-mail addresses."""
    with scopes_disabled():
        people = []
        for i in range(n):
            user = _user(f"{prefix}{i}", f"{prefix.capitalize()}{i}", "Ansattsen",
                         email=f"{prefix}{i}@fjordvik.example")
            Membership.objects.create(municipality=world.fjordvik, service=service, user=user,
                                      role="employee")
            people.append(user)
    return people


def open_wave(world, services, *, title="Kartlegging 2026", baseline=True, keys=None):
    coordinator = world.actor(world.coordinator)
    with scope(municipality=world.fjordvik):
        actions.ensure_bank(world.fjordvik)
        questions = Question.objects.filter(municipality=world.fjordvik, active=True)
        if keys is not None:
            questions = questions.filter(key__in=keys)
        wave = actions.create_wave(coordinator, title=title, baseline=baseline, services=services,
                                   closes_on=None, questions=list(questions))
        actions.open_wave(coordinator, wave.pk, version=wave.version)
        return Wave.objects.get(pk=wave.pk)


def answers_for(wave, value=3, text="Mer tid til samarbeid."):
    """A complete, valid set of answers as the form would post it."""
    with scopes_disabled():
        data = {}
        for wq in WaveQuestion.objects.filter(wave=wave):
            if wq.kind == QuestionKind.LIKERT:
                data[f"q{wq.pk}"] = str(value)
            elif wq.kind == QuestionKind.YES_NO:
                data[f"q{wq.pk}"] = "1" if value >= 3 else "0"
            else:
                data[f"q{wq.pk}"] = text
        return data


def answer(world, user, wave, value=3, text="Mer tid til samarbeid."):
    with scope(municipality=world.fjordvik):
        actions.answer(world.actor(user), wave.pk, answers_for(wave, value, text))


def survey_scene(world) -> dict:
    """For the security sweeps: a draft wave, a wave open for the
    kindergarten (Kari has not answered) and a closed one, and a question."""
    with scope(municipality=world.fjordvik):
        actions.ensure_bank(world.fjordvik)
        question = Question.objects.filter(municipality=world.fjordvik).order_by("position").first()
    closed = open_wave(world, [world.kindergarten, world.school], title="Runde 2025")
    with scope(municipality=world.fjordvik):
        actions.close_wave(world.actor(world.coordinator), closed.pk, version=closed.version)
    running = open_wave(world, [world.kindergarten], title="Runde 2026", baseline=False)
    with scope(municipality=world.fjordvik):
        draft = actions.create_wave(world.actor(world.coordinator), title="Runde 2027", baseline=False,
                                    services=[world.school], closes_on=None, questions=[question])
    return {"question": question, "closed": closed, "open": running, "draft": draft}


def survey_visits(s, Visit) -> list:
    """The sweep's visits to the survey's pages (tests/security/test_hostile_input.py
    passes its Visit)."""
    w, survey = s.world, s.survey
    cora = w.coordinator
    return [
        Visit("surveys:index", cora, {}),
        Visit("surveys:bank", cora, {}),
        Visit("surveys:question", cora, {"pk": survey["question"].pk}),
        Visit("surveys:wave_new", cora, {}),
        Visit("surveys:wave", cora, {"pk": survey["draft"].pk}),
        Visit("surveys:wave_edit", cora, {"pk": survey["draft"].pk}),
        Visit("surveys:wave", cora, {"pk": survey["open"].pk}),
        Visit("surveys:answer", w.teacher, {"pk": survey["open"].pk}),
        Visit("surveys:results", cora, {"pk": survey["closed"].pk}),
        Visit("surveys:results", w.leader, {"pk": survey["open"].pk}),
        Visit("surveys:results_csv", cora, {"pk": survey["closed"].pk}),
        Visit("surveys:results_xlsx", cora, {"pk": survey["closed"].pk}),
        Visit("surveys:results_pdf", cora, {"pk": survey["closed"].pk}),
    ]
