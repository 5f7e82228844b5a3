from django.conf import settings


def family(request):
    """The languages a family page offers (more than staff pages)."""
    return {"family_languages": settings.FAMILY_LANGUAGES}
