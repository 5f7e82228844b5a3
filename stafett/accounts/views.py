"""Login, second factor, logout and the person's own account page.

The password form and ID-porten (stafett.oidc) end in `complete_login`, so
session rotation, the language preference and the second-factor step are the
same whichever door the person came through; a municipality's own identity
provider (stafett.oidc) stands in for the second factor instead.
"""

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from stafett.access.views import authenticated, public
from stafett.accounts.forms import CodeForm, LoginForm
from stafett.accounts.models import new_session_salt
from stafett.lib.language import set_language_cookie
from stafett.tenancy.models import Membership, MunicipalityRole, Service

# Which door the person came through ("password", "idporten", "oidc:<municipality number>").
LOGIN_METHOD_SESSION_KEY = "stafett_login_method"


# --- helpers -----------------------------------------------------------------


def safe_next(request, default: str | None = None) -> str:
    """The `next` target if it stays on this site, else the default.

    Checked on every use, so a crafted link can never send a freshly logged-in
    person to another site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _redirect_with_next(view_name: str, next_url: str) -> HttpResponse:
    return redirect(f"{reverse(view_name)}?{urlencode({'next': next_url})}")


def two_factor_required(user) -> bool:
    """Whether any municipality this person works in demands a second factor.

    Asked across all their municipalities, not just the current one, so
    switching municipality is no way around the rule."""

    with scopes_disabled():
        return (
            Membership.objects.filter(
                user=user, active=True, municipality__require_two_factor=True
            ).exists()
            or MunicipalityRole.objects.filter(
                user=user, municipality__require_two_factor=True
            ).exists()
        )


def owes_second_factor(request) -> bool:
    """Logged in with the password, but the confirmed device not yet used."""
    return user_has_device(request.user) and not request.user.is_verified()


def complete_login(request, user, method: str, next_url: str, backend: str | None = None):
    """Finish a login, whatever the method, and say where to go next.

    `django.contrib.auth.login` rotates the session key, so a session id
    planted before login is worthless after it. A person with a confirmed
    authenticator goes to the code step first; one whose municipality demands
    two-factor login and who has none goes to set it up.
    """
    auth_login(request, user, backend=backend)
    request.session[LOGIN_METHOD_SESSION_KEY] = method
    if user_has_device(user):
        response = _redirect_with_next("accounts:verify", next_url)
    elif two_factor_required(user):
        response = _redirect_with_next("accounts:two_factor", next_url)
    else:
        response = redirect(next_url)
    if user.preferred_language:
        set_language_cookie(response, user.preferred_language)
    return response


# --- login and lockout ---------------------------------------------------------


@public
@sensitive_post_parameters("password")
@never_cache
def login(request):
    next_url = safe_next(request)
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        return complete_login(request, form.user, "password", next_url)
    # A button per municipality that logs its staff in through its own provider.
    providers = sorted((number, p["label"]) for number, p in settings.STAFETT_STAFF_OIDC.items())
    context = {"form": form, "next": next_url, "staff_providers": providers}
    return render(request, "accounts/login.html", context)


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this (request, original response, credentials) once a
    username has failed too often from one address. The page names no user and
    says nothing about whether the username exists."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=403)


# --- second factor -------------------------------------------------------------


def _confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@authenticated
@never_cache
def verify(request):
    """The code step after the password, for people with an authenticator."""
    next_url = safe_next(request)
    device = _confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        otp_login(request, device)
        # A new privilege level gets a new session key, as a login does.
        request.session.cycle_key()
        return redirect(next_url)
    context = {"form": form, "next": next_url}
    return render(request, "accounts/verify.html", context)


def _qr_data_uri(text: str) -> str:
    # An <img> with a data: URI: the CSP allows data: images but no inline SVG styles.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _grouped_secret(device) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@authenticated
@never_cache
def two_factor(request):
    """Set up an authenticator app, or see that it is on and remove it."""
    if owes_second_factor(request):
        # Only the person holding the current authenticator may replace or remove it.
        return _redirect_with_next("accounts:verify", request.get_full_path())
    user = request.user
    required = two_factor_required(user)
    next_url = safe_next(request, "accounts:account")
    device = _confirmed_device(user)
    if device is not None:
        remove_form = CodeForm(device, prefix="remove")
        context = {"device": device, "required": required, "remove_form": remove_form}
        return render(request, "accounts/two_factor.html", context)

    # Reuse the pending device, so reloading the page keeps the QR code the
    # person may already have scanned.
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name="Stafett", confirmed=False)
    form = CodeForm(pending, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            TOTPDevice.objects.filter(pk=pending.pk).update(confirmed=True)
            TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        pending.refresh_from_db()
        otp_login(request, pending)
        request.session.cycle_key()
        messages.success(request, _("Two-factor login is on."))
        return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "required": required,
        "qr_code": _qr_data_uri(pending.config_url),
        "secret": _grouped_secret(pending),
    }
    return render(request, "accounts/two_factor.html", context)


@authenticated
@require_POST
def two_factor_remove(request):
    """Turn two-factor login off, with a current code as proof of holding the app."""
    if owes_second_factor(request):
        return redirect("accounts:verify")
    device = _confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    if two_factor_required(request.user):
        messages.error(
            request, _("Your municipality requires two-factor login, so it cannot be turned off.")
        )
        return redirect("accounts:two_factor")
    form = CodeForm(device, request.POST, prefix="remove")
    if form.is_valid():
        TOTPDevice.objects.devices_for_user(request.user, confirmed=None).delete()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, _("Two-factor login is off."))
        return redirect("accounts:account")
    context = {"device": device, "required": False, "remove_form": form}
    return render(request, "accounts/two_factor.html", context)


# --- logout --------------------------------------------------------------------


@public
@require_POST
def logout(request):
    auth_logout(request)
    messages.success(request, _("You are logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@authenticated
@require_POST
def logout_everywhere(request):
    """End every session of this person, on every device.

    The session salt is part of the session hash, so every other session
    fails its hash check on its next request; this one is ended at once."""
    user = request.user
    user.session_salt = new_session_salt()
    user.save(update_fields=["session_salt"])
    auth_logout(request)
    messages.success(request, _("You are logged out on all devices."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- my account ----------------------------------------------------------------


@authenticated
@never_cache
def account(request):
    if owes_second_factor(request):
        return _redirect_with_next("accounts:verify", request.get_full_path())

    actor = request.actor
    services = []
    if actor.services:
        # The actor holds ids and roles; one query for the names.
        names = dict(Service.objects.filter(pk__in=actor.services).values_list("pk", "name"))
        services = sorted(
            (
                {"name": names.get(pk, ""), "role": Membership.Role(role).label}
                for pk, role in actor.services.items()
            ),
            key=lambda s: s["name"],
        )
    roles = sorted(MunicipalityRole.Role(role).label for role in actor.roles)
    context = {
        "nav": "account",
        "services": services,
        "roles": roles,
        "has_two_factor": user_has_device(request.user),
        "two_factor_required": two_factor_required(request.user),
        "languages": settings.STAFF_LANGUAGES,
    }
    return render(request, "accounts/account.html", context)
