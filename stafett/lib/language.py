"""The person's language choice, kept in the cookie the LanguageMiddleware reads."""

from django.conf import settings
from django.utils.translation import check_for_language


def set_language_cookie(response, language: str) -> bool:
    """Remember `language` in the cookie the LanguageMiddleware reads."""
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        return False
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return True
