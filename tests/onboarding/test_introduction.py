"""The introduction for new employees: its parts follow the person's own
service's variant of the guide, a part is completed only when every answer is
right, and nothing of the answers is kept."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.guides.loader import load_guide
from stafett.onboarding.models import Part, PartCompletion
from stafett.onboarding.parts import ORDER, SLUGS, questions_for
from stafett.tenancy.models import Membership
from tests.security.forms import changes, snapshot

from .helpers import answers, part_url, wrong_answers_for


def test_the_levels_follow_the_variant_of_the_persons_service(world):
    """Nittedal's guide has adult-service steps of its own on level 0: the
    adult service's employee reads them, the school's employee the basis steps."""
    with scopes_disabled():
        Membership.objects.create(municipality=world.fjordvik, service=world.adult_service,
                                  user=world.colleague, role="employee")
        Membership.objects.filter(user=world.colleague, service=world.kindergarten).delete()
    with scope(municipality=world.fjordvik):
        load_guide(world.fjordvik, "nittedal")
    adult_step = "Har brukeren barn? Kartlegg forholdene rundt barnet"
    school = world.client_for(world.other_employee).get(part_url(Part.LEVELS)).content.decode()
    adult = world.client_for(world.colleague).get(part_url(Part.LEVELS)).content.decode()
    assert adult_step in adult
    assert adult_step not in school
    # The generated question draws its options from the person's own variant.
    with scope(municipality=world.fjordvik):
        q_adult = questions_for(world.actor(world.colleague), Part.LEVELS)
        q_school = questions_for(world.actor(world.other_employee), Part.LEVELS)
    for questions, page in ((q_adult, adult), (q_school, school)):
        step_question = next(q for q in questions if q.key == "step")
        assert all(label in page for _v, label in step_question.options)


def test_wrong_answers_do_not_complete_and_are_explained(world):
    client = world.client_for(world.teacher)
    for part in ORDER:
        data = answers(world, world.teacher, part) | wrong_answers_for(world, world.teacher, part, 1)
        response = client.post(part_url(part), data)
        assert response.status_code == 200
        page = response.content.decode()
        with scope(municipality=world.fjordvik):
            wrong = next(q for q in questions_for(world.actor(world.teacher), part)
                         if data[q.key] != q.correct)
        assert wrong.explanation in page
    with scopes_disabled():
        assert not PartCompletion.objects.exists()


def test_an_unanswered_question_does_not_complete(world):
    data = answers(world, world.teacher, Part.CONSENT)
    data.pop(next(iter(data)))
    response = world.client_for(world.teacher).post(part_url(Part.CONSENT), data)
    assert response.status_code == 200
    with scopes_disabled():
        assert not PartCompletion.objects.exists()


def test_right_answers_complete_once_and_store_no_answer(world):
    client = world.client_for(world.teacher)
    for part in ORDER:
        before = snapshot()
        response = client.post(part_url(part), answers(world, world.teacher, part))
        assert response.status_code == 302
        # The one row written, in the whole of Stafett's tables, is the completion.
        assert changes(before, snapshot()) == ["onboarding.PartCompletion: +1 -0"]
    # Answering again changes nothing: the first completion stands.
    with scopes_disabled():
        first = dict(PartCompletion.objects.values_list("part", "completed_at"))
    client.post(part_url(Part.HOLDER), answers(world, world.teacher, Part.HOLDER))
    with scopes_disabled():
        rows = list(PartCompletion.objects.values("user_id", "part", "completed_at"))
    assert dict((r["part"], r["completed_at"]) for r in rows) == first
    assert {r["part"] for r in rows} == set(Part.values)
    assert {r["user_id"] for r in rows} == {world.teacher.pk}
    # The completion has no place for an answer.
    assert _columns_of(PartCompletion) == {"id", "municipality_id", "user_id", "part", "completed_at"}


def _columns_of(model) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def test_start_page_card_counts_parts_and_disappears_when_done(world):
    client = world.client_for(world.teacher)
    start = reverse("core:home")
    assert reverse("onboarding:index") in client.get(start).content.decode()
    for part in ORDER:
        client.post(part_url(part), answers(world, world.teacher, part))
    page = client.get(start).content.decode()
    assert 'id="h-introduction"' not in page
    # Still there to read again.
    assert reverse("onboarding:index") in page
    assert client.get(part_url(Part.CONSENT)).status_code == 200


def test_every_part_has_two_or_three_questions_and_unknown_parts_are_not_found(world):
    with scope(municipality=world.fjordvik):
        for part in ORDER:
            assert 2 <= len(questions_for(world.actor(world.teacher), part)) <= 3
    client = world.client_for(world.teacher)
    assert client.get("/introduksjon/finnes-ikke/").status_code == 404
    for part in ORDER:
        assert client.get(part_url(part)).status_code == 200
    assert SLUGS[Part.LEVELS] in part_url(Part.LEVELS)


def test_the_consent_question_asks_the_municipalitys_own_age(world):
    with scopes_disabled():
        world.fjordvik.child_consent_age = 16
        world.fjordvik.save()
    with scope(municipality=world.fjordvik):
        question = next(q for q in questions_for(world.actor(world.teacher), Part.CONSENT)
                        if q.key == "age")
    assert dict(question.options)[question.correct] == "16"
