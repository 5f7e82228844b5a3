from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from stafett.access.views import public, staff
from stafett.lib.language import set_language_cookie


@public
def home(request):
    if request.user.is_authenticated:
        return redirect("concerns:mine")
    return redirect("accounts:login")


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
    if set_language_cookie(response, language):
        if request.user.is_authenticated and request.user.preferred_language != language:
            request.user.preferred_language = language
            request.user.save(update_fields=["preferred_language"])
    return response
