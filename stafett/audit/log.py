from django.db import transaction
from django.utils import timezone

from .models import AuditChain, AuditEvent


def record(actor, action: str, obj, *, legal_basis: str, child_id: int | None = None):
    """Append one event for `actor` doing `action` on `obj`.

    Must run inside the transaction of the action it records, so the event and
    the change commit or roll back together. The chain head is locked
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), which
    keeps `seq` gap-free and the hash chain linear under concurrency.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the action's transaction")
    municipality_id = obj.municipality_id
    chain, _ = AuditChain.objects.get_or_create(municipality_id=municipality_id)
    chain = AuditChain.objects.select_for_update().get(pk=chain.pk)
    event = AuditEvent(
        municipality_id=municipality_id,
        seq=chain.last_seq + 1,
        at=timezone.now(),
        actor_id=getattr(actor.user, "pk", None),
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        child_id=child_id,
        legal_basis=legal_basis,
        prev_hash=chain.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    chain.last_seq = event.seq
    chain.last_hash = event.hash
    chain.save(update_fields=["last_seq", "last_hash"])
    return event


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
