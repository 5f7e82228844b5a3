from django.db import transaction

from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.policy import visible_concerns_among
from stafett.followup.policy import require_followup_configurer
from stafett.lib.paging import page_by_ids
from stafett.lib.prepared import Columns, Prepared
from stafett.relay import actions as relay_actions
from stafett.relay.policy import appointable_relays, appointment_basis, visible_relays_among

from .engine import settings_for
from .models import Notification, Rule

PAGE_SIZE = 25

# The person's open notifications, newest first, and a page of them with
# their break and its service: statements written once per process.
_OPEN_IDS = Prepared(Notification, lambda user, municipality: (
    Notification.objects.filter(user_id=user, municipality_id=municipality, brk__mended_at__isnull=True)
    .order_by("-created_at", "-pk").values_list("pk")))
_SHOWN = Columns(Notification, ("brk", "brk__service"))
_PAGE = Prepared(Notification, lambda ids: (
    Notification.objects.filter(pk__in=ids).values_list(*_SHOWN.names)))


def _shown(ids) -> list:
    return _SHOWN.instances(_PAGE.rows(ids=ids))


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
        # The filter runs once, for the ids (count and page); the page's rows
        # are read by id with their break and service (stafett.lib.paging).
        ids = [pk for (pk,) in _OPEN_IDS.rows(user=actor.user.pk, municipality=actor.municipality.pk)]
        page = page_by_ids(ids, page_number, PAGE_SIZE, _shown)
        notifications = page.object_list
        concern_ids = {n.brk.concern_id for n in notifications if n.brk.concern_id}
        relay_ids = {n.brk.relay_id for n in notifications if n.brk.relay_id}
        gone_ids = {n.brk.relay_id for n in notifications if n.brk.rule == Rule.HOLDER_GONE}
        # The child's name and id are on the worry and the relay: their
        # child's row is not joined.
        concerns = {c.pk: c for c in visible_concerns_among(actor, concern_ids)}
        relays = {r.pk: r for r in visible_relays_among(actor, relay_ids)}
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
