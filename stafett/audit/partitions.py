"""Monthly partitions of the audit table on PostgreSQL (docs/audit.md).

The table is RANGE-partitioned on `at`, one partition per calendar month in
UTC (audit_auditevent_pYYYY_MM), plus a DEFAULT partition that should stay
empty: the sealer's loop (and the periodic task) creates the coming months
ahead of time, so no row ever lands there. SQLite keeps a plain table and
everything here does nothing on it.
"""

import datetime as dt

from django.db import connection as default_connection
from django.utils import timezone

TABLE = "audit_auditevent"
MONTHS_AHEAD = 3


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def no_truncate_sql(partition: str) -> str:
    """TRUNCATE of one partition bypasses the parent's statement trigger."""
    return (f'CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON "{partition}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()")


def is_partitioned(connection=default_connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = %s AND pg_table_is_visible(c.oid)", [TABLE])
        return cursor.fetchone() is not None


def ensure_partitions(since: dt.date | None = None, months_ahead: int = MONTHS_AHEAD,
                      connection=default_connection) -> list[str]:
    """Create the monthly partitions from `since` (default: this month) to
    `months_ahead` months after this one; return the names created."""
    if not is_partitioned(connection):
        return []
    today = timezone.now().astimezone(dt.UTC).date()
    month = month_start(since or today)
    last = month_start(today)
    for _ in range(months_ahead):
        last = next_month(last)
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s", [TABLE])
        existing = {row[0] for row in cursor.fetchall()}
        while month <= last:
            name = partition_name(month)
            if name not in existing:
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {TABLE} '
                    f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') "
                    f"TO ('{next_month(month).isoformat()} 00:00+00')"
                )
                cursor.execute(no_truncate_sql(name))
                created.append(name)
            month = next_month(month)
    return created


def list_partitions(connection=default_connection) -> list[tuple[str, str]]:
    """(name, bounds) of every partition, oldest first."""
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s ORDER BY c.relname", [TABLE])
        return cursor.fetchall()
