from django.conf import settings


def stafett(request):
    """What the page frame needs: who is asking and which links to show."""
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "municipality": getattr(actor, "municipality", None),
        "is_leader": bool(actor and actor.led_service_ids),
        "staff_languages": settings.STAFF_LANGUAGES,
    }
