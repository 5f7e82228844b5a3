"""Choosing a person by where they work: shared by every form that names
someone for a task (a participant, a new holder, a new author)."""

from stafett.lib import forms as fields

from .models import Membership


class MembershipChoiceField(fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.display_name} – {obj.service.name}"


def memberships():
    """People working in a service of the municipality now (the scope filters)."""
    return (
        Membership.objects.filter(active=True, user__is_active=True)
        .select_related("user", "service")
        .order_by("user__first_name", "user__last_name", "service__name")
    )
