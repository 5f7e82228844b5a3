from django_scopes import scopes_disabled

from stafett.followup.models import Notification


def badge(request):
    """The number of open, unread follow-up notifications for the main nav:
    one query, none for people outside a municipality."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_member:
        return {"followup_badge": 0}

    with scopes_disabled():
        count = Notification.objects.filter(
            user=request.user, municipality=actor.municipality, read_at__isnull=True,
            brk__mended_at__isnull=True,
        ).count()
    return {"followup_badge": count}
