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
from django.db import connections, router
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stafett.concerns.models import Concern
from stafett.relay.models import Consent, LevelChange, Measure, Relay
from stafett.relay.policy import consents_in_force
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Service

from .policy import reader_scopes
from .suppression import SafeTable, Suppressor, Table

PERIODS = (3, 6, 12, 24)
DEFAULT_PERIOD = 12
LEVELS = (0, 1, 2, 3)
OUTCOME_LEVEL = {"level1": 1, "level2": 2, "level3": 3}
TARGETS = (1, 2, 3, "closed")
# Key figures are shown at the end of each of this many earlier months, and now.
TREND_MONTHS = 6
RELAY_LEVELS = (1, 2, 3)
# When the follow-up settings do not exist yet: the model's default.
DEFAULT_IDLE_DAYS = 14


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
    # Lifetimes over the trend's points (see `_lifetime`): c = the point
    # bucket the record began in, d = the one it ended in (POINTS: still open).
    points: list = field(default_factory=list)  # trend points, the last is now
    idle_days: int = DEFAULT_IDLE_DAYS
    worries: dict = field(default_factory=lambda: defaultdict(int))  # (sid, c, d, over)
    worry_days: dict = field(default_factory=lambda: defaultdict(int))  # (sid, days open) of open ones
    relays: dict = field(default_factory=lambda: defaultdict(int))  # (sid, c, d, level, covered)
    breaks_life: dict = field(default_factory=lambda: defaultdict(int))  # (sid, kind, c, d)
    reports: dict = field(default_factory=lambda: defaultdict(int))  # (sid, month)
    catalog: dict = field(default_factory=lambda: defaultdict(int))  # (sid, measure id, month, level)
    measures: list = field(default_factory=list)  # [(measure id, name)] used in the longest period
    memo: dict = field(default_factory=dict)  # atom sets built once per request


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
    _read_lifetimes(municipality, now, counts)
    if _break_model() is not None:
        counts.breaks = defaultdict(int)
        for (sid, kind, _c, d), n in counts.breaks_life.items():
            if d == len(counts.points):
                counts.breaks[sid, kind] += n
    today = timezone.localdate(now)
    for (sid, _c, d, _level, covered), n in counts.relays.items():
        if d == len(counts.points):  # open now
            counts.coverage[sid, bool(covered)] += n
    _read_reports_and_catalogue(municipality, starts[-1], counts)
    for holder, named, n in (
        Consent.services.through.objects.filter(
            consent__in=consents_in_force(today).filter(given_on__lte=today),
            consent__municipality=municipality, consent__relay__status=Relay.Status.OPEN,
        ).values_list("consent__relay__holder_service_id", "service_id")
        .annotate(n=Count("consent__relay", distinct=True)).order_by()
    ):
        counts.named[holder, named] += n
    return counts


def _days_sql(connection) -> str:
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM (ended - started)) / 86400)"
    return "CAST(julianday(ended) - julianday(started) AS INTEGER)"


def _read_stays(municipality, starts, counts: Counts) -> None:
    """Days spent on each level, over the stays that ended in the longest
    period: level 0 from the worry's creation to its decision; levels 1–3 from
    the relay's start or a level change to the next level change or the
    closing. One query: the stays come from a window over the level changes,
    grouped by service, band, level and whole days in the database (by
    position: with parameters bound by the server, a repeated expression's
    parameters are new ones, which PostgreSQL cannot match). A stay
    ends exactly when a flow (decision, level change, closing) happens, so
    the number of stays is the flows table's row total.
    """
    # The database the ORM reads from here (a replica inside stale_reads_ok()).
    connection = connections[router.db_for_read(Relay)]
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
    SELECT sid, level, CASE {band} ELSE {len(starts)} END AS band, {_days_sql(connection)} AS days, COUNT(*)
    FROM stays WHERE ended >= %s
    GROUP BY 1, 2, 3, 4
    """
    adapt = connection.ops.adapt_datetimefield_value
    bands = [adapt(s) for s in starts]
    mid = municipality.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [mid, mid, mid, *bands, adapt(starts[-1])])
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


def trend_points(now) -> list[dt.datetime]:
    """The starts of the last TREND_MONTHS months (each the end of the month
    before it), then now."""
    first = Scope(None, frozenset(), TREND_MONTHS, now).start
    out = []
    for k in range(TREND_MONTHS):
        month = first.month - 1 + k
        out.append(first.replace(year=first.year + month // 12, month=month % 12 + 1))
    return out + [now]


def _lifetime(model_qs, start, end, open_q, points):
    """(c, d) for each record: it began in point bucket c (c <= k: it existed
    at point k) and ended in bucket d (k < d: it had not ended at point k);
    d = len(points) while it is still open, d = c if it ended without a time.
    Open at point k exactly when c <= k < d."""
    n = len(points)
    c = Case(*(When(**{f"{start}__lt": p}, then=Value(k)) for k, p in enumerate(points)),
             default=Value(n - 1), output_field=IntegerField())
    d = Case(When(open_q, then=Value(n)),
             When(**{f"{end}__isnull": True}, then=Value(-1)),
             *(When(**{f"{end}__lte": p}, then=Value(k)) for k, p in enumerate(points)),
             default=Value(n - 1), output_field=IntegerField())
    return model_qs.filter(Q(open_q) | Q(**{f"{start}__gte": points[0]}) | Q(**{f"{end}__gt": points[0]})
                           ).annotate(c=c, d=d)


def _read_lifetimes(municipality, now, counts: Counts) -> None:
    """Worries, relays and follow-up breaks as lifetimes over the trend's
    points, one GROUP BY query each (plus one for the open worries' ages):
    every key figure at every point, and the started counts of the trend's
    months, are sums of these pieces."""
    points = counts.points = trend_points(now)
    settings = _settings_model()
    if settings is not None:
        conf = settings.objects.filter(municipality=municipality).values_list(
            "concern_idle_days", flat=True).first()
        counts.idle_days = conf or DEFAULT_IDLE_DAYS
    overdue = now - dt.timedelta(days=counts.idle_days)
    worries = _lifetime(Concern.objects.filter(municipality=municipality), "created_at", "decided_at",
                        Q(status=Concern.Status.OPEN), points)
    for sid, c, d, over, n in (
        worries.annotate(over=Case(When(status=Concern.Status.OPEN, created_at__lt=overdue, then=Value(1)),
                                   default=Value(0), output_field=IntegerField()))
        .values_list("service_id", "c", "d", "over").annotate(n=Count("pk")).order_by()
    ):
        d = max(c, d) if d >= 0 else c
        counts.worries[sid, c, d, bool(over) if d == len(points) else None] += n
    for sid, day, n in (
        Concern.objects.filter(municipality=municipality, status=Concern.Status.OPEN)
        .annotate(day=TruncDate("created_at")).values_list("service_id", "day")
        .annotate(n=Count("pk")).order_by()
    ):
        counts.worry_days[sid, max((timezone.localdate(now) - day).days, 0)] += n
    today = timezone.localdate(now)
    relays = _lifetime(Relay.objects.filter(municipality=municipality), "created_at", "closed_at",
                       Q(status=Relay.Status.OPEN), points)
    for sid, c, d, level, covered, n in (
        relays.annotate(covered=Exists(_in_force(today)))
        .values_list("holder_service_id", "c", "d", "level", "covered").annotate(n=Count("pk")).order_by()
    ):
        d = max(c, d) if d >= 0 else c
        counts.relays[sid, c, d, level, bool(covered) if d == len(points) else None] += n
    Break = _break_model()  # noqa: N806
    if Break is not None:
        breaks = _lifetime(Break.objects.filter(municipality=municipality), "opened_at", "mended_at",
                           Q(mended_at__isnull=True), points)
        for sid, rule, c, d, n in (
            breaks.values_list("service_id", "rule", "c", "d").annotate(n=Count("pk")).order_by()
        ):
            counts.breaks_life[sid, str(rule), c, max(c, d) if d >= 0 else c] += n


def _settings_model():
    try:
        return apps.get_model("followup", "FollowUpSettings")
    except LookupError:
        return None


def _read_reports_and_catalogue(municipality, since, counts: Counts) -> None:
    """Reports of concern sent, per month; and measures picked from the
    catalogue, per the relay's holder service, month and current level."""
    for sid, month, n in (
        ChildWelfareReport.objects.filter(municipality=municipality, sent_at__gte=since)
        .annotate(m=TruncMonth("sent_at")).values_list("service_id", "m")
        .annotate(n=Count("pk")).order_by()
    ):
        counts.reports[sid, _as_month(month)] += n
    used = {}
    for sid, mid, name, month, level, n in (
        Measure.objects.filter(municipality=municipality, catalog_measure__isnull=False,
                               created_at__gte=since)
        .annotate(m=TruncMonth("created_at"))
        .values_list("relay__holder_service_id", "catalog_measure_id", "catalog_measure__name",
                     "m", "relay__level")
        .annotate(n=Count("pk")).order_by()
    ):
        counts.catalog[sid, mid, _as_month(month), level] += n
        used[mid] = name
    # By name, then id: the order (and so the suppression) does not depend on the reader.
    counts.measures = sorted(used.items(), key=lambda item: (item[1], item[0]))


# --- The tables of one reader and period, built from the pieces ----------------
#
# Atom families (the first element names the dict of Counts it is read from):
#   st (sid, month, level)          started, months before the trend's window
#   ow (sid, c, d, over)            worries over the trend's points (over: open
#                                   now and waiting longer than the threshold)
#   or (sid, c, d, level, covered)  relays over the trend's points (covered:
#                                   open now with a consent in force)
#   bk (sid, kind, c, d)            follow-up breaks over the trend's points
#   fl, sc                          flows and services named by consents
#   rp (sid, month)                 reports of concern sent
#   cm (sid, measure, month, level) measures picked from the catalogue


def _family(c: Counts, family: str) -> dict:
    return {"st": c.started, "fl": c.flows, "sc": c.named, "ow": c.worries, "or": c.relays,
            "bk": c.breaks_life, "rp": c.reports, "cm": c.catalog}[family]


def _cells(c: Counts, atom_sets) -> tuple[list[int], list[frozenset]]:
    values = [sum(_family(c, a[0]).get(a[1:], 0) for a in atoms) for atoms in atom_sets]
    return values, list(atom_sets)


def _table(rows_spec, c: Counts, **kw) -> Table:
    """`rows_spec`: [(label, [atom set per column])]; values are the atoms' sums."""
    rows, atoms = [], []
    for label, cells in rows_spec:
        values, sets = _cells(c, [frozenset(x) for x in cells])
        rows.append((label, values))
        atoms.append(sets)
    return Table(rows=rows, atoms=atoms, **kw)


def _spans(n_points: int):
    """Every (c, d) a record read for the trend can have (see `_lifetime`)."""
    for c in range(n_points):
        for d in range(max(c, 1), n_points + 1):
            yield c, d


def worry_atoms(c: Counts, sid, where) -> set:
    """The worry atoms of a service whose (c, d, over) satisfy `where`. A
    worry open now is over the threshold or not; which is possible follows
    from when it began (the reader knows the points and the threshold)."""
    key = ("ow", sid)
    if key not in c.memo:
        n, points = len(c.points), c.points
        overdue = points[-1] - dt.timedelta(days=c.idle_days)
        atoms = []
        for b, d in _spans(n):
            if d < n:
                overs = (None,)
            else:  # began in [points[b-1], points[b])
                overs = tuple(o for o, possible in (
                    (True, b == 0 or points[b - 1] < overdue), (False, points[b] > overdue)) if possible)
            atoms += [("ow", sid, b, d, o) for o in overs]
        c.memo[key] = atoms
    return {a for a in c.memo[key] if where(*a[2:])}


def relay_atoms(c: Counts, sid, where) -> set:
    key = ("or", sid)
    if key not in c.memo:
        n = len(c.points)
        c.memo[key] = [("or", sid, b, d, level, cov)
                       for b, d in _spans(n) for level in RELAY_LEVELS
                       for cov in ((True, False) if d == n else (None,))]
    return {a for a in c.memo[key] if where(*a[2:])}


def break_atoms(c: Counts, sid, kind, where) -> set:
    return {("bk", sid, kind, b, d) for b, d in _spans(len(c.points)) if where(b, d)}


def _break_kinds(c: Counts) -> list[str]:
    return sorted({kind for (_s, kind, _b, _d) in c.breaks_life})


def _started_atoms(c: Counts, sid, month, level) -> set:
    """Started in a month: within the trend's window, the lifetimes that
    began in that month (the same records, so the same number); before it,
    the month's own count."""
    key = ("started", sid, month, level)
    if key in c.memo:
        return c.memo[key]
    window = [p.date() for p in c.points[:-1]]
    if month in window:
        b = window.index(month) + 1
        if level == 0:
            out = worry_atoms(c, sid, lambda bb, d, o: bb == b)
        else:
            out = relay_atoms(c, sid, lambda bb, d, lv, cov: bb == b and lv == level)
    else:
        out = {("st", sid, month, level)}
    c.memo[key] = out
    return out


def started_by_service(c: Counts, services, months) -> Table:
    """Worries (level 0) and relays (their current level) started in the period."""
    return _table(
        [(name, [set().union(*(_started_atoms(c, sid, m, lv) for m in months)) for lv in LEVELS])
         for sid, name in services],
        c, key="started_by_service",
        title=_("Worries and relays started in the period, by service and level"),
        row_header=_("Service"), columns=[level_label(lv) for lv in LEVELS],
        total_label=_("Total"),
        note=_("Relays are counted at the level they are on now, by the holder's service."),
    )


def started_by_month(c: Counts, services, months) -> Table:
    return _table(
        [(m.strftime("%Y-%m"), [set().union(*(_started_atoms(c, sid, m, lv) for sid, _n in services))
                                for lv in LEVELS])
         for m in months],
        c, key="started_by_month",
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
        c, key="flows", title=_("Flows between levels in the period"),
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
    n = len(c.points)
    return _table(
        [(name, [break_atoms(c, sid, k, lambda b, d: d == n) for k in kinds]) for sid, name in services],
        c, key="open_breaks", title=_("Open follow-up breaks, by service and kind"),
        row_header=_("Service"), columns=[labels[k] for k in kinds], total_label=_("Total"),
    )


def _covered_atoms(c: Counts, sid, covered: bool) -> set:
    n = len(c.points)
    return relay_atoms(c, sid, lambda b, d, lv, cov: d == n and cov is covered)


def consent_coverage(c: Counts, services) -> Table:
    """Open relays now, with and without a consent in force, by holder's service."""
    return _table(
        [(name, [_covered_atoms(c, sid, True), _covered_atoms(c, sid, False)]) for sid, name in services],
        c, key="consent_coverage",
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
        rows, c, key="services_covered", title=_("Services covered by the consents in force"),
        row_header=_("Service named in the consent"), columns=[_("Open relays")],
        total_label=_("Total"),
        note=_("A relay counts once for every service its consents name, so the total counts pairs."),
    )
    return table, empty


def _relations(c: Counts):
    """What a reader knows besides the tables: a relay with a consent in force
    names at least one service, and is counted at most once per named service."""
    for sid, _n in c.services:
        covered = frozenset(_covered_atoms(c, sid, True))
        named = [frozenset({("sc", sid, tid)}) for tid, _m in c.services]
        yield covered, frozenset().union(*named)
        for one in named:
            yield one, covered


# --- Key figures, their trend, and the catalogue ---------------------------------


def point_labels(c: Counts) -> list[str]:
    months = [p - dt.timedelta(days=1) for p in c.points[:-1]]
    return [_("End of %(month)s") % {"month": date_format(m, "F Y")} for m in months] + [_("Now")]


def key_figures(c: Counts, services) -> Table:
    """The state at the end of each earlier month and now. Relays by level,
    and consent coverage, only now: a relay's level and consent at an
    earlier date are not counted (its level is the one it is on now)."""
    n = len(c.points)
    ids = [sid for sid, _n in services]

    def at(k, atoms_of):
        return set().union(*(atoms_of(sid, k) for sid in ids))

    rows = [
        (_("Open worries (level 0)"),
         [at(k, lambda sid, k: worry_atoms(c, sid, lambda b, d, o: b <= k < d)) for k in range(n)]),
        (_("Open relays, all levels"),
         [at(k, lambda sid, k: relay_atoms(c, sid, lambda b, d, lv, cov: b <= k < d)) for k in range(n)]),
    ]
    for level in RELAY_LEVELS:
        rows.append((_("Open relays on level %(level)s") % {"level": level},
                     [None] * (n - 1) + [at(n - 1, lambda sid, k, level=level: relay_atoms(
                         c, sid, lambda b, d, lv, cov: d == n and lv == level))]))
    rows.append((_("Open relays with a consent in force"),
                 [None] * (n - 1) + [at(n - 1, lambda sid, k: _covered_atoms(c, sid, True))]))
    if c.breaks is not None:
        kinds = _break_kinds(c)
        rows.append((_("Open follow-up breaks"), [
            at(k, lambda sid, k: set().union(set(), *(break_atoms(c, sid, kind, lambda b, d: b <= k < d)
                                                       for kind in kinds)))
            for k in range(n)]))
    values, atoms = [], []
    for label, cells in rows:
        sets = [None if x is None else frozenset(x) for x in cells]
        values.append((label, [None if x is None else _cells(c, [x])[0][0] for x in sets]))
        atoms.append(sets)
    return Table(key="key_figures", title=_("Key figures"), row_header=_("Figure"),
                 columns=point_labels(c), rows=values, atoms=atoms, totals=False,
                 note=_("Relays by level and consents in force are counted now only."))


def worry_wait(c: Counts, services) -> Table:
    """How long the open worries have waited: their number, the median days
    since they were written (shown for five or more), and how many have
    waited longer than the follow-up threshold."""
    n = len(c.points)
    ids = {sid for sid, _n in services}
    open_now = frozenset().union(*(worry_atoms(c, sid, lambda b, d, o: d == n) for sid in ids))
    overdue = frozenset().union(*(worry_atoms(c, sid, lambda b, d, o: d == n and o is True) for sid in ids))
    pairs = defaultdict(int)
    for (sid, days), k in c.worry_days.items():
        if sid in ids:
            pairs[days] += k
    histogram = sorted(pairs.items())
    median = _median(histogram, sum(k for _d, k in histogram))
    values, _sets = _cells(c, [open_now, overdue])
    return Table(
        key="worry_wait", title=_("How long the open worries have waited"), row_header=_("Worries"),
        columns=[_("Open now"), _("Median days open"),
                 _("Waited longer than %(days)s days") % {"days": c.idle_days}],
        rows=[(_("Open worries (level 0)"), [values[0], median, values[1]])],
        atoms=[[open_now, None, overdue]], totals=False, depends={1: 0},
        note=_("The threshold is the follow-up rule for a worry left on level 0."),
    )


def reports_sent(c: Counts, services, months) -> Table:
    """Reports of concern sent in each of the trend's months and in the period."""
    ids = [sid for sid, _n in services]
    window = [p.date() for p in c.points[:-1]]
    cells = [{("rp", sid, m) for sid in ids} for m in window]
    cells.append({("rp", sid, m) for sid in ids for m in months})
    return _table(
        [(_("Reports of concern sent"), cells)], c, key="reports_sent",
        title=_("Reports of concern sent to the child welfare service"), row_header=_("Reports"),
        columns=[date_format(m, "F Y") for m in window] + [_("In the period")], totals=False,
    )


def catalog_usage(c: Counts, services, months) -> tuple[Table, list[frozenset]]:
    """How often each measure of the catalogue was picked for a relay in the
    period, by the relay's level now; with the measures left out (none here)."""
    ids = [sid for sid, _n in services]
    rows, empty = [], []
    for mid, name in c.measures:
        cells = [{("cm", sid, mid, m, lv) for sid in ids for m in months} for lv in RELAY_LEVELS]
        if sum(_cells(c, [frozenset(x) for x in cells])[0]):
            rows.append((name, cells))
        else:
            empty.extend(frozenset(x) for x in cells)
    table = _table(
        rows, c, key="catalog_usage", title=_("Measures from the catalogue used in relays"),
        row_header=_("Measure"), columns=[level_label(lv) for lv in RELAY_LEVELS], total_label=_("Total"),
        note=_("Measures added to relays in the period, by the level the relay is on now, "
               "counted for the services that hold the relays."),
    )
    return table, empty


def _tables(c: Counts, service_ids: frozenset[int], months: int):
    services = [(sid, name) for sid, name in c.services if sid in service_ids]
    month_list = c.months[-months:]
    bands = range(PERIODS.index(months) + 1)
    # The figures of "now" do not depend on the period: built once per reader.
    # (Their labels are in the active language: a snapshot builds every one.)
    now_key = ("now", service_ids, get_language())
    if now_key not in c.memo:
        c.memo[now_key] = (key_figures(c, services), worry_wait(c, services),
                           consent_coverage(c, services), open_breaks(c, services))
    key, wait, coverage, breaks = c.memo[now_key]
    tables = [
        key,
        wait,
        reports_sent(c, services, month_list),
        started_by_service(c, services, month_list),
        started_by_month(c, services, month_list),
        flows(c, services, bands),
        time_on_levels(c, services, bands),
    ]
    if breaks is not None:
        tables.append(breaks)
    covered, empty = services_covered(c, services)
    usage, unused = catalog_usage(c, services, month_list)
    tables += [coverage, covered, usage]
    if breaks is not None:  # a kind left out of the breaks table has none open here
        shown = {kind for (sid, kind), n in c.breaks.items() if n and sid in service_ids}
        n = len(c.points)
        empty += [frozenset(break_atoms(c, sid, kind, lambda b, d: d == n))
                  for kind in _break_kinds(c) if kind not in shown for sid in service_ids]
    return tables, empty + unused


@dataclass
class Dashboard:
    scope: Scope
    tables: list[SafeTable]
    breaks_available: bool
    idle_days: int = DEFAULT_IDLE_DAYS
    computed_at: dt.datetime | None = None  # when the figures were counted

    def table(self, key) -> SafeTable | None:
        return next((t for t in self.tables if t.key == key), None)


def publication(municipality, counts: Counts, readers) -> dict[tuple[frozenset[int], int], list[SafeTable]]:
    """Every reader's tables for every period, suppressed together: what the
    municipality publishes at one moment, in the active language."""
    return dict(publish(municipality, counts, readers, Suppressor(), cache=True))


def publish(municipality, counts: Counts, readers, suppressor: Suppressor, cache: bool = False):
    """`publication` one reader and period at a time: yields ((reader, months),
    tables), holding nothing but the tables being yielded. A fresh
    `suppressor` first collects every table (each count kept once, compactly)
    and decides; the tables are then built again and rendered one by one.
    A `suppressor` given the decision of another language only renders.
    `cache`: reuse (and keep) the last decisions for these counts
    (suppression._DECISIONS)."""
    readers = sorted(readers, key=sorted)
    if counts.breaks:  # the rules' names, in the active language
        counts.break_labels = _break_labels(sorted({code for _s, code in counts.breaks}))
    if suppressor.decision is None:
        for _reader, _period, built, zeros in _built(counts, readers):
            for table in built:
                suppressor.add(table)
            suppressor.add_zeros(zeros)
        digest = None
        if cache:
            # Not `now` itself (it changes every request): the points' months, the
            # threshold and the counts are what the decision depends on.
            digest = hashlib.sha256(repr((
                municipality.pk, counts.services, counts.months, readers, counts.breaks is not None,
                counts.points[:-1], counts.idle_days, counts.measures,
                *(sorted(d.items(), key=repr) for d in (counts.started, counts.flows, counts.breaks or {},
                                                           counts.named, counts.worries, counts.worry_days,
                                                           counts.relays, counts.breaks_life, counts.reports,
                                                           counts.catalog)),
            )).encode()).hexdigest()
        counts.memo.clear()  # atom sets built again when needed; not held while solving
        suppressor.decide(_relations(counts), cache_key=digest)
        counts.memo.clear()
    show = Suppressor(suppressor.decision)
    for reader, period, built, _zeros in _built(counts, readers):
        yield (reader, period), [show.render(show.add(t)) for t in built]


def _built(counts: Counts, readers):
    """Each reader's tables for each period, in publication order (which
    does not depend on the language), with the atom sets known to be empty."""
    for reader in readers:
        for period in PERIODS:
            built, zeros = _tables(counts, reader, period)
            yield reader, period, built, zeros
        # The reader's figures of "now" served its every period: let them go.
        counts.memo.pop(("now", reader, get_language()), None)


def dashboard(municipality, service_ids, months: int = DEFAULT_PERIOD, now=None) -> Dashboard:
    """All aggregates for these services and period, computed now from the
    database and suppressed together with every other reader's and period's.
    The page reads the worker's snapshot of the same (`snapshot.py`); this is
    the direct computation it is made of, and the reference it is tested against."""
    if months not in PERIODS:
        raise ValueError(f"not a period the view offers: {months}")
    scope = Scope(municipality, frozenset(service_ids), months, now or timezone.now())
    counts = _read(municipality, scope.now)
    readers = reader_scopes(municipality) | {scope.service_ids}
    tables = publication(municipality, counts, readers)[scope.service_ids, months]
    return Dashboard(scope=scope, tables=tables, computed_at=scope.now,
                     breaks_available=counts.breaks is not None, idle_days=counts.idle_days)
