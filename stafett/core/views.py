from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from stafett.access.views import public, staff
from stafett.core.work import work_for
from stafett.lib.language import set_language_cookie


@public
def home(request):
    """The start page: each person's own work first (see `start`)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.actor.is_citizen:
        return redirect("citizen:home")
    if not request.actor.is_staff_member:
        # Logged in, but no place in any municipality (yet, or any more).
        return render(request, "core/no_place.html")
    return start(request)


@staff
def start(request):
    """What waits for this person, as counts and links to the lists that show
    it: a handover offered to them, the coordinator's guide and leadership
    view, a leader's inbox, and their own worries and relays. No child is
    named here, so nothing is read that needs an audit row."""
    return render(request, "core/start.html", {"work": work_for(request.actor), "nav": "home"})


@staff
def acute(request):
    """The acute path without a worry: the municipality's numbers and what to do."""
    return render(request, "core/acute.html")


@public
@require_POST
def set_language(request):
    """Switch language and remember it: in a cookie, and on the person if logged in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if request.user.is_authenticated and not request.user.is_citizen \
            and language not in dict(settings.STAFF_LANGUAGES):
        # Staff pages are in bokmål, nynorsk or English only: a staff member
        # keeps the language they had rather than save one nothing shows.
        return response
    if set_language_cookie(response, language):
        if request.user.is_authenticated and request.user.preferred_language != language:
            request.user.preferred_language = language
            request.user.save(update_fields=["preferred_language"])
    return response
