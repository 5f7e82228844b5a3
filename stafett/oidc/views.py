"""Logging in through OpenID Connect: ID-porten for citizens, the
municipality's own provider for staff.

The protocol (PKCE S256, state, nonce, the token request, the ID token's
signature and claims) is Authlib's; what is ours is who the person is
afterwards. A citizen is the `pid` claim, at ID-porten's level substantial or
higher, and only ever a citizen account. A staff member is an EXISTING active
account of that municipality, never created here.
"""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError

from stafett.access.views import public
from stafett.accounts.views import complete_login, safe_next
from stafett.lib.language import set_language_cookie
from stafett.lib.national_id import InvalidNationalId, parse

from .clients import idporten_client
from .levels import ACR_SESSION_KEY, acr_sufficient

NEXT_SESSION_KEY = "oidc_next"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# What goes wrong in the protocol: a bad or replayed state, an error from the
# provider, a token that fails validation, a provider that cannot be reached.
PROTOCOL_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError)


def _iss(issuer: str) -> dict:
    # The ID token's issuer must be the one configured, not only the one the
    # metadata names.
    return {"iss": {"essential": True, "values": [issuer]}}


# --- ID-porten (citizens) -------------------------------------------------------


@public
@require_GET
@never_cache
def idporten_login(request):
    if request.user.is_authenticated and request.user.is_citizen:
        return redirect("citizen:home")
    context = {
        "available": idporten_client() is not None,
        "next": safe_next(request, "citizen:home"),
    }
    return render(request, "oidc/idporten_login.html", context)


def _refuse_citizen(request, message: str):
    messages.error(request, message)
    return redirect("oidc:idporten_login")


@public
@require_GET
@never_cache
def idporten_start(request):
    client = idporten_client()
    if client is None:
        raise Http404
    request.session[NEXT_SESSION_KEY] = safe_next(request, "citizen:home")
    try:
        return client.authorize_redirect(
            request, request.build_absolute_uri(reverse("oidc:idporten_callback")),
            acr_values=settings.STAFETT_IDPORTEN_MIN_ACR, ui_locales=get_language(),
        )
    except PROTOCOL_ERRORS:
        return _refuse_citizen(request, _("ID-porten cannot be reached just now. Please try again in a little while."))


def _citizen_username(pid: str) -> str:
    # Never the number itself: a username shows up in places a number must not.
    return "idporten-" + salted_hmac("stafett.oidc.citizen", pid, algorithm="sha256").hexdigest()[:24]


def _citizen_for(pid: str):
    User = get_user_model()
    user = User.objects.filter(kind=User.Kind.CITIZEN, national_id=pid).first()
    if user is not None:
        return user
    user = User(kind=User.Kind.CITIZEN, national_id=pid, username=_citizen_username(pid))
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # The same person finished a login in another tab a moment ago.
        return User.objects.get(kind=User.Kind.CITIZEN, national_id=pid)
    return user


@public
@require_GET
@never_cache
def idporten_callback(request):
    client = idporten_client()
    if client is None:
        raise Http404
    failed = _("The login with ID-porten did not succeed. Please try again.")
    try:
        token = client.authorize_access_token(request, claims_options=_iss(settings.STAFETT_IDPORTEN_ISSUER))
    except PROTOCOL_ERRORS:
        return _refuse_citizen(request, failed)
    claims = token.get("userinfo")
    if not claims:
        return _refuse_citizen(request, failed)
    acr = claims.get("acr")
    if not acr_sufficient(acr):
        return _refuse_citizen(request, _(
            "Your login was at too low a security level. Log in with BankID, Buypass, "
            "Commfides or MinID with a code from an app or text message (security level substantial or high)."
        ))
    try:
        pid = parse(str(claims.get("pid", "")), accept_synthetic=settings.STAFETT_ACCEPT_SYNTHETIC_IDS).value
    except InvalidNationalId:
        return _refuse_citizen(request, failed)
    user = _citizen_for(pid)
    if not user.is_active:
        return _refuse_citizen(request, _("This login has been turned off. Contact the municipality."))
    next_url = request.session.pop(NEXT_SESSION_KEY, None) or reverse("citizen:home")
    response = complete_login(request, user, "idporten", next_url, backend=MODEL_BACKEND)
    request.session[ACR_SESSION_KEY] = acr
    request.session["idporten_amr"] = list(claims.get("amr") or [])
    request.session["idporten_id_token"] = token.get("id_token", "")
    request.session.set_expiry(settings.STAFETT_CITIZEN_IDLE_SECONDS)
    locale = claims.get("locale")
    if not user.preferred_language and locale in dict(settings.FAMILY_LANGUAGES):
        set_language_cookie(response, locale)
    return response


@public
@require_POST
def logout(request):
    """End the session here, then at ID-porten (RP-initiated logout), so the
    next person at a shared computer is not logged straight back in."""
    id_token = request.session.get("idporten_id_token")
    auth.logout(request)
    logged_out = request.build_absolute_uri(reverse("oidc:logged_out"))
    client = idporten_client()
    if id_token and client is not None:
        try:
            if client.load_server_metadata().get("end_session_endpoint"):
                url = client.create_logout_url(post_logout_redirect_uri=logged_out,
                                               id_token_hint=id_token)["url"]
                return redirect(url)
        except PROTOCOL_ERRORS:
            pass  # Logged out here at least; the page says so.
    return redirect("oidc:logged_out")


@public
@require_GET
def logged_out(request):
    return render(request, "oidc/logged_out.html", {})
