"""Every view declares who may reach it; a test walks the URL conf and fails
on any view without a declaration (deny by default).

- `public`: anyone, logged in or not (login page, language switch).
- `authenticated`: any logged-in member of staff, with or without a place
  in a municipality (their own account pages); a citizen gets 404.
- `staff`: a person working in the current municipality; 2FA enforced.
- `family`: a citizen logged in with ID-porten (a guardian or the young
  person); staff get 404 there, as citizens do on staff pages.

Object-level rules are not here: views load objects through the policy layer
(each app's `policy.py`), which answers 404 for missing and forbidden alike.
"""

from functools import cache, wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django_otp import device_classes

from stafett.access.rules import Forbidden
from stafett.lib.prepared import Prepared

ACCESS_ATTR = "access_rule"


def _declare(rule: str, view):
    setattr(view, ACCESS_ATTR, rule)
    return view


def public(view):
    return _declare("public", view)


# Set only by the callback of a municipality's own identity provider (the
# provider did the strong login): the municipality's id, where it stands in
# for the second factor.
IDP_SECOND_FACTOR_SESSION_KEY = "stafett_idp_second_factor"


@cache
def _confirmed_devices() -> Prepared:
    """Whether a person has a confirmed device of each kind django_otp knows:
    what `django_otp.user_has_device` asks, as one prepared row instead of
    loading a device of each kind (asked on every staff page of a person
    without one)."""
    kinds = list(device_classes())

    def build(user_id):
        return get_user_model().objects.filter(pk=user_id).annotate(**{
            f"has_{n}": Exists(model.objects.filter(user_id=OuterRef("pk"), confirmed=True))
            for n, model in enumerate(kinds)
        }).values_list(*(f"has_{n}" for n in range(len(kinds))))
    return Prepared(get_user_model(), build)


def user_has_device(user) -> bool:
    return any(any(row) for row in _confirmed_devices().rows(user_id=user.pk))


def _needs_second_factor(request) -> str | None:
    """Where to send a logged-in person who still owes a second factor."""
    user = request.user
    vouched = request.session.get(IDP_SECOND_FACTOR_SESSION_KEY)
    if vouched is not None and getattr(request.actor.municipality, "pk", None) == vouched:
        return None
    # A session verified with a device (still on record: django_otp reloads it
    # from the session each request) owes nothing; asked first, since it is
    # every page of someone with a device and spares the device lookup.
    if user.is_verified():
        return None
    if user_has_device(user):
        return "accounts:verify"
    municipality = request.actor.municipality
    if municipality is not None and municipality.require_two_factor:
        return "accounts:two_factor"
    return None


def authenticated(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.actor.is_citizen:
            # Passwords, authenticators and municipalities are staff's; a
            # citizen's account is ID-porten's.
            raise Http404
        return view(request, *args, **kwargs)

    return _declare("authenticated", wrapper)


def staff(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pending = _needs_second_factor(request)
        if pending:
            return redirect(pending)
        if not request.actor.is_staff_member:
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except Forbidden:
            raise Http404 from None

    return _declare("staff", wrapper)


# The ID-porten login page (stafett.oidc).
FAMILY_LOGIN = "oidc:idporten_login"


def family(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), FAMILY_LOGIN)
        if not request.actor.is_citizen:
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except Forbidden:
            raise Http404 from None

    return _declare("family", wrapper)
