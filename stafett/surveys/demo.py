"""Fictional demo data for the competence mapping (called by seed_demo):
Fjordvik's bank, a closed baseline with at least five answers in some
services (and two small services that stay hidden), and a running repeat that
Kari has not answered yet (her start page shows it)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from stafett.tenancy.actors import build_actor
from stafett.tenancy.models import Membership, Service

from . import actions
from .models import Question, QuestionKind, Wave, WaveQuestion

# service name -> (extra fictional employees, answers in the baseline, in the repeat)
PLAN = {
    "Solsikken barnehage": (5, 7, 4),
    "Bakken skole": (5, 6, 5),
    "Helsestasjon og skolehelsetjeneste": (2, 3, 2),
    "PPT Fjordvik": (1, 2, 0),
}
TEXTS = ["Faste samarbeidsmøter med helsestasjonen.", "Mer tid til å følge opp.",
         "En kontaktperson i hver tjeneste.", "Kurs i samtaler med foreldre.",
         "Kortere vei til PPT.", "Felles opplæring i BTI for nye ansatte.", "Tydeligere rutiner."]


def _answers(wave, rng, level):
    data = {}
    for wq in WaveQuestion.objects.filter(wave=wave):
        if wq.kind == QuestionKind.LIKERT:
            data[f"q{wq.pk}"] = str(max(1, min(5, level + rng.choice([-1, 0, 0, 1]))))
        elif wq.kind == QuestionKind.YES_NO:
            data[f"q{wq.pk}"] = "1" if rng.random() < level / 5 else "0"
        else:
            data[f"q{wq.pk}"] = rng.choice(TEXTS) if rng.random() < 0.7 else ""
    return data


@transaction.atomic
def seed(municipality, coordinator, password: str, email_domain: str) -> None:
    rng = random.Random(11)
    User = get_user_model()
    with scope(municipality=municipality):
        if Wave.objects.filter(municipality=municipality).exists():
            return
        services = {s.name: s for s in Service.objects.filter(municipality=municipality, name__in=PLAN)}
        people = {}
        for name, (extra, _b, _r) in PLAN.items():
            for i in range(1, extra + 1):
                username = f"{name.split()[0].lower()[:6]}{i}"
                user = User.objects.create_user(
                    username=username, password=password, first_name=f"Ansatt {i}",
                    last_name=name.split()[0], email=f"{username}@{email_domain}")
                Membership.objects.create(municipality=municipality, service=services[name], user=user,
                                          role="employee")
            people[name] = list(
                Membership.objects.filter(service=services[name], active=True).exclude(
                    user__username="kari").order_by("user__username").values_list("user_id", flat=True))
        actor = build_actor(coordinator, municipality.pk)
        actions.ensure_bank(municipality)
        questions = list(Question.objects.filter(municipality=municipality, active=True))
        chosen = list(services.values())
        today = timezone.localdate()
        for title, baseline, column, level in (("0-punktsanalyse 2025", True, 1, 2),
                                                ("Kartlegging 2026", False, 2, 4)):
            wave = actions.create_wave(actor, title=title, baseline=baseline, services=chosen,
                                       closes_on=today + dt.timedelta(days=21), questions=questions)
            actions.open_wave(actor, wave.pk, version=wave.version)
            for name, plan in PLAN.items():
                for user_id in people[name][:plan[column]]:
                    user = User.objects.get(pk=user_id)
                    actions.answer(build_actor(user, municipality.pk), wave.pk, _answers(wave, rng, level))
            if baseline:
                wave.refresh_from_db()
                actions.close_wave(actor, wave.pk, version=wave.version)
                # The baseline ran a year ago.
                Wave.objects.filter(pk=wave.pk).update(
                    created_at=timezone.now() - dt.timedelta(days=365), closes_on=today - dt.timedelta(days=340))
