from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import password_login


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_logout_needs_post(world):
    client = world.client_for(world.teacher)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in(client)


def test_logout_ends_the_session(world):
    client = world.client_for(world.teacher)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert not _logged_in(client)


def test_logout_everywhere_ends_every_session_of_the_person(world):
    laptop, phone, other_person = Client(), Client(), Client()
    password_login(laptop, world.operator)
    password_login(phone, world.operator)
    password_login(other_person, world.teacher)
    assert phone.get(reverse("accounts:account")).status_code == 200

    assert laptop.get(reverse("accounts:logout_everywhere")).status_code == 405
    response = laptop.post(reverse("accounts:logout_everywhere"))
    assert response["Location"] == reverse("accounts:login")
    assert not _logged_in(laptop)

    # The other session is refused on its next request.
    response = phone.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not _logged_in(phone)

    # Other people are not touched, and the person can log in again.
    assert _logged_in(other_person)
    assert other_person.get(reverse("accounts:account")).status_code in (200, 302)
    assert int(other_person.session["_auth_user_id"]) == world.teacher.pk
    assert password_login(phone, world.operator).status_code == 302
    assert phone.get(reverse("accounts:account")).status_code == 200


def test_logout_everywhere_needs_a_login(client, db):
    response = client.post(reverse("accounts:logout_everywhere"))
    assert response["Location"].startswith(reverse("accounts:login"))
