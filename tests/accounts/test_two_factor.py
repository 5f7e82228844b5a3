import base64
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from tests.accounts.helpers import code_for, confirmed_device, password_login
from tests.conftest import nb


def _verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- setup ---------------------------------------------------------------------


def test_setup_shows_a_qr_code_image_and_the_key(world):
    client = world.client_for(world.operator)
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=world.operator)
    assert not device.confirmed

    match = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*alt="([^"]+)"', html)
    assert match, "QR code must be an <img> with a data: URI and alt text"
    assert base64.b64decode(match.group(1)).startswith(b"<svg")
    assert "QR-kode" in match.group(2)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    # Nothing inline: the CSP allows no inline script or style.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html


def test_reloading_setup_keeps_the_same_pending_device(world):
    client = world.client_for(world.operator)
    client.get(reverse("accounts:two_factor"))
    client.get(reverse("accounts:two_factor"))
    assert TOTPDevice.objects.filter(user=world.operator).count() == 1


def test_setup_with_the_right_code_confirms_and_verifies(world):
    client = world.client_for(world.teacher)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.teacher)
    response = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    device.refresh_from_db()
    assert device.confirmed
    assert _verified(client)


def test_setup_accepts_a_code_typed_with_a_space(world):
    client = world.client_for(world.operator)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.operator)
    code = code_for(device)
    response = client.post(reverse("accounts:two_factor"), {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


def test_setup_with_a_wrong_code_explains_and_stays_unconfirmed(world):
    client = world.client_for(world.operator)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.operator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor"), {"code": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert nb("That code is wrong or has expired. Enter the code your app shows now.") in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    assert 'role="alert"' in html
    device.refresh_from_db()
    assert not device.confirmed
    assert not _verified(client)


def test_a_code_that_is_not_six_digits_is_refused_without_using_up_a_try(world):
    client = world.client_for(world.operator)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": "12ab"})
    assert nb("The code has six digits.") in response.content.decode()
    assert TOTPDevice.objects.get(user=world.operator).throttling_failure_count == 0


# --- the code step after the password ------------------------------------------------


def test_login_with_a_device_asks_for_the_code_and_keeps_next(world):
    device = confirmed_device(world.operator)
    client = Client()
    target = reverse("accounts:account")
    response = password_login(client, world.operator, next_url=target)
    assert response["Location"] == reverse("accounts:verify") + "?" + urlencode({"next": target})
    assert not _verified(client)

    # Password alone opens nothing that needs the second factor.
    assert client.get(reverse("core:acute"))["Location"] == reverse("accounts:verify")
    assert client.get(target)["Location"].startswith(reverse("accounts:verify"))

    page = client.get(response["Location"])
    assert f'<input type="hidden" name="next" value="{target}">' in page.content.decode()
    response = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert _verified(client)
    assert client.get(target).status_code == 200


def test_verify_with_a_wrong_code_gives_a_clear_error(world):
    device = confirmed_device(world.operator)
    client = Client()
    password_login(client, world.operator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert response.status_code == 200
    assert nb("That code is wrong or has expired. Enter the code your app shows now.") in response.content.decode()
    assert not _verified(client)

    # Straight after a wrong code django-otp makes the person wait a little.
    response = client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert nb("Too many wrong codes in a row. Wait a minute, then enter the newest code.") in response.content.decode()
    assert not _verified(client)

    device.refresh_from_db()
    device.throttle_reset()  # stands in for waiting out the delay
    response = client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert _verified(client)


def test_a_code_works_only_once(world):
    device = confirmed_device(world.operator)
    code = code_for(device)
    first = Client()
    password_login(first, world.operator)
    assert first.post(reverse("accounts:verify"), {"code": code}).status_code == 302

    second = Client()
    password_login(second, world.operator)
    response = second.post(reverse("accounts:verify"), {"code": code})
    assert nb("That code is wrong or has expired. Enter the code your app shows now.") in response.content.decode()
    assert not _verified(second)


def test_verify_without_a_device_just_continues(world):
    client = world.client_for(world.operator)
    response = client.get(reverse("accounts:verify"), {"next": "/konto/"})
    assert response["Location"] == "/konto/"


def test_verify_refuses_an_off_site_next(world):
    device = confirmed_device(world.operator)
    client = Client()
    password_login(client, world.operator)
    response = client.post(
        reverse("accounts:verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_password_alone_cannot_replace_or_remove_the_device(world):
    device = confirmed_device(world.operator)
    client = Client()
    password_login(client, world.operator)
    assert client.get(reverse("accounts:two_factor"))["Location"].startswith(
        reverse("accounts:verify")
    )
    response = client.post(
        reverse("accounts:two_factor_remove"), {"remove-code": code_for(device)}
    )
    assert response["Location"] == reverse("accounts:verify")
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


# --- removing it ----------------------------------------------------------------


def _verified_client(world, user):
    device = confirmed_device(user)
    client = Client()
    password_login(client, user)
    client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert _verified(client)
    return client, device


def test_removing_needs_a_current_code(world):
    client, device = _verified_client(world, world.operator)
    page = client.get(reverse("accounts:two_factor"))
    assert nb("Turn off two-factor login") in page.content.decode()

    response = client.post(reverse("accounts:two_factor_remove"), {"remove-code": "000000"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.operator).exists()

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(
        reverse("accounts:two_factor_remove"), {"remove-code": code_for(device, steps_ahead=1)}
    )
    assert response["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=world.operator).exists()
    assert client.get(reverse("accounts:account")).status_code == 200


# --- mandatory two-factor login ------------------------------------------------------------


@pytest.fixture
def mandatory(world):
    with scopes_disabled():
        world.fjordvik.require_two_factor = True
        world.fjordvik.save()
    return world


def test_mandatory_two_factor_sends_staff_without_a_device_to_setup(mandatory):
    world = mandatory
    client = Client()
    response = password_login(client, world.teacher)
    assert response["Location"].startswith(reverse("accounts:two_factor"))

    staff_page = reverse("guides:overview")
    assert client.get(staff_page)["Location"] == reverse("accounts:two_factor")

    page = client.get(reverse("accounts:two_factor"))
    assert nb("Your municipality requires two-factor login. Set it up before you continue.") in page.content.decode()
    device = TOTPDevice.objects.get(user=world.teacher, confirmed=False)
    response = client.post(
        reverse("accounts:two_factor"), {"code": code_for(device), "next": staff_page}
    )
    assert response["Location"] == staff_page
    assert client.get(staff_page).status_code == 200

    # Next time the password is not enough.
    client.post(reverse("accounts:logout"))
    response = password_login(client, world.teacher, next_url=staff_page)
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert client.get(staff_page)["Location"] == reverse("accounts:verify")


def test_mandatory_two_factor_cannot_be_removed(mandatory):
    world = mandatory
    client, device = _verified_client(world, world.teacher)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "så du kan ikke slå den av" in page
    assert "remove-code" not in page
    response = client.post(
        reverse("accounts:two_factor_remove"),
        {"remove-code": code_for(device, steps_ahead=1)},
        follow=True,
    )
    assert "så du kan ikke slå den av" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_mandatory_two_factor_in_one_municipality_does_not_bind_another(mandatory):
    world = mandatory
    client = Client()
    response = password_login(client, world.outsider)
    assert not response["Location"].startswith(reverse("accounts:two_factor"))
