from django_scopes import scopes_disabled

from stafett.followup.models import Notification
from stafett.notify.context_processors import count_of, unread_notices
from stafett.tenancy.models import Municipality


def badge(request):
    """The main menu's two badges: open, unread follow-up notifications, and
    unread notices — counted together in one query on every page, none for
    people outside a municipality."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_member:
        return {"followup_badge": 0, "notice_badge": 0}

    with scopes_disabled():
        followup = Notification.objects.filter(
            user=request.user, municipality=actor.municipality, read_at__isnull=True,
            brk__mended_at__isnull=True,
        )
        counts = Municipality.objects.filter(pk=actor.municipality.pk).annotate(
            followup_badge=count_of(followup),
            notice_badge=count_of(unread_notices(request.user, actor.municipality)),
        ).values_list("followup_badge", "notice_badge").get()
    return {"followup_badge": counts[0] or 0, "notice_badge": counts[1] or 0}
