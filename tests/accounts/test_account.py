from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import code_for, confirmed_device, password_login
from tests.conftest import nb


def test_account_needs_a_login(client, db):
    response = client.get(reverse("accounts:account"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_account_without_a_municipality(world):
    client = world.client_for(world.operator)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "drift" in html
    assert nb("You are not linked to any service. Ask your leader or the municipality's BTI coordinator to add you.") in html
    assert nb("Two-factor login is off.") in html
    assert reverse("accounts:two_factor") in html
    assert reverse("accounts:logout_everywhere") in html
    assert '<label for="preferred-language">' in html


def test_account_lists_services_and_roles(world, django_assert_max_num_queries):
    client = world.client_for(world.leader)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leif Styrersen" in html
    assert "leif" in html
    assert "Solsikken barnehage" in html
    assert "Fjordvik kommune" in html
    assert response.context["nav"] == "account"
    assert response.context["services"] == [{"name": "Solsikken barnehage", "role": "leder"}]


def test_account_shows_municipality_roles(world):
    client = world.client_for(world.coordinator)
    response = client.get(reverse("accounts:account"))
    assert response.context["roles"] == ["BTI-koordinator"]


def test_account_shows_two_factor_on(world):
    device = confirmed_device(world.operator)
    client = Client()
    password_login(client, world.operator)
    client.post(reverse("accounts:verify"), {"code": code_for(device)})
    html = client.get(reverse("accounts:account")).content.decode()
    assert nb("Two-factor login is on.") in html
    assert nb("Turn off two-factor login") in html
