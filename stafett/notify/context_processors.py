from django.db.models import F, Func, IntegerField, QuerySet, Subquery

from stafett.notify.models import Notice


def unread_notices(user, municipality) -> QuerySet:
    """The person's unread notices in the municipality they act in. The filter
    names the municipality itself (also on error pages rendered outside the
    request's scope); served by the index (recipient, municipality, read_at)."""
    return Notice.objects.filter(recipient=user, municipality=municipality, read_at__isnull=True)


def count_of(queryset) -> Subquery:
    """`SELECT COUNT(*)` of `queryset` as a scalar subquery, so several badges
    are counted in one statement (stafett.followup.context_processors.badge)."""
    return Subquery(queryset.order_by().annotate(
        n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n"))
