"""Detach an old month of the audit trail for archive storage (PostgreSQL),
leaving a checkpoint per municipality so the live chain still verifies
from where the archive ends (docs/audit.md)."""

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from .log import verify_chain
from .models import AuditCheckpoint
from .partitions import TABLE, list_partitions


class ArchiveError(Exception):
    pass


def detach(partition: str) -> list[AuditCheckpoint]:
    """Detach `partition` (e.g. audit_auditevent_p2025_01) from the live table,
    in one transaction with the checkpoints of the municipalities it holds.
    Refused unless every row in it is sealed and every chain it touches
    verifies. The detached table stays in the database until it is dumped and
    dropped by hand."""
    if partition not in {name for name, _bounds in list_partitions()} or \
            partition == f"{TABLE}_default":
        raise ArchiveError(f"{partition} is not a monthly partition of {TABLE}")
    with scopes_disabled(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{partition}" WHERE seq IS NULL')
        if cursor.fetchone()[0]:
            raise ArchiveError(f"{partition} has rows not sealed yet; run seal_audit first")
        cursor.execute(f'SELECT DISTINCT municipality_id FROM "{partition}" ORDER BY 1')
        municipalities = [row[0] for row in cursor.fetchall()]
        for m in municipalities:
            broken = verify_chain(m)
            if broken:
                raise ArchiveError(f"municipality id {m}: the chain does not verify: {broken}")
        checkpoints = [_checkpoint(cursor, partition, m) for m in municipalities]
        cursor.execute(f'ALTER TABLE {TABLE} DETACH PARTITION "{partition}"')
        AuditCheckpoint.objects.bulk_create(checkpoints)
    return checkpoints


def _checkpoint(cursor, partition: str, municipality_id: int) -> AuditCheckpoint:
    """The live chain starts after `through_seq`: one less than the smallest
    seq left in the live table (or everything, if nothing is left). Archived
    rows sealed after it (earlier months' ones still listed included) go in
    `archived`."""
    before = (AuditCheckpoint.objects.filter(municipality_id=municipality_id)
              .order_by("-through_seq").first())
    known = {int(seq): h for seq, h in (before.archived if before else {}).items()}
    if before:
        known[before.through_seq] = before.through_hash
    cursor.execute(f'SELECT seq, hash FROM "{partition}" WHERE municipality_id = %s',
                   [municipality_id])
    gone = dict(cursor.fetchall())
    cursor.execute(
        f"SELECT min(seq) FROM {TABLE} WHERE municipality_id = %s AND seq IS NOT NULL "
        f"AND tableoid <> %s::regclass", [municipality_id, partition])
    first_live = cursor.fetchone()[0]
    archived = {**known, **gone}
    through = first_live - 1 if first_live is not None else max(archived)
    return AuditCheckpoint(
        municipality_id=municipality_id, partition=partition, through_seq=through,
        through_hash=archived.get(through, ""),
        archived={str(seq): h for seq, h in archived.items() if seq > through},
        detached_at=timezone.now(),
    )
