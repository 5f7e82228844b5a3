from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


def language_for(request) -> str:
    """The person's language: the cookie if it names one of ours, else bokmål.
    Reads nothing but the cookie, so an error page can ask it with the
    database down."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Bokmål unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    municipal PC with an English browser would show English; here the choice is
    the person's own (the language cookie, set by the switch and at login from
    their saved preference).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response that may carry
    personal data, so that no browser cache or proxy keeps a child's data.

    That is every response to a logged-in person, and every other response
    except the public action guide (static files are served before this
    middleware is reached). Whatever a view set is kept, made stricter."""

    PUBLIC_NAMESPACES = frozenset({"guides_public"})

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
