from django.db import transaction

from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.policy import visible_concerns
from stafett.followup.policy import require_followup_configurer
from stafett.lib.paging import page_by_ids
from stafett.relay import actions as relay_actions
from stafett.relay.policy import appointable_relays, appointment_basis, visible_relays

from .engine import settings_for
from .models import Notification, Rule

PAGE_SIZE = 25


def settings_of(actor):
    require_followup_configurer(actor)
    return settings_for(actor.municipality)


@transaction.atomic
def update_settings(actor, **days) -> None:
    """New thresholds take effect at the next run of the rules."""
    conf = settings_of(actor)
    for name, value in days.items():
        setattr(conf, name, value)
    conf.save(update_fields=list(days))


def needs_attention(actor, page_number):
    """One page of the person's open follow-up breaks. A break names and links
    the child only where the reader may open that worry or relay now — or,
    for a holder who is gone, appoint the next one; every name shown is
    audited in this transaction. Returns (page, rows)."""
    with transaction.atomic():
        queryset = (
            Notification.objects.filter(user=actor.user, municipality=actor.municipality,
                                        brk__mended_at__isnull=True)
            .order_by("-created_at", "-pk")
        )
        # The filter runs once, for the ids (count and page); the page's rows
        # are read by id with their break and service (stafett.lib.paging).
        page = page_by_ids(queryset, page_number, PAGE_SIZE, lambda ids: Notification.objects.filter(
            pk__in=ids).select_related("brk", "brk__service"))
        notifications = page.object_list
        concern_ids = {n.brk.concern_id for n in notifications if n.brk.concern_id}
        relay_ids = {n.brk.relay_id for n in notifications if n.brk.relay_id}
        gone_ids = {n.brk.relay_id for n in notifications if n.brk.rule == Rule.HOLDER_GONE}
        # The child's name and id are on the worry and the relay: their
        # child's row is not joined.
        concerns = {c.pk: c for c in visible_concerns(actor).filter(pk__in=concern_ids)
                    } if concern_ids else {}
        relays = {r.pk: r for r in visible_relays(actor).filter(pk__in=relay_ids)
                  } if relay_ids else {}
        to_appoint = {r.pk: r for r in appointable_relays(actor).filter(pk__in=gone_ids)
                      } if gone_ids else {}
        rows = []
        for n in notifications:
            appoint = to_appoint.get(n.brk.relay_id) if n.brk.rule == Rule.HOLDER_GONE else None
            rows.append({"notification": n, "concern": concerns.get(n.brk.concern_id),
                         "relay": relays.get(n.brk.relay_id), "appoint": appoint})
        record_many(actor, "list", [(c, c.child_id, None) for c in concerns.values()],
                    legal_basis=LegalBasis.SERVICE_DUTY)
        relay_actions.audit_list(actor, [(r, None, None) for r in relays.values()] + [
            (r, None, appointment_basis(actor, r)) for r in to_appoint.values()
            if r.pk not in relays
        ])
    page.object_list = notifications
    return page, rows
