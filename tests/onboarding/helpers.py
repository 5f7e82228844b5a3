from django.urls import reverse
from django_scopes import scope

from stafett.onboarding.parts import SLUGS, questions_for


def part_url(part) -> str:
    return reverse("onboarding:part", args=[SLUGS[part]])


def answers(world, user, part) -> dict[str, str]:
    """The right answer to every question of the part, as a person would pick it."""
    with scope(municipality=world.fjordvik):
        return {q.key: q.correct for q in questions_for(world.actor(user), part)}


def wrong_answers_for(world, user, part, how_many) -> dict[str, str]:
    with scope(municipality=world.fjordvik):
        questions = questions_for(world.actor(user), part)
    return {q.key: next(v for v, _label in q.options if v != q.correct) for q in questions[:how_many]}
