"""The leadership view's aggregates, computed in the database.

A fixed number of GROUP BY queries, whatever the data size, reads the whole
municipality's counts for the longest period once, split into disjoint pieces
("atoms": per service and month or period band, and level). Every table that
any reader may see — the coordinator's (all services) and each leader's (the
services they lead), for every period offered — is then built from those
pieces, and all of them go through `suppression.suppress_all` together: the
same number is hidden alike wherever it appears, and no combination of tables
(two readers comparing, or one reader's several periods) narrows a hidden
count. That is the only way counts leave this module. Nothing here selects a
name, a national id or any free text: only service ids, levels, months,
statuses and timestamps are read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.concerns.models import Concern
from stafett.relay.models import Consent, LevelChange, Relay
from stafett.relay.policy import consents_in_force
from stafett.tenancy.models import Service

from .policy import reader_scopes
from .suppression import SafeTable, Table, suppress_all

PERIODS = (3, 6, 12, 24)
DEFAULT_PERIOD = 12
LEVELS = (0, 1, 2, 3)
OUTCOME_LEVEL = {"level1": 1, "level2": 2, "level3": 3}
TARGETS = (1, 2, 3, "closed")


@dataclass
class Scope:
    municipality: object
    service_ids: frozenset[int]
    months: int
    now: dt.datetime

    @property
    def start(self) -> dt.datetime:
        local = timezone.localtime(self.now)
        year, month = local.year, local.month - (self.months - 1)
        while month < 1:
            month += 12
            year -= 1
        return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)

    def month_starts(self) -> list[dt.date]:
        first = self.start.date()
        out = []
        year, month = first.year, first.month
        for _i in range(self.months):
            out.append(dt.date(year, month, 1))
            month += 1
            if month > 12:
                month, year = 1, year + 1
        return out


def level_label(level: int) -> str:
    return _("Level 0 (worry)") if level == 0 else _("Level %(level)s") % {"level": level}


def _as_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dt.date(value.year, value.month, 1)
    return dt.date(value.year, value.month, 1)


def _band(field_name: str, starts: list[dt.datetime]):
    """Which period band a timestamp falls in: 0 for the shortest period, 1
    for the part of the next one before it, and so on."""
    return Case(*(When(**{f"{field_name}__gte": start}, then=Value(b)) for b, start in enumerate(starts)),
                default=Value(len(starts)), output_field=IntegerField())


@dataclass
class Counts:
    """The municipality's counts in disjoint pieces, read once per request."""

    services: list[tuple[int, str]]
    months: list[dt.date]  # the longest period's months, oldest first
    started: dict = field(default_factory=lambda: defaultdict(int))  # (sid, month, level)
    flows: dict = field(default_factory=lambda: defaultdict(int))  # (sid, band, from, to)
    stays: dict = field(default_factory=lambda: defaultdict(list))  # (sid, band, level) -> [(days, n)]
    breaks: dict | None = None  # (sid, rule code)
    break_labels: dict = field(default_factory=dict)  # rule code -> label
    coverage: dict = field(default_factory=lambda: defaultdict(int))  # (sid, covered)
    named: dict = field(default_factory=lambda: defaultdict(int))  # (holder sid, named sid)


def _read(municipality, now) -> Counts:
    longest = Scope(municipality, frozenset(), max(PERIODS), now)
    starts = [Scope(municipality, frozenset(), p, now).start for p in PERIODS]
    counts = Counts(
        services=list(Service.objects.filter(municipality=municipality)
                      .order_by("name").values_list("pk", "name")),
        months=longest.month_starts(),
    )
    concerns = Concern.objects.filter(municipality=municipality)
    relays = Relay.objects.filter(municipality=municipality)
    for sid, month, n in (
        concerns.filter(created_at__gte=starts[-1]).annotate(m=TruncMonth("created_at"))
        .values_list("service_id", "m").annotate(n=Count("pk")).order_by()
    ):
        counts.started[sid, _as_month(month), 0] += n
    for sid, month, level, n in (
        relays.filter(created_at__gte=starts[-1]).annotate(m=TruncMonth("created_at"))
        .values_list("holder_service_id", "m", "level").annotate(n=Count("pk")).order_by()
    ):
        counts.started[sid, _as_month(month), level] += n
    # Flows: decisions on worries, level changes, closings, by period band.
    for sid, band, outcome, n in (
        concerns.filter(decided_at__gte=starts[-1]).exclude(outcome="")
        .annotate(b=_band("decided_at", starts))
        .values_list("service_id", "b", "outcome").annotate(n=Count("pk")).order_by()
    ):
        counts.flows[sid, band, 0, OUTCOME_LEVEL.get(outcome, "closed")] += n
    for sid, band, src, dst, n in (
        LevelChange.objects.filter(municipality=municipality, decided_at__gte=starts[-1])
        .annotate(b=_band("decided_at", starts))
        .values_list("relay__holder_service_id", "b", "from_level", "to_level")
        .annotate(n=Count("pk")).order_by()
    ):
        counts.flows[sid, band, src, dst] += n
    for sid, band, level, n in (
        relays.filter(status=Relay.Status.CLOSED, closed_at__gte=starts[-1])
        .annotate(b=_band("closed_at", starts))
        .values_list("holder_service_id", "b", "level").annotate(n=Count("pk")).order_by()
    ):
        counts.flows[sid, band, level, "closed"] += n
    _read_stays(municipality, starts, counts)
    counts.breaks = _read_breaks(municipality)
    if counts.breaks:
        counts.break_labels = _break_labels(sorted({code for _s, code in counts.breaks}))
    today = timezone.localdate(now)
    for sid, covered, n in (
        relays.filter(status=Relay.Status.OPEN).annotate(covered=Exists(_in_force(today)))
        .values_list("holder_service_id", "covered").annotate(n=Count("pk")).order_by()
    ):
        counts.coverage[sid, bool(covered)] += n
    for holder, named, n in (
        Consent.services.through.objects.filter(
            consent__in=consents_in_force(today).filter(given_on__lte=today),
            consent__municipality=municipality, consent__relay__status=Relay.Status.OPEN,
        ).values_list("consent__relay__holder_service_id", "service_id")
        .annotate(n=Count("consent__relay", distinct=True)).order_by()
    ):
        counts.named[holder, named] += n
    return counts


def _days_sql() -> str:
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM (ended - started)) / 86400)"
    return "CAST(julianday(ended) - julianday(started) AS INTEGER)"


def _read_stays(municipality, starts, counts: Counts) -> None:
    """Days spent on each level, over the stays that ended in the longest
    period: level 0 from the worry's creation to its decision; levels 1–3 from
    the relay's start or a level change to the next level change or the
    closing. One query: the stays come from a window over the level changes,
    grouped by service, band, level and whole days in the database. A stay
    ends exactly when a flow (decision, level change, closing) happens, so
    the number of stays is the flows table's row total.
    """
    r, lc, c = Relay._meta.db_table, LevelChange._meta.db_table, Concern._meta.db_table
    band = " ".join(f"WHEN ended >= %s THEN {b}" for b in range(len(starts)))
    sql = f"""
    WITH changes AS (
        SELECT x.relay_id, x.from_level, x.decided_at,
               LAG(x.decided_at) OVER (PARTITION BY x.relay_id ORDER BY x.decided_at, x.id) AS prev_at
        FROM {lc} x WHERE x.municipality_id = %s
    ), stays AS (
        SELECT rr.holder_service_id AS sid, ch.from_level AS level,
               COALESCE(ch.prev_at, rr.created_at) AS started, ch.decided_at AS ended
        FROM changes ch JOIN {r} rr ON rr.id = ch.relay_id
        UNION ALL
        SELECT rr.holder_service_id, rr.level, COALESCE(
                   (SELECT MAX(y.decided_at) FROM {lc} y WHERE y.relay_id = rr.id), rr.created_at),
               rr.closed_at
        FROM {r} rr
        WHERE rr.municipality_id = %s AND rr.status = 'closed' AND rr.closed_at IS NOT NULL
        UNION ALL
        SELECT cc.service_id, 0, cc.created_at, cc.decided_at
        FROM {c} cc
        WHERE cc.municipality_id = %s AND cc.decided_at IS NOT NULL AND cc.outcome <> ''
    )
    SELECT sid, level, CASE {band} ELSE {len(starts)} END AS band, {_days_sql()} AS days, COUNT(*)
    FROM stays WHERE ended >= %s
    GROUP BY sid, level, CASE {band} ELSE {len(starts)} END, {_days_sql()}
    """
    adapt = connection.ops.adapt_datetimefield_value
    bands = [adapt(s) for s in starts]
    mid = municipality.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [mid, mid, mid, *bands, adapt(starts[-1]), *bands])
        for sid, level, b, days, n in cursor.fetchall():
            counts.stays[sid, int(b), int(level)].append((max(int(days), 0), int(n)))


def _median(pairs: list[tuple[int, int]], total: int) -> float | None:
    if not total:
        return None
    lo_rank, hi_rank = (total - 1) // 2, total // 2
    seen, lo = 0, None
    for days, n in pairs:
        if lo is None and seen + n > lo_rank:
            lo = days
        if seen + n > hi_rank:
            return (lo + days) / 2
        seen += n
    return None


def _break_model():
    try:
        return apps.get_model("followup", "Break")
    except LookupError:
        return None


def _read_breaks(municipality) -> dict | None:
    """Open follow-up breaks per service and kind of rule, keyed by the rule's
    code (labels are in the reader's language, and the suppression must not
    depend on it); None until the follow-up app exists."""
    Break = _break_model()  # noqa: N806
    if Break is None:
        return None
    rule_field = Break._meta.get_field("rule")
    base = Break.objects.filter(municipality=municipality, mended_at__isnull=True)
    counts = defaultdict(int)
    if rule_field.is_relation:
        for sid, rid, n in base.values_list("service_id", "rule_id").annotate(n=Count("pk")).order_by():
            counts[sid, str(rid)] += n
    else:
        for sid, rule, n in base.values_list("service_id", "rule").annotate(n=Count("pk")).order_by():
            counts[sid, str(rule)] += n
    return counts


def _break_labels(codes) -> dict[str, str]:
    Break = _break_model()  # noqa: N806
    rule_field = Break._meta.get_field("rule")
    if rule_field.is_relation:
        related = rule_field.related_model
        labels = {str(obj.pk): _rule_label(obj) for obj in related._base_manager.filter(pk__in=codes)}
    else:
        choices = dict(rule_field.flatchoices) if rule_field.choices else {}
        labels = {code: str(choices.get(code, code)) for code in codes}
    return {code: labels.get(code, code) for code in codes}


def _rule_label(rule) -> str:
    for attr in ("get_kind_display", "get_code_display", "label", "name", "kind", "code", "key"):
        value = getattr(rule, attr, None)
        if value:
            return str(value() if callable(value) else value)
    return str(rule)


def _in_force(today: dt.date):
    """The relay's consent in force (relay/policy.py: the newest, not
    withdrawn, not expired), given by today."""
    return consents_in_force(today).filter(relay=OuterRef("pk"), given_on__lte=today)


# --- The tables of one reader and period, built from the pieces ----------------


def _cells(counts: dict, atom_sets) -> tuple[list[int], list[frozenset]]:
    values = [sum(counts.get(a[1:], 0) for a in atoms) for atoms in atom_sets]
    return values, list(atom_sets)


def _table(rows_spec, counts, **kw) -> Table:
    """`rows_spec`: [(label, [atom set per column])]; values are the atoms' sums."""
    rows, atoms = [], []
    for label, cells in rows_spec:
        values, sets = _cells(counts, [frozenset(c) for c in cells])
        rows.append((label, values))
        atoms.append(sets)
    return Table(rows=rows, atoms=atoms, **kw)


def started_by_service(c: Counts, services, months) -> Table:
    """Worries (level 0) and relays (their current level) started in the period."""
    return _table(
        [(name, [{("st", sid, m, lv) for m in months} for lv in LEVELS]) for sid, name in services],
        c.started, key="started_by_service",
        title=_("Worries and relays started in the period, by service and level"),
        row_header=_("Service"), columns=[level_label(lv) for lv in LEVELS],
        total_label=_("Total"),
        note=_("Relays are counted at the level they are on now, by the holder's service."),
    )


def started_by_month(c: Counts, services, months) -> Table:
    return _table(
        [(m.strftime("%Y-%m"), [{("st", sid, m, lv) for sid, _n in services} for lv in LEVELS])
         for m in months],
        c.started, key="started_by_month",
        title=_("Worries and relays started, by month and level"),
        row_header=_("Month"), columns=[level_label(lv) for lv in LEVELS],
        total_label=_("Total"),
    )


def _flow_atoms(services, bands, src, dst):
    return {("fl", sid, b, src, dst) for sid, _n in services for b in bands}


def flows(c: Counts, services, bands) -> Table:
    """Decisions in the period: from level 0 by the worry's decision, between
    levels by level changes, and closing at each level."""
    return _table(
        [(level_label(lv), [_flow_atoms(services, bands, lv, t) for t in TARGETS]) for lv in LEVELS],
        c.flows, key="flows", title=_("Flows between levels in the period"),
        row_header=_("From"),
        columns=[_("To level %(level)s") % {"level": t} for t in TARGETS[:3]] + [_("Closed")],
        total_label=_("Total"),
        note=_("Level 0: decisions on worries. Levels 1–3: level changes decided in meetings, and relays closed."),
    )


def time_on_levels(c: Counts, services, bands) -> Table:
    """Median days spent on each level, over the stays that ended in the
    period. The number of stays on a level is the flows table's row total
    (the same atoms), so the two tables hide it alike."""
    rows, atoms = [], []
    for level in LEVELS:
        cell = frozenset().union(*(_flow_atoms(services, bands, level, t) for t in TARGETS))
        pairs = defaultdict(int)
        for sid, _n in services:
            for b in bands:
                for days, n in c.stays.get((sid, b, level), ()):
                    pairs[days] += n
        histogram = sorted(pairs.items())
        total = sum(c.flows.get(a[1:], 0) for a in cell)
        rows.append((level_label(level), [total, _median(histogram, sum(n for _d, n in histogram))]))
        atoms.append([cell, None])
    return Table(
        key="time_on_levels", title=_("Time spent on each level"),
        row_header=_("Level"), columns=[_("Completed stays"), _("Median days")],
        rows=rows, atoms=atoms, totals=False, depends={1: 0},
        note=_("Stays that ended in the period. A median is shown only for 5 stays or more."),
    )


def open_breaks(c: Counts, services) -> Table | None:
    if c.breaks is None:
        return None
    ids = {sid for sid, _n in services}
    kinds = sorted({kind for (sid, kind), n in c.breaks.items() if sid in ids and n})
    labels = c.break_labels
    return _table(
        [(name, [{("br", sid, k)} for k in kinds]) for sid, name in services],
        c.breaks, key="open_breaks", title=_("Open follow-up breaks, by service and kind"),
        row_header=_("Service"), columns=[labels[k] for k in kinds], total_label=_("Total"),
    )


def consent_coverage(c: Counts, services) -> Table:
    """Open relays now, with and without a consent in force, by holder's service."""
    return _table(
        [(name, [{("cc", sid, True)}, {("cc", sid, False)}]) for sid, name in services],
        c.coverage, key="consent_coverage",
        title=_("Open relays with a consent in force, by service"),
        row_header=_("Service"), columns=[_("Consent in force"), _("No consent in force")],
        total_label=_("Open relays"),
    )


def services_covered(c: Counts, services) -> tuple[Table, list[frozenset]]:
    """Which services the consents in force of the open relays name; with the
    atom sets of the services left out because no consent names them."""
    rows, empty = [], []
    for tid, name in c.services:
        atoms = {("sc", sid, tid) for sid, _n in services}
        if sum(c.named.get(a[1:], 0) for a in atoms):
            rows.append((name, [atoms]))
        else:
            empty.append(frozenset(atoms))
    table = _table(
        rows, c.named, key="services_covered", title=_("Services covered by the consents in force"),
        row_header=_("Service named in the consent"), columns=[_("Open relays")],
        total_label=_("Total"),
        note=_("A relay counts once for every service its consents name, so the total counts pairs."),
    )
    return table, empty


def _relations(c: Counts):
    """What a reader knows besides the tables: a relay with a consent in force
    names at least one service, and is counted at most once per named service."""
    for sid, _n in c.services:
        covered = frozenset({("cc", sid, True)})
        named = [frozenset({("sc", sid, tid)}) for tid, _m in c.services]
        yield covered, frozenset().union(*named)
        for one in named:
            yield one, covered


def _tables(c: Counts, service_ids: frozenset[int], months: int):
    services = [(sid, name) for sid, name in c.services if sid in service_ids]
    month_list = c.months[-months:]
    bands = range(PERIODS.index(months) + 1)
    tables = [
        started_by_service(c, services, month_list),
        started_by_month(c, services, month_list),
        flows(c, services, bands),
        time_on_levels(c, services, bands),
    ]
    breaks = open_breaks(c, services)
    if breaks is not None:
        tables.append(breaks)
    covered, empty = services_covered(c, services)
    tables += [consent_coverage(c, services), covered]
    return tables, empty


@dataclass
class Dashboard:
    scope: Scope
    tables: list[SafeTable]
    breaks_available: bool

    def table(self, key) -> SafeTable | None:
        return next((t for t in self.tables if t.key == key), None)


def dashboard(municipality, service_ids, months: int = DEFAULT_PERIOD, now=None) -> Dashboard:
    """All aggregates for these services and period, suppressed together with
    every other reader's and period's."""
    if months not in PERIODS:
        raise ValueError(f"not a period the view offers: {months}")
    scope = Scope(municipality, frozenset(service_ids), months, now or timezone.now())
    counts = _read(municipality, scope.now)
    readers = sorted(reader_scopes(municipality) | {scope.service_ids}, key=sorted)
    tables, empty, mine = [], [], None
    for reader in readers:
        for period in PERIODS:
            built, zeros = _tables(counts, reader, period)
            if reader == scope.service_ids and period == months:
                mine = (len(tables), len(tables) + len(built))
            tables += built
            empty += zeros
    digest = hashlib.sha256(repr((
        municipality.pk, counts.services, counts.months, readers, counts.breaks is not None,
        *(sorted(d.items(), key=repr) for d in (counts.started, counts.flows, counts.breaks or {},
                                                   counts.coverage, counts.named)),
    )).encode()).hexdigest()
    safe = suppress_all(tables, relations=list(_relations(counts)), zeros=empty, cache_key=digest)
    return Dashboard(scope=scope, tables=safe[mine[0]:mine[1]],
                     breaks_available=counts.breaks is not None)
