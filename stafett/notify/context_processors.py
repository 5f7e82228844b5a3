from django_scopes import scopes_disabled

from stafett.notify.models import Notice


def badge(request):
    """The number of the person's unread notices in the municipality they act
    in, for the main menu: one query, none for people outside a municipality."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_member:
        return {"notice_badge": 0}
    # The filter names the municipality itself (also on error pages rendered
    # outside the request's scope).
    with scopes_disabled():
        count = Notice.objects.filter(
            recipient=request.user, municipality=actor.municipality, read_at__isnull=True
        ).count()
    return {"notice_badge": count}
