from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext


@transaction.atomic
def deactivate_membership(membership) -> None:
    """A person leaves a service. A holder cannot leave a relay without a
    holder: the relays they hold for this service must be handed over first."""
    from stafett.relay.models import Relay

    held = Relay.objects.filter(
        holder_id=membership.user_id, holder_service_id=membership.service_id, status="open"
    ).count()
    if held:
        raise ValidationError(
            ngettext(
                "%(name)s holds %(count)s open relay for this service. Hand it over first.",
                "%(name)s holds %(count)s open relays for this service. Hand them over first.",
                held,
            ) % {"name": membership.user.get_full_name() or membership.user.username, "count": held}
        )
    membership.active = False
    membership.save(update_fields=["active"])
