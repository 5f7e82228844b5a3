import datetime as dt
import functools
import json

from django.db import connections, router
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.lib.prepared import preparing_cursor

from .models import AuditChain, AuditCheckpoint, AuditEvent, content_of, row_mac


def record(actor, action: str, case, *, legal_basis: str, child_id: int | None = None,
           item=None, service_id: int | None = None) -> int:
    """Append one event for `actor` doing `action` on `case` (or on `item`, a
    part of it such as a comment). `service_id`: the service the actor acted
    for, shown in the family's access log.

    Must run inside the transaction of the action it records, so the event and
    the change commit or roll back together. Returns the row's id.
    """
    return record_many(actor, action, [(case, child_id, item)], legal_basis=legal_basis,
                       service_id=service_id)[0]


# The columns a writer fills; the seal columns stay null for the sealer. The
# first five are the same for every row of one `record_many`.
_CONSTANT = ("municipality", "at", "actor", "action", "legal_basis")
_PER_ROW = ("object_type", "object_id", "item_type", "item_id", "child_id", "service", "row_hash")
_WRITTEN = (*_CONSTANT, *_PER_ROW)


@functools.cache
def _insert_sql(alias: str) -> str:
    """The one INSERT of a `record_many`, written once per database. On
    PostgreSQL the constant columns are parameters of their own and the rows
    one JSON document (json_to_recordset), so the statement is the same for
    any number of rows and psycopg adapts six values, not one per cell (300
    for a list page's 25 rows: 0.8 ms of the write); on SQLite a tuple per
    row goes into its VALUES."""
    connection = connections[alias]
    fields = [AuditEvent._meta.get_field(name) for name in _WRITTEN]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    pk = connection.ops.quote_name(AuditEvent._meta.pk.column)
    if connection.vendor == "postgresql":
        constant = ", ".join(f"(%s)::{f.db_type(connection)}" for f in fields[:len(_CONSTANT)])
        per_row = ", ".join(f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}"
                            for f in fields[len(_CONSTANT):])
        return (f"INSERT INTO {table} ({columns}) SELECT {constant}, r.* "
                f"FROM json_to_recordset(%s) AS r({per_row}) RETURNING {pk}")
    return f"INSERT INTO {table} ({columns}) VALUES {{values}} RETURNING {pk}"


# Rows per INSERT on SQLite, far below its limit of 32 766 parameters.
_SQLITE_BATCH = 1000


def record_many(actor, action: str, items, *, legal_basis: str,
                service_id: int | None = None) -> list[int]:
    """Append one event per (case, child id, item or None[, service id]) in
    `items` with one INSERT (a list page audits every row it shows without
    N+1); a row's own service id overrides `service_id`. Returns their ids.

    No lock is taken: each row carries the HMAC of its content, and the
    sealer chains it within seconds (stafett.audit.sealer, docs/audit.md), so
    writers in one municipality never wait for each other. The rows are
    plain values written by a statement made once (`_insert_sql`), not model
    instances through bulk_create: on a list page that was 2.5 ms of the
    audit's cost, against the issue's 1 ms for the whole write.
    """
    items = list(items)
    if not items:
        return []
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise RuntimeError("audit records must be written inside the action's transaction")
    municipality_id = items[0][0].municipality_id
    now = timezone.now()
    at = now.astimezone(dt.UTC).isoformat()
    stored_at = connection.ops.adapt_datetimefield_value(now)
    actor_id = getattr(actor.user, "pk", None)
    mac = row_mac()
    constant = (municipality_id, stored_at, actor_id, action, legal_basis)
    rows = []
    for obj, child_id, item, *own_service in items:
        if obj.municipality_id != municipality_id:
            raise ValueError("one call audits one municipality")
        object_type, object_id = obj._meta.model_name, obj.pk
        item_type, item_id = (item._meta.model_name, item.pk) if item is not None else ("", None)
        service = own_service[0] if own_service else service_id
        row_hash = mac.copy()
        row_hash.update(content_of(municipality_id, at, actor_id, action, object_type, object_id,
                                   item_type, item_id, child_id, service, legal_basis).encode())
        rows.append((object_type, object_id, item_type, item_id, child_id, service,
                     row_hash.hexdigest()))
    ids = []
    # The INSERT is the same statement for any rows (on PostgreSQL): prepared
    # once per connection, it is not parsed and planned again on every page.
    with preparing_cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            columns = [AuditEvent._meta.get_field(name).column for name in _PER_ROW]
            document = json.dumps([dict(zip(columns, row, strict=True)) for row in rows],
                                  separators=(",", ":"))
            cursor.execute(_insert_sql(alias), [*constant, document])
            ids.extend(pk for pk, in cursor.fetchall())
        else:
            one = f"({', '.join(['%s'] * len(_WRITTEN))})"
            for start in range(0, len(rows), _SQLITE_BATCH):
                batch = rows[start:start + _SQLITE_BATCH]
                cursor.execute(_insert_sql(alias).format(values=", ".join([one] * len(batch))),
                               [value for row in batch for value in (*constant, *row)])
                ids.extend(pk for pk, in cursor.fetchall())
    return ids


def verify_chain(municipality_id: int, batch: int = 5000):
    """Return None if the municipality's trail is intact, else (event id, seq,
    reason) of the first broken or missing row: first along the sealed chain
    (seq from 1, each link and each row's HMAC; a seq seen twice or skipped
    is named too, since a partitioned table cannot enforce it unique), then
    the chain head, then the rows not sealed yet (seq None), whose content
    must still match their HMAC. Streams in batches."""
    with scopes_disabled():
        return _verify(municipality_id, batch)


def _verify(municipality_id: int, batch: int):
    # After a detach (stafett.audit.archive) the live chain starts at the
    # newest checkpoint and steps over the archived rows sealed after it.
    checkpoints = list(AuditCheckpoint.objects.filter(municipality_id=municipality_id)
                       .order_by("through_seq"))
    archived = {int(seq): h for c in checkpoints for seq, h in c.archived.items()}
    start = checkpoints[-1] if checkpoints else None
    expected_seq = start.through_seq + 1 if start else 1
    expected_prev = start.through_hash if start else ""
    last_seq, last_id = expected_seq - 1, 0
    rows = AuditEvent.objects.filter(municipality_id=municipality_id)
    while True:
        # Keyset on (seq, id), so a repeated seq on a page boundary is seen too.
        after = Q(seq__gt=last_seq) | Q(seq=last_seq, pk__gt=last_id)
        page = list(rows.filter(after, seq__gte=last_seq).order_by("seq", "id")[:batch])
        if not page:
            break
        for event in page:
            while expected_seq in archived and event.seq != expected_seq:
                expected_prev, expected_seq = archived[expected_seq], expected_seq + 1
            if event.seq != expected_seq:
                reason = (f"seq {event.seq} appears twice" if event.seq < expected_seq
                          else f"expected seq {expected_seq}: a sealed row is missing")
                return (event.pk, event.seq, reason)
            if event.prev_hash != expected_prev:
                return (event.pk, event.seq, "link to the previous row is broken")
            if event.row_hash is None:
                if event.compute_legacy_hash() != event.hash:
                    return (event.pk, event.seq, "row content does not match its hash")
            elif event.compute_row_hash() != event.row_hash:
                return (event.pk, event.seq, "row content does not match its hash")
            elif event.compute_seal() != event.hash:
                return (event.pk, event.seq, "the row's seal does not match")
            expected_prev = event.hash
            expected_seq += 1
            last_seq, last_id = event.seq, event.pk
    while expected_seq in archived:
        expected_prev, expected_seq = archived[expected_seq], expected_seq + 1
    head = AuditChain.objects.filter(municipality_id=municipality_id).first()
    if head and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return (None, expected_seq, "sealed rows after this one are missing")
    last_id = 0
    while True:
        page = list(rows.filter(seq__isnull=True, pk__gt=last_id).order_by("pk")[:batch])
        if not page:
            return None
        for event in page:
            if (event.prev_hash is not None or event.hash is not None
                    or event.row_hash != event.compute_row_hash()):
                return (event.pk, None, "row content does not match its hash (not sealed yet)")
            last_id = event.pk
