from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from stafett.lib.language import set_language_cookie


@cache
def family_path() -> str:
    """Where the family pages live (the `citizen` namespace, and the family
    login and logout beside it under the same prefix)."""
    return reverse("citizen:home")


def offered_languages(request) -> dict[str, str]:
    """The languages this page can be shown in: all of the family languages
    on a family page, bokmål, nynorsk and English on a staff page."""
    if request.path_info.startswith(family_path()):
        return dict(settings.FAMILY_LANGUAGES)
    return dict(settings.STAFF_LANGUAGES)


def language_for(request) -> str:
    """The person's language: the cookie if this page is offered in it, else
    bokmål (a staff page asked for a family-only language shows bokmål, the
    language of the municipality's staff, not an English nobody chose).
    Reads nothing but the cookie and the path, so an error page can ask it
    with the database down."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in offered_languages(request) else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Bokmål unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    municipal PC with an English browser would show English; here the choice is
    the person's own: the language cookie, set by the switch, and for a
    logged-in person without the cookie (a new device, a cleared browser) the
    language saved on them, which is then put back in the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if getattr(request, "_restore_language_cookie", False):
            set_language_cookie(response, request.LANGUAGE_CODE)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs after the authentication middleware, so the user is known.
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            return None
        user = getattr(request, "user", None)
        saved = getattr(user, "preferred_language", "") if user is not None else ""
        if user is not None and user.is_authenticated and saved in offered_languages(request):
            translation.activate(saved)
            request.LANGUAGE_CODE = saved
            request._restore_language_cookie = True
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response that may carry
    personal data, so that no browser cache or proxy keeps a child's data.

    That is every response to a logged-in person, and every other response
    except the public action guide (static files are served before this
    middleware is reached). Whatever a view set is kept, made stricter."""

    PUBLIC_NAMESPACES = frozenset({"guides_public", "catalog_public"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        public = match is not None and match.namespace in self.PUBLIC_NAMESPACES
        if (user is not None and user.is_authenticated) or not public:
            patch_cache_control(response, no_store=True, private=True)
        return response
