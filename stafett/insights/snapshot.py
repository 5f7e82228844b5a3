"""The leadership view's figures, computed by the worker into a snapshot.

`refresh` reads a municipality's counts once (on the replica when there is
one), builds every reader's tables for every period exactly as
`aggregates.dashboard` does, suppresses them all together, and stores each
reader's tables per period and language as one row. The page then reads one
row and renders it, saying when the figures were counted.

A page finds no usable row when the municipality has no snapshot yet, when
the reader is new (a leader appointed since), when the month has turned (the
periods are other months now) or when the last refresh is older than
`MAX_AGE` (the worker is not running): it then computes the snapshot itself,
once, stores it, and shows it — a leader gets figures, not a promise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import zlib
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django_scopes import scope as tenant_scope
from django_scopes import scopes_disabled

from stafett.lib.replica import stale_reads_ok
from stafett.tenancy.models import Municipality

from . import aggregates
from .models import Snapshot, SnapshotView
from .policy import reader_scopes
from .suppression import Cell, SafeTable, Suppressor

logger = logging.getLogger(__name__)

# Older than this, a page computes the figures itself instead of showing them:
# the periodic refresh (run_followup, typically every 15 minutes) has stopped.
MAX_AGE = dt.timedelta(hours=1)
# The periodic refresh leaves a municipality alone whose figures are younger
# than this, however often the loop runs: a city's refresh costs tens of
# seconds of a worker, and the country's about a worker's fifth (docs/scaling.md).
REFRESH_EVERY = dt.timedelta(minutes=15)


def languages() -> list[str]:
    return [code for code, _name in settings.STAFF_LANGUAGES]


def reader_key(service_ids) -> str:
    return hashlib.sha256(",".join(str(s) for s in sorted(service_ids)).encode()).hexdigest()[:40]


def _encode(tables: list[SafeTable], counts: aggregates.Counts) -> dict:
    return {
        "breaks_available": counts.breaks is not None,
        "idle_days": counts.idle_days,
        "tables": [
            {"key": t.key, "title": t.title, "row_header": t.row_header, "columns": list(t.columns),
             "totals": t.totals, "note": t.note,
             "rows": [[label, [[c.text, c.value, c.hidden] for c in cells]] for label, cells in t.rows]}
            for t in tables
        ],
    }


def _decode(payload: dict, scope: aggregates.Scope, computed_at) -> aggregates.Dashboard:
    tables = [
        SafeTable(key=t["key"], title=t["title"], row_header=t["row_header"], columns=t["columns"],
                  totals=t["totals"], note=t["note"],
                  rows=[(label, [Cell(text, value, hidden) for text, value, hidden in cells])
                        for label, cells in t["rows"]])
        for t in payload["tables"]
    ]
    return aggregates.Dashboard(scope=scope, tables=tables, breaks_available=payload["breaks_available"],
                                idle_days=payload["idle_days"], computed_at=computed_at)


class Row(NamedTuple):
    """One SnapshotView not yet stored, its payload kept as compressed JSON: a
    city's 700-odd payloads take under 1 MB so, some 8 MB as JSON text and ten
    times that as Python lists."""

    reader: str
    months: int
    language: str
    packed: bytes

    @property
    def payload(self) -> dict:
        return json.loads(zlib.decompress(self.packed))


def compute(municipality, now=None, extra_readers=()) -> tuple[dt.datetime, list[Row]]:
    """Every reader's tables for every period and language, not yet stored.
    Reads only (on the replica when one is configured). The suppression is
    decided once, in the first language; the others reuse the decision."""
    now = now or timezone.now()
    with stale_reads_ok():
        counts = aggregates._read(municipality, now)
        readers = reader_scopes(municipality) | {frozenset(r) for r in extra_readers}
    rows, decision = [], None
    for language in languages():
        with translation.override(language):
            suppressor = Suppressor(decision)
            for (reader, months), tables in aggregates.publish(municipality, counts, readers, suppressor):
                text = json.dumps(_encode(tables, counts), separators=(",", ":"), ensure_ascii=False)
                rows.append(Row(reader_key(reader), months, language, zlib.compress(text.encode(), 1)))
            decision = suppressor.decision
    return now, rows


def store(municipality, computed_at, rows: list[Row]) -> bool:
    """Replace the municipality's snapshot by this one, in one short
    transaction (writes only). A newer snapshot already stored wins: False."""
    with transaction.atomic():
        head, created = Snapshot.objects.select_for_update().get_or_create(
            municipality=municipality, defaults={"computed_at": computed_at})
        if not created and head.computed_at > computed_at:
            return False
        SnapshotView.objects.filter(snapshot=head).delete()
        # A batch at a time, so that only one batch's payloads are ever unpacked.
        for start in range(0, len(rows), _BATCH):
            SnapshotView.objects.bulk_create([
                SnapshotView(snapshot=head, municipality=municipality, reader=row.reader, months=row.months,
                             language=row.language, computed_at=computed_at, payload=row.payload)
                for row in rows[start:start + _BATCH]])
        if not created:
            head.computed_at = computed_at
            head.save(update_fields=["computed_at"])
    return True


# Each payload unpacked is some 100 KB of Python lists in a city.
_BATCH = 50


def refresh(municipality, now=None, extra_readers=()) -> tuple[dt.datetime, list[Row]]:
    computed_at, rows = compute(municipality, now, extra_readers)
    store(municipality, computed_at, rows)
    return computed_at, rows


def refresh_all(only=None, now=None, *, skip_fresh: bool = True) -> dict:
    """The periodic refresh: each municipality in turn, each in its own short
    write transaction after its reads, so no transaction spans a city's work.
    With `skip_fresh` (the periodic task), a municipality refreshed less than
    REFRESH_EVERY ago is left as it is."""
    now = now or timezone.now()
    with scopes_disabled():
        municipalities = Municipality.objects.order_by("pk")
        if only is not None:
            municipalities = municipalities.filter(pk__in=only)
        if skip_fresh:
            recent = Snapshot.objects.filter(municipality=OuterRef("pk"),
                                             computed_at__gt=now - REFRESH_EVERY)
            municipalities = municipalities.exclude(Exists(recent))
        municipalities = list(municipalities)
    done, failed = 0, []
    for municipality in municipalities:
        try:
            with tenant_scope(municipality=municipality):
                refresh(municipality)
        except Exception:  # one municipality's trouble must not stop the others' figures
            logger.exception("leadership view: refreshing municipality %s failed", municipality.number)
            failed.append(municipality.number)
            continue
        done += 1
    return {"municipalities": done, "failed": failed} if failed else {"municipalities": done}


def _usable(computed_at, now) -> bool:
    if now - computed_at > MAX_AGE or computed_at > now + dt.timedelta(minutes=5):
        return False
    then, today = timezone.localtime(computed_at), timezone.localtime(now)
    return (then.year, then.month) == (today.year, today.month)


def _language() -> str:
    """The snapshot language of this request: its own, or the default."""
    language = translation.get_language()
    if language not in languages():
        language = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in languages() else languages()[0]
    return language


def _stored(municipality, service_ids: frozenset, months: int):
    """The reader's row for this period in this request's language, as a
    queryset, and its key (reader, language). Read on the primary: a replica
    a few seconds behind would not yet have the snapshot a page's own count
    just stored, and the next page would count again."""
    if months not in aggregates.PERIODS:
        raise ValueError(f"not a period the view offers: {months}")
    reader, language = reader_key(service_ids), _language()
    return (SnapshotView.objects.filter(municipality=municipality, reader=reader, months=months,
                                        language=language), reader, language)


def dashboard(municipality, service_ids, months: int = aggregates.DEFAULT_PERIOD, now=None) -> aggregates.Dashboard:
    """What the page shows: this reader's tables for this period from the
    snapshot (one query); computed and stored first when there is no usable one."""
    now = now or timezone.now()
    service_ids = frozenset(service_ids)
    stored, key, language = _stored(municipality, service_ids, months)
    row = stored.values_list("computed_at", "payload").first()
    if row is not None and _usable(row[0], now):
        computed_at, payload = row
    else:
        computed_at, rows = refresh(municipality, now, extra_readers=[service_ids])
        payload = next(r.payload for r in rows if (r.reader, r.months, r.language) == (key, months, language))
    scope = aggregates.Scope(municipality, service_ids, months, computed_at)
    return _decode(payload, scope, computed_at)


# Pages made from a snapshot, per process: (municipality, reader, period,
# language, when it was counted, and what else the page depends on) -> HTML.
# A snapshot row never changes once stored (a refresh stores a new time), so
# an entry is never stale; the oldest go first.
_RENDERED: OrderedDict = OrderedDict()
_RENDERED_MAX = 32
_rendered_lock = threading.Lock()


def rendered(municipality, service_ids, months: int, render, *, depends_on=(), now=None) -> str:
    """`render(dashboard(municipality, service_ids, months))`, made once per
    process for each snapshot: a page whose snapshot has been rendered reads
    only the time it was counted (not its payload), and is not decoded and
    rendered again. `depends_on`: what else the HTML depends on (the
    reader's role, today's date)."""
    now = now or timezone.now()
    service_ids = frozenset(service_ids)
    stored, reader, language = _stored(municipality, service_ids, months)
    computed_at = stored.values_list("computed_at", flat=True).first()
    if computed_at is not None and _usable(computed_at, now):
        with _rendered_lock:
            html = _RENDERED.get((municipality.pk, reader, months, language, computed_at, *depends_on))
        if html is not None:
            return html
    data = dashboard(municipality, service_ids, months, now)
    html = render(data)
    with _rendered_lock:
        _RENDERED[(municipality.pk, reader, months, language, data.computed_at, *depends_on)] = html
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return html
