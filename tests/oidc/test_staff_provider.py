"""Staff log in through their municipality's own provider (devidp playing
Fjordvik's Entra ID): an existing active account of that municipality only."""

from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from stafett.access.views import IDP_SECOND_FACTOR_SESSION_KEY
from stafett.accounts.models import User
from tests.conftest import nb

pytestmark = pytest.mark.django_db


def _log_in(devidp, client, email):
    start = client.get("/konto/innlogging/9901/")
    assert start.status_code == 302
    callback = urlsplit(devidp.log_in(start["Location"], email=email))
    return client.get(f"{callback.path}?{callback.query}", follow=True)


@pytest.fixture
def kari(world):
    world.teacher.email = "Kari.Larersen@fjordvik.example"
    world.teacher.save()
    return world.teacher


def test_the_login_page_shows_the_municipality_provider(devidp, world):
    page = Client().get("/konto/logg-inn/").content.decode()
    assert nb("Log in with %(label)s") % {"label": "Fjordvik Entra ID (test)"} in page
    assert 'href="/konto/innlogging/9901/' in page


def test_an_employee_logs_in_through_the_municipality_provider(devidp, kari, world):
    client = Client()
    response = _log_in(devidp, client, "kari.larersen@fjordvik.example")
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == kari.pk
    assert client.session["stafett_login_method"] == "oidc:9901"
    assert client.session[IDP_SECOND_FACTOR_SESSION_KEY] == world.fjordvik.pk
    # Staff pages open without the code step: the provider stood in for it.
    assert client.get("/bekymringer/").status_code == 200


def test_the_provider_stands_in_for_the_second_factor(devidp, kari):
    TOTPDevice.objects.create(user=kari, name="app", confirmed=True)
    client = Client()
    _log_in(devidp, client, "kari.larersen@fjordvik.example")
    response = client.get("/bekymringer/")
    assert response.status_code == 200


def test_an_unknown_address_is_refused_and_nothing_is_created(devidp, world):
    before = User.objects.count()
    client = Client()
    response = _log_in(devidp, client, "nobody@fjordvik.example")
    assert nb("There is no Stafett account for this login in the municipality. "
              "Ask your leader to give you access.") in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert User.objects.count() == before


def test_staff_of_another_municipality_are_refused(devidp, world):
    world.outsider.email = "per@asheim.example"
    world.outsider.save()
    response = _log_in(devidp, Client(), "per@asheim.example")
    assert not response.wsgi_request.user.is_authenticated


def test_an_inactive_account_is_refused(devidp, kari):
    kari.is_active = False
    kari.save()
    response = _log_in(devidp, Client(), "kari.larersen@fjordvik.example")
    assert not response.wsgi_request.user.is_authenticated


def test_a_citizen_can_never_log_in_as_staff(devidp, world):
    User.objects.create_user(username="borger", email="borger@fjordvik.example",
                             kind=User.Kind.CITIZEN, national_id="14839000007")
    response = _log_in(devidp, Client(), "borger@fjordvik.example")
    assert not response.wsgi_request.user.is_authenticated


def test_axes_does_not_count_provider_logins(devidp, kari):
    _log_in(devidp, Client(), "nobody@fjordvik.example")
    _log_in(devidp, Client(), "kari.larersen@fjordvik.example")
    assert not AccessAttempt.objects.exists()


def test_an_unknown_municipality_number_is_404(devidp, world):
    assert Client().get("/konto/innlogging/9902/").status_code == 404
    assert Client().get("/konto/innlogging/9902/svar/?code=x&state=y").status_code == 404
