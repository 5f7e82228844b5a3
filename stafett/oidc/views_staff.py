"""Staff logging in through the municipality's own OpenID Connect provider
(e.g. Entra ID): only an EXISTING active staff account of that municipality,
never created here; the provider's login stands in for the second factor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_scopes import scopes_disabled

from stafett.access.views import IDP_SECOND_FACTOR_SESSION_KEY, public
from stafett.accounts.views import LOGIN_METHOD_SESSION_KEY, safe_next
from stafett.lib.language import set_language_cookie
from stafett.tenancy.models import Membership, Municipality, MunicipalityRole

from .clients import staff_client, staff_provider
from .views import MODEL_BACKEND, NEXT_SESSION_KEY, PROTOCOL_ERRORS, _iss


def _refuse_staff(request, message: str):
    messages.error(request, message)
    return redirect("accounts:login")


@public
@require_GET
@never_cache
def staff_start(request, number: str):
    client = staff_client(number)
    if client is None:
        raise Http404
    request.session[NEXT_SESSION_KEY] = safe_next(request)
    try:
        return client.authorize_redirect(
            request, request.build_absolute_uri(reverse("oidc:staff_callback", args=[number])),
        )
    except PROTOCOL_ERRORS:
        return _refuse_staff(request, _("The municipality's login service cannot be reached just now."))


def _staff_account(municipality, claim: str, value: str):
    """The one active staff account of this municipality the provider's claim
    names, or None. Nobody is created: an unknown person is refused."""
    User = get_user_model()
    field = Q(email__iexact=value) if claim == "email" else Q(username__iexact=value)
    works_here = Q(pk__in=Membership.objects.filter(municipality=municipality, active=True).values("user")) | Q(
        pk__in=MunicipalityRole.objects.filter(municipality=municipality).values("user"))
    matches = list(User.objects.filter(field & works_here, kind=User.Kind.STAFF, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


@public
@require_GET
@never_cache
def staff_callback(request, number: str):
    provider = staff_provider(number)
    client = staff_client(number)
    if client is None:
        raise Http404
    failed = _("The login through the municipality did not succeed. Please try again.")
    try:
        token = client.authorize_access_token(request, claims_options=_iss(provider["issuer"]))
    except PROTOCOL_ERRORS:
        return _refuse_staff(request, failed)
    claims = token.get("userinfo") or {}
    value = str(claims.get(provider["claim"]) or "").strip()
    with scopes_disabled():
        municipality = Municipality.objects.filter(number=number).first()
        user = _staff_account(municipality, provider["claim"], value) if value and municipality else None
    if user is None:
        return _refuse_staff(request, _(
            "There is no Stafett account for this login in the municipality. "
            "Ask your leader to give you access."
        ))
    next_url = request.session.pop(NEXT_SESSION_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)
    auth.login(request, user, backend=MODEL_BACKEND)
    # The municipality's provider did the strong authentication: it stands in
    # for the second factor, in this municipality only.
    request.session[LOGIN_METHOD_SESSION_KEY] = f"oidc:{number}"
    request.session[IDP_SECOND_FACTOR_SESSION_KEY] = municipality.pk
    request.session["municipality_id"] = municipality.pk
    response = redirect(next_url)
    if user.preferred_language:
        set_language_cookie(response, user.preferred_language)
    return response
