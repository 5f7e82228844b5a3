"""One child, one record: how a registration finds the child, what the database
refuses, and that worries about the same child stay with their own service."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.concerns import actions
from stafett.concerns.children import child_for
from stafett.concerns.models import Child
from stafett.concerns.policy import visible_concerns
from stafett.lib.names import name_key
from stafett.lib.national_id import make_synthetic
from tests.concerns.helpers import BIRTH

ELLA_ID = make_synthetic(BIRTH, 3)


def worry(world, author, service, *, name="Ella Strandvik", birth=BIRTH, national_id=ELLA_ID,
          expected=None):
    with scope(municipality=world.fjordvik):
        return actions.create_concern(
            world.actor(author), service=service,
            child={"name": name, "birth_date": birth, "expected_date": expected,
                   "national_id": national_id},
            observations="Virker sliten.", questions="",
        )


def children():
    with scopes_disabled():
        return list(Child.objects.order_by("pk"))


# --- matching ---------------------------------------------------------------------


def test_one_identity_number_is_one_child_whatever_the_name(world):
    karis = worry(world, world.teacher, world.kindergarten)
    olavs = worry(world, world.other_employee, world.school, name="Ella S. Strandvik")
    assert karis.child_id == olavs.child_id
    [ella] = children()
    # The stored row keeps the first name; Olav's worry shows what Olav typed.
    assert ella.name == "Ella Strandvik"
    assert (karis.child_name, olavs.child_name) == ("Ella Strandvik", "Ella S. Strandvik")


def test_without_a_number_the_name_key_and_date_match(world):
    first = worry(world, world.teacher, world.kindergarten, national_id="")
    second = worry(world, world.other_employee, world.school, name="  ella   STRANDVIK ",
                   national_id="")
    other_day = worry(world, world.other_employee, world.school, national_id="",
                      birth=BIRTH - dt.timedelta(days=1))
    other_name = worry(world, world.other_employee, world.school, name="Ela Strandvik",
                       national_id="")
    assert first.child_id == second.child_id
    assert len({first.child_id, other_day.child_id, other_name.child_id}) == 3


def test_a_known_child_gets_the_number_when_someone_registers_it(world):
    karis = worry(world, world.teacher, world.kindergarten, national_id="")
    olavs = worry(world, world.other_employee, world.school)
    assert karis.child_id == olavs.child_id
    [ella] = children()
    assert ella.national_id == ELLA_ID
    # Kari typed no number: her worry does not start showing Olav's.
    page = world.client_for(world.teacher).get(reverse("concerns:detail", args=[karis.pk]))
    assert ELLA_ID[:6] not in page.content.decode()
    page = world.client_for(world.other_employee).get(reverse("concerns:detail", args=[olavs.pk]))
    assert f"{ELLA_ID[:6]} *****" in page.content.decode()
    # Typed later without a number, the numbered child is still found.
    again = worry(world, world.colleague, world.kindergarten, national_id="")
    assert again.child_id == ella.pk


def test_two_numbered_children_of_one_name_and_date_are_not_guessed_between(world):
    worry(world, world.teacher, world.kindergarten)
    worry(world, world.teacher, world.kindergarten, national_id=make_synthetic(BIRTH, 4))
    unnumbered = worry(world, world.other_employee, world.school, national_id="")
    assert len(children()) == 3 and unnumbered.child.national_id == ""


def test_an_unborn_child_is_matched_by_the_expected_date(world):
    due = dt.date.today() + dt.timedelta(days=100)
    name = "Ufødt barn av Lene Vikås"
    first = worry(world, world.teacher, world.kindergarten, name=name, birth=None, expected=due,
                  national_id="")
    second = worry(world, world.other_employee, world.school, name=name.upper(), birth=None,
                   expected=due, national_id="")
    born = worry(world, world.other_employee, world.school, name=name, birth=due, national_id="")
    assert first.child_id == second.child_id != born.child_id


def test_children_of_two_municipalities_are_two_children(world):
    worry(world, world.teacher, world.kindergarten)
    with scope(municipality=world.asheim):
        actions.create_concern(
            world.actor(world.outsider, world.asheim),
            service=world.outsider.memberships.get().service,
            child={"name": "Ella Strandvik", "birth_date": BIRTH, "expected_date": None,
                   "national_id": ELLA_ID},
            observations="Virker sliten.", questions="",
        )
    assert len(children()) == 2


@pytest.mark.parametrize("first, second", [
    ({"national_id": ELLA_ID}, {"national_id": ELLA_ID, "name": "Ella Annen"}),
    ({"national_id": ""}, {"national_id": "", "name": "ELLA  strandvik"}),
])
def test_the_database_refuses_a_second_row_for_one_child(world, first, second):
    """Whatever code forgets child_for, the constraints hold."""
    with scope(municipality=world.fjordvik):
        child_for(world.fjordvik, **({"name": "Ella Strandvik", "birth_date": BIRTH} | first))
        fields = {"name": "Ella Strandvik", "birth_date": BIRTH} | second
        with pytest.raises(IntegrityError), transaction.atomic():
            Child.objects.create(municipality=world.fjordvik, name_key=name_key(fields["name"]),
                                 **fields)


# --- level-0 worries stay with their own service -------------------------------------


def test_worries_about_one_child_stay_with_each_service(world):
    karis = worry(world, world.teacher, world.kindergarten)
    olavs = worry(world, world.other_employee, world.school)
    assert karis.child_id == olavs.child_id
    with scope(municipality=world.fjordvik):
        for concern, author in ((karis, world.teacher), (olavs, world.other_employee)):
            actions.share_concern(world.actor(author), concern, version=concern.version)

        def seen(user):
            return set(visible_concerns(world.actor(user)).values_list("pk", flat=True))

        assert seen(world.teacher) == {karis.pk}
        assert seen(world.leader) == {karis.pk}
        assert seen(world.other_employee) == {olavs.pk}
        assert seen(world.other_leader) == {olavs.pk}
        assert seen(world.colleague) == set() and seen(world.coordinator) == set()

    def status(user, concern):
        return world.client_for(user).get(reverse("concerns:detail", args=[concern.pk])).status_code

    assert status(world.teacher, karis) == status(world.other_employee, olavs) == 200
    assert status(world.leader, karis) == status(world.other_leader, olavs) == 200
    for user in (world.other_employee, world.other_leader, world.colleague):
        assert status(user, karis) == 404
    for user in (world.teacher, world.leader, world.colleague):
        assert status(user, olavs) == 404
    # Neither leader's inbox lists the other service's worry.
    inbox = world.client_for(world.leader).get(reverse("concerns:inbox"))
    assert [row["concern"] for row in inbox.context["rows"]] == [karis]
    inbox = world.client_for(world.other_leader).get(reverse("concerns:inbox"))
    assert [row["concern"] for row in inbox.context["rows"]] == [olavs]
