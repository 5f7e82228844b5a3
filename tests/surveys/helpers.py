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
