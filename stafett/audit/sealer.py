"""The sealer: chains the appended audit rows of each municipality, in the
order it finds them, within seconds of their commit (docs/audit.md).

Each batch is one short transaction: lock the municipality's chain head
with SKIP LOCKED (a second sealer passes the municipality by instead of
waiting, so two sealers never fork a chain), take the oldest unsealed rows
by id that are committed, give each the next `seq`, the previous link and
its seal, and move the head. A row that commits late (a long transaction's
row with a smaller id) is simply still unsealed on the next pass and gets
the next seq then: the chain order is the sealing order, and the work list
(every row whose seq is null, on a small partial index) skips nothing.
"""

from django.db import connection, transaction
from django_scopes import scopes_disabled

from .models import AuditChain, AuditEvent

BATCH = 2000


def seal(municipality_id: int | None = None, batch: int = BATCH) -> int:
    """Seal everything committed and unsealed (in one municipality, or all);
    return how many rows were sealed. Safe to run in several processes."""
    with scopes_disabled():
        if municipality_id is None:
            municipalities = sorted(set(
                AuditEvent.objects.filter(seq__isnull=True)
                .values_list("municipality_id", flat=True).distinct()
            ))
        else:
            municipalities = [municipality_id]
        total = 0
        for m in municipalities:
            while True:
                sealed = _seal_batch(m, batch)
                total += sealed or 0
                if not sealed or sealed < batch:
                    break
    return total


def _seal_batch(municipality_id: int, batch: int) -> int | None:
    """Seal up to `batch` rows; None when another sealer holds the chain."""
    if not AuditChain.objects.filter(municipality_id=municipality_id).exists():
        AuditChain.objects.get_or_create(municipality_id=municipality_id)
    with transaction.atomic():
        head = (AuditChain.objects.select_for_update(skip_locked=True)
                .filter(municipality_id=municipality_id).first())
        if head is None:
            return None
        rows = list(AuditEvent.objects.filter(municipality_id=municipality_id, seq__isnull=True)
                    .order_by("id")[:batch])
        if not rows:
            return 0
        seq, prev = head.last_seq, head.last_hash
        for event in rows:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event.compute_seal()
        _write_seals(rows)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return len(rows)


def _write_seals(rows: list[AuditEvent]) -> None:
    """One UPDATE for the batch; only rows still unsealed may change (the
    triggers refuse the rest), and every row must have changed."""
    if connection.vendor == "postgresql":
        # `at` lets each row be found in its own partition.
        row_sql = "(%s::bigint, %s::timestamptz, %s::bigint, %s::varchar, %s::varchar)"
        params = [v for e in rows for v in (e.pk, e.at, e.seq, e.prev_hash, e.hash)]
        values = f"(VALUES {', '.join([row_sql] * len(rows))}) AS v(id, at, seq, prev_hash, hash)"
        match = "e.id = v.id AND e.at = v.at"
    else:
        # SQLite names a VALUES list's columns column1, column2, …
        params = [v for e in rows for v in (e.pk, e.seq, e.prev_hash, e.hash)]
        values = ("(SELECT column1 AS id, column2 AS seq, column3 AS prev_hash, column4 AS hash "
                  f"FROM (VALUES {', '.join(['(%s, %s, %s, %s)'] * len(rows))})) AS v")
        match = "e.id = v.id"
    # Starts with UPDATE, so that SQLite reports the rows it changed.
    sql = ("UPDATE audit_auditevent AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
           f"FROM {values} WHERE {match} AND e.seq IS NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(rows):
            raise RuntimeError("audit rows changed under the sealer; nothing sealed")
