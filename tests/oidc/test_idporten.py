"""Logging in with ID-porten, against the real local provider (devidp):
Authlib does the protocol, devidp issues signed ID-porten-shaped tokens."""

import base64
import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client

from stafett.accounts.models import User
from stafett.lib.national_id import make_synthetic
from stafett.oidc.clients import idporten_client
from stafett.oidc.views import NEXT_SESSION_KEY
from tests.conftest import nb
from tests.devidp import OTHER_CLIENT_ID

pytestmark = pytest.mark.django_db(transaction=False)


def _start(client: Client, path="/familie/logg-inn/start/"):
    response = client.get(path)
    assert response.status_code == 302, response.content
    return response["Location"]


def _callback(client: Client, url: str, **kwargs):
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return client.get(f"{parts.path}?{parts.query}", **kwargs)


def _claims(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def log_in(devidp, client, national_id, level="substantial", **kwargs):
    return _callback(client, devidp.log_in(_start(client), national_id=national_id, level=level), **kwargs)


def test_the_login_page_offers_id_porten(devidp):
    response = Client().get("/familie/logg-inn/")
    assert response.status_code == 200
    assert nb("Log in with ID-porten") in response.content.decode()


def test_a_guardian_logs_in_and_lands_on_the_family_page(devidp, family):
    client = Client()
    authorize = _start(client)
    query = parse_qs(urlsplit(authorize).query)
    # What ID-porten asks of a client: code flow, PKCE S256, state, nonce, the level.
    assert authorize.startswith(devidp.issuer + "/authorize")
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert query["acr_values"] == ["idporten-loa-substantial"]
    assert query["scope"] == ["openid profile"] and query["ui_locales"] == ["nb"]

    response = _callback(client, devidp.log_in(authorize, national_id=family.frida.national_id),
                         follow=True)
    assert response.redirect_chain[-1][0] == "/familie/"
    assert response.status_code == 200
    assert "Mia" in response.content.decode()
    user = response.wsgi_request.user
    assert user.pk == family.frida.pk and user.is_citizen
    session = client.session
    assert session["idporten_acr"] == "idporten-loa-substantial"
    assert session["idporten_amr"] == ["TestID"]
    claims = _claims(session["idporten_id_token"])
    assert claims["pid"] == family.frida.national_id
    assert claims["sub"] != family.frida.national_id
    assert session.get_expiry_age() == settings.STAFETT_CITIZEN_IDLE_SECONDS


def test_a_first_login_makes_a_citizen_account_without_the_number_as_username(devidp, family):
    client = Client()
    newcomer = make_synthetic(dt.date(1995, 1, 1), 3)
    assert not User.objects.filter(national_id=newcomer).exists()
    response = log_in(devidp, client, newcomer, follow=True)
    assert response.status_code == 200
    user = User.objects.get(national_id=newcomer)
    assert user.kind == User.Kind.CITIZEN
    assert newcomer not in user.username and user.username.startswith("idporten-")
    assert not user.has_usable_password()


def test_a_low_level_is_refused_and_nobody_is_logged_in(devidp, family):
    client = Client()
    response = log_in(devidp, client, family.frida.national_id, level="low", follow=True)
    page = response.content.decode()
    assert nb("Your login was at too low a security level. Log in with BankID, Buypass, "
              "Commfides or MinID with a code from an app or text message (security level substantial or high).") in page
    assert not response.wsgi_request.user.is_authenticated
    assert "idporten_id_token" not in client.session
    assert client.get("/familie/").status_code == 302


def test_a_high_level_is_accepted(devidp, family):
    client = Client()
    response = log_in(devidp, client, family.geir.national_id, level="high")
    assert response.status_code == 302
    assert client.session["idporten_acr"] == "idporten-loa-high"


def test_a_tampered_state_is_refused(devidp, family):
    client = Client()
    callback = devidp.log_in(_start(client), national_id=family.frida.national_id)
    tampered = callback.replace("state=", "state=x")
    response = _callback(client, tampered, follow=True)
    assert nb("The login with ID-porten did not succeed. Please try again.") in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_callback_from_another_browser_is_refused(devidp, family):
    # The state was made in one browser's session; another browser brings the code.
    callback = devidp.log_in(_start(Client()), national_id=family.frida.national_id)
    thief = Client()
    response = _callback(thief, callback, follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_a_mismatched_nonce_is_refused(devidp, family):
    client = Client()
    authorize = _start(client)
    session = client.session
    key = next(k for k in session.keys() if k.startswith("_state_idporten_"))
    data = session[key]
    data["data"]["nonce"] = "not-the-nonce-that-was-sent"
    session[key] = data
    session.save()
    response = _callback(client, devidp.log_in(authorize, national_id=family.frida.national_id),
                         follow=True)
    assert nb("The login with ID-porten did not succeed. Please try again.") in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_pairwise_sub_differs_between_clients(devidp, family):
    client = Client()
    log_in(devidp, client, family.frida.national_id)
    ours = _claims(client.session["idporten_id_token"])["sub"]
    # The same person at another client of the same provider.
    browser = requests.Session()
    other_authorize = (
        f"{devidp.issuer}/authorize/?response_type=code&client_id={OTHER_CLIENT_ID}"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fcallback&scope=openid&state=s&nonce=n"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )
    back = devidp.log_in(other_authorize, national_id=family.frida.national_id, session=browser)
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = requests.post(f"{devidp.issuer}/token/", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": "http://127.0.0.1:9999/callback",
        "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    }, auth=(OTHER_CLIENT_ID, "stafett-test-secret-not-for-production"), timeout=10).json()
    theirs = _claims(token["id_token"])
    assert theirs["pid"] == family.frida.national_id
    assert theirs["sub"] != ours
    assert family.frida.national_id not in (ours, theirs["sub"])


def test_logout_ends_the_provider_session_too(devidp, family):
    client = Client()
    log_in(devidp, client, family.frida.national_id)
    id_token = client.session["idporten_id_token"]
    response = client.post("/familie/logg-ut/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{devidp.issuer}/logout/"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/familie/logget-ut/"]
    assert client.get("/familie/").status_code == 302
    # The provider accepts it and sends the browser back to the logged-out page.
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"].startswith(
        "http://testserver/familie/logget-ut/")
    page = client.get("/familie/logget-ut/")
    assert nb("You are logged out") in page.content.decode()


def test_a_staff_account_can_never_log_in_as_a_citizen(devidp, family, world):
    # Kari is staff; a citizen with her (empty) number does not exist, and the
    # citizen account found for a number is always of the citizen kind.
    client = Client()
    log_in(devidp, client, family.ylva.national_id)
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user.is_citizen and user.pk == family.ylva.pk


def test_the_language_comes_from_the_locale_claim_when_none_is_saved(devidp, family):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = log_in(devidp, client, family.frida.national_id)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_saved_language_wins_over_the_locale_claim(devidp, family):
    family.frida.preferred_language = "nn"
    family.frida.save()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = log_in(devidp, client, family.frida.national_id)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"


def test_the_next_page_is_kept_through_the_login(devidp, family):
    client = Client()
    client.get("/familie/logg-inn/start/?next=/familie/%3Fx%3D1")
    assert client.session[NEXT_SESSION_KEY] == "/familie/?x=1"


def test_a_private_key_makes_the_client_use_private_key_jwt(tmp_path, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "idporten.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    settings.STAFETT_IDPORTEN_ISSUER = "https://test.idporten.no"
    settings.STAFETT_IDPORTEN_CLIENT_ID = "stafett"
    settings.STAFETT_IDPORTEN_CLIENT_SECRET = ""
    settings.STAFETT_IDPORTEN_PRIVATE_KEY = str(path)
    client = idporten_client()
    method = client.client_kwargs["token_endpoint_auth_method"]
    assert isinstance(method, PrivateKeyJWT) and method.token_endpoint == "https://test.idporten.no"
    assert client.client_secret.startswith("-----BEGIN PRIVATE KEY-----")
