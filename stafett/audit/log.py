from django.db import transaction
from django.utils import timezone

from .models import AuditChain, AuditEvent


def record(actor, action: str, case, *, legal_basis: str, child_id: int | None = None,
           item=None, service_id: int | None = None):
    """Append one event for `actor` doing `action` on `case` (or on `item`, a
    part of it such as a comment). `service_id`: the service the actor acted
    for, shown in the family's access log.

    Must run inside the transaction of the action it records, so the event and
    the change commit or roll back together.
    """
    return record_many(actor, action, [(case, child_id, item)], legal_basis=legal_basis,
                       service_id=service_id)[0]


def record_many(actor, action: str, items, *, legal_basis: str,
                service_id: int | None = None) -> list[AuditEvent]:
    """Append one event per (case, child id, item or None[, service id]) in
    `items`, in a constant number of queries (a list page audits every row it
    shows without N+1); a row's own service id overrides `service_id`.

    The chain head is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite
    serialises writers anyway), which keeps `seq` gap-free and the hash chain
    linear under concurrency.
    """
    items = list(items)
    if not items:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit records must be written inside the action's transaction")
    municipality_id = items[0][0].municipality_id
    AuditChain.objects.get_or_create(municipality_id=municipality_id)
    chain = AuditChain.objects.select_for_update().get(municipality_id=municipality_id)
    now = timezone.now()
    events = []
    for obj, child_id, item, *own_service in items:
        if obj.municipality_id != municipality_id:
            raise ValueError("one call audits one municipality")
        event = AuditEvent(
            municipality_id=municipality_id,
            seq=chain.last_seq + 1,
            at=now,
            actor_id=getattr(actor.user, "pk", None),
            action=action,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            item_type=item._meta.model_name if item is not None else "",
            item_id=item.pk if item is not None else None,
            child_id=child_id,
            service_id=own_service[0] if own_service else service_id,
            legal_basis=legal_basis,
            prev_hash=chain.last_hash,
        )
        event.hash = event.compute_hash()
        chain.last_seq, chain.last_hash = event.seq, event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    chain.save(update_fields=["last_seq", "last_hash"])
    return events


def verify_chain(municipality_id: int, batch: int = 5000):
    """Return None if the chain is intact, else (event id, seq, reason) of the
    first broken link. Streams in batches so a long chain needs little memory."""
    expected_prev = ""
    expected_seq = 1
    last_seq = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(municipality_id=municipality_id, seq__gt=last_seq)
            .order_by("seq")[:batch]
        )
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return (event.pk, event.seq, f"expected seq {expected_seq}")
            if event.prev_hash != expected_prev:
                return (event.pk, event.seq, "link to the previous row is broken")
            if event.compute_hash() != event.hash:
                return (event.pk, event.seq, "row content does not match its hash")
            expected_prev = event.hash
            expected_seq += 1
            last_seq = event.seq
    head = AuditChain.objects.filter(municipality_id=municipality_id).first()
    if head and (head.last_seq != last_seq or head.last_hash != expected_prev):
        return (None, last_seq + 1, "rows after this one are missing")
    return None
