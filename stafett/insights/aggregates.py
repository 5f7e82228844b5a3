"""The leadership view's aggregates, computed in the database.

Every function answers with raw `Table`s of counts (GROUP BY queries, a fixed
number of them whatever the data size); `dashboard()` passes them all through
`suppression.suppress_linked`, the only way counts leave this module. Nothing
here selects a name, a national id or any free text: only service ids, levels,
months, statuses and timestamps are read.

Filters: the services the viewer may see (`access.policy.insight_service_ids`)
and a period of whole months ending with the current one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.concerns.models import Concern
from stafett.relay.models import Consent, LevelChange, Relay
from stafett.tenancy.models import Service

from .suppression import SafeTable, Table, suppress_linked

PERIODS = (3, 6, 12, 24)
DEFAULT_PERIOD = 12
LEVELS = (0, 1, 2, 3)
OUTCOME_LEVEL = {"level1": 1, "level2": 2, "level3": 3}


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


def _services(scope: Scope) -> list[tuple[int, str]]:
    return list(
        Service.objects.filter(municipality=scope.municipality, pk__in=scope.service_ids)
        .order_by("name").values_list("pk", "name")
    )


def _concerns(scope: Scope):
    return Concern.objects.filter(municipality=scope.municipality, service_id__in=scope.service_ids)


def _relays(scope: Scope):
    return Relay.objects.filter(municipality=scope.municipality, holder_service_id__in=scope.service_ids)


def started_by_service(scope: Scope, services) -> Table:
    """Worries (level 0) and relays (their current level) started in the period."""
    counts = defaultdict(int)
    for sid, n in (
        _concerns(scope).filter(created_at__gte=scope.start)
        .values_list("service_id").annotate(n=Count("pk")).order_by()
    ):
        counts[sid, 0] = n
    for sid, level, n in (
        _relays(scope).filter(created_at__gte=scope.start)
        .values_list("holder_service_id", "level").annotate(n=Count("pk")).order_by()
    ):
        counts[sid, level] = n
    return Table(
        key="started_by_service",
        title=_("Worries and relays started in the period, by service and level"),
        row_header=_("Service"), columns=[level_label(lv) for lv in LEVELS],
        rows=[(name, [counts[sid, lv] for lv in LEVELS]) for sid, name in services],
        col_keys=[f"started:{lv}" for lv in LEVELS], grand_key="started",
        total_label=_("Total"),
        note=_("Relays are counted at the level they are on now, by the holder's service."),
    )


def started_by_month(scope: Scope) -> Table:
    counts = defaultdict(int)
    for month, n in (
        _concerns(scope).filter(created_at__gte=scope.start)
        .annotate(m=TruncMonth("created_at")).values_list("m").annotate(n=Count("pk")).order_by()
    ):
        counts[_as_month(month), 0] = n
    for month, level, n in (
        _relays(scope).filter(created_at__gte=scope.start)
        .annotate(m=TruncMonth("created_at")).values_list("m", "level")
        .annotate(n=Count("pk")).order_by()
    ):
        counts[_as_month(month), level] = n
    return Table(
        key="started_by_month",
        title=_("Worries and relays started, by month and level"),
        row_header=_("Month"), columns=[level_label(lv) for lv in LEVELS],
        rows=[(m.strftime("%Y-%m"), [counts[m, lv] for lv in LEVELS]) for m in scope.month_starts()],
        col_keys=[f"started:{lv}" for lv in LEVELS], grand_key="started",
        total_label=_("Total"),
    )


def _as_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dt.date(value.year, value.month, 1)
    return dt.date(value.year, value.month, 1)


def flows(scope: Scope) -> Table:
    """Decisions in the period: from level 0 by the worry's decision, between
    levels by level changes, and closing at each level."""
    cells = defaultdict(int)
    for outcome, n in (
        _concerns(scope).filter(decided_at__gte=scope.start).exclude(outcome="")
        .values_list("outcome").annotate(n=Count("pk")).order_by()
    ):
        cells[0, OUTCOME_LEVEL.get(outcome, "closed")] += n
    for src, dst, n in (
        LevelChange.objects.filter(
            municipality=scope.municipality, relay__holder_service_id__in=scope.service_ids,
            decided_at__gte=scope.start,
        ).values_list("from_level", "to_level").annotate(n=Count("pk")).order_by()
    ):
        cells[src, dst] += n
    for level, n in (
        _relays(scope).filter(status=Relay.Status.CLOSED, closed_at__gte=scope.start)
        .values_list("level").annotate(n=Count("pk")).order_by()
    ):
        cells[level, "closed"] += n
    targets = [1, 2, 3, "closed"]
    return Table(
        key="flows", title=_("Flows between levels in the period"),
        row_header=_("From"),
        columns=[_("To level %(level)s") % {"level": t} for t in targets[:3]] + [_("Closed")],
        rows=[(level_label(lv), [cells[lv, t] for t in targets]) for lv in LEVELS],
        total_label=_("Total"),
        note=_("Level 0: decisions on worries. Levels 1–3: level changes decided in meetings, and relays closed."),
    )


def _days_sql() -> str:
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM (ended - started)) / 86400)"
    return "CAST(julianday(ended) - julianday(started) AS INTEGER)"


def time_on_levels(scope: Scope) -> Table:
    """Median days spent on each level, over the stays that ended in the period:
    level 0 from the worry's creation to its decision; levels 1–3 from the
    relay's start or a level change to the next level change or the closing.

    One query: the stays come from a window over the level changes, grouped by
    level and whole days in the database; the median is read off that histogram.
    """
    ids = sorted(scope.service_ids) or [0]
    marks = ", ".join(["%s"] * len(ids))
    r, lc, c = Relay._meta.db_table, LevelChange._meta.db_table, Concern._meta.db_table
    sql = f"""
    WITH changes AS (
        SELECT x.relay_id, x.from_level, x.decided_at,
               LAG(x.decided_at) OVER (PARTITION BY x.relay_id ORDER BY x.decided_at, x.id) AS prev_at
        FROM {lc} x JOIN {r} rr ON rr.id = x.relay_id
        WHERE x.municipality_id = %s AND rr.holder_service_id IN ({marks})
    ), stays AS (
        SELECT ch.from_level AS level, COALESCE(ch.prev_at, rr.created_at) AS started,
               ch.decided_at AS ended
        FROM changes ch JOIN {r} rr ON rr.id = ch.relay_id
        UNION ALL
        SELECT rr.level, COALESCE(
                   (SELECT MAX(y.decided_at) FROM {lc} y WHERE y.relay_id = rr.id), rr.created_at),
               rr.closed_at
        FROM {r} rr
        WHERE rr.municipality_id = %s AND rr.holder_service_id IN ({marks})
          AND rr.status = 'closed' AND rr.closed_at IS NOT NULL
        UNION ALL
        SELECT 0, cc.created_at, cc.decided_at
        FROM {c} cc
        WHERE cc.municipality_id = %s AND cc.service_id IN ({marks}) AND cc.decided_at IS NOT NULL
    )
    SELECT level, {_days_sql()} AS days, COUNT(*)
    FROM stays WHERE ended >= %s
    GROUP BY level, {_days_sql()}
    """
    start = connection.ops.adapt_datetimefield_value(scope.start)
    mid = scope.municipality.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [mid, *ids, mid, *ids, mid, *ids, start])
        histogram = defaultdict(list)
        for level, days, n in cursor.fetchall():
            histogram[int(level)].append((max(int(days), 0), int(n)))
    rows = []
    for level in LEVELS:
        pairs = sorted(histogram.get(level, []))
        total = sum(n for _d, n in pairs)
        rows.append((level_label(level), [total, _median(pairs, total)]))
    return Table(
        key="time_on_levels", title=_("Time spent on each level"),
        row_header=_("Level"), columns=[_("Completed stays"), _("Median days")],
        rows=rows, totals=False, depends={1: 0},
        note=_("Stays that ended in the period. A median is shown only for 5 stays or more."),
    )


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


def open_breaks(scope: Scope, services) -> Table | None:
    """Open follow-up breaks per service and kind of rule; None until the
    follow-up app exists."""
    Break = _break_model()  # noqa: N806
    if Break is None:
        return None
    rule_field = Break._meta.get_field("rule")
    base = Break.objects.filter(
        municipality=scope.municipality, service_id__in=scope.service_ids, mended_at__isnull=True
    )
    counts = defaultdict(int)
    if rule_field.is_relation:
        rows = list(base.values_list("service_id", "rule_id").annotate(n=Count("pk")).order_by())
        rule_ids = {rid for _s, rid, _n in rows}
        related = rule_field.related_model
        labels = {obj.pk: _rule_label(obj) for obj in related._base_manager.filter(pk__in=rule_ids)}
        for sid, rid, n in rows:
            counts[sid, labels.get(rid, str(rid))] += n
    else:
        choices = dict(rule_field.flatchoices) if rule_field.choices else {}
        for sid, rule, n in base.values_list("service_id", "rule").annotate(n=Count("pk")).order_by():
            counts[sid, str(choices.get(rule, rule))] += n
    kinds = sorted({kind for _s, kind in counts})
    return Table(
        key="open_breaks", title=_("Open follow-up breaks, by service and kind"),
        row_header=_("Service"), columns=kinds,
        rows=[(name, [counts[sid, k] for k in kinds]) for sid, name in services],
        total_label=_("Total"),
    )


def _rule_label(rule) -> str:
    for attr in ("get_kind_display", "get_code_display", "label", "name", "kind", "code", "key"):
        value = getattr(rule, attr, None)
        if value:
            return str(value() if callable(value) else value)
    return str(rule)


def _in_force(today: dt.date):
    return Consent.objects.filter(
        relay=OuterRef("pk"), withdrawn_at__isnull=True, valid_until__gte=today, given_on__lte=today
    )


def consent_coverage(scope: Scope, services) -> Table:
    """Open relays now, with and without a consent in force, by holder's service."""
    today = timezone.localdate(scope.now)
    counts = defaultdict(int)
    for sid, covered, n in (
        _relays(scope).filter(status=Relay.Status.OPEN)
        .annotate(covered=Exists(_in_force(today)))
        .values_list("holder_service_id", "covered").annotate(n=Count("pk")).order_by()
    ):
        counts[sid, bool(covered)] += n
    return Table(
        key="consent_coverage", title=_("Open relays with a consent in force, by service"),
        row_header=_("Service"), columns=[_("Consent in force"), _("No consent in force")],
        rows=[(name, [counts[sid, True], counts[sid, False]]) for sid, name in services],
        total_label=_("Open relays"),
    )


def services_covered(scope: Scope) -> Table:
    """Which services the consents in force of the open relays name."""
    today = timezone.localdate(scope.now)
    through = Consent.services.through
    rows = (
        through.objects.filter(
            consent__municipality=scope.municipality,
            consent__relay__holder_service_id__in=scope.service_ids,
            consent__relay__status=Relay.Status.OPEN,
            consent__withdrawn_at__isnull=True, consent__valid_until__gte=today,
            consent__given_on__lte=today,
        ).values_list("service__name").annotate(n=Count("consent__relay", distinct=True))
        .order_by("service__name")
    )
    return Table(
        key="services_covered", title=_("Services covered by the consents in force"),
        row_header=_("Service named in the consent"), columns=[_("Open relays")],
        rows=[(name, [n]) for name, n in rows], total_label=_("Total"),
        note=_("A relay counts once for every service its consents name, so the total counts pairs."),
    )


@dataclass
class Dashboard:
    scope: Scope
    tables: list[SafeTable]
    breaks_available: bool

    def table(self, key) -> SafeTable | None:
        return next((t for t in self.tables if t.key == key), None)


def dashboard(municipality, service_ids, months: int = DEFAULT_PERIOD, now=None) -> Dashboard:
    """All aggregates for these services and period, suppressed."""
    scope = Scope(municipality, frozenset(service_ids), months, now or timezone.now())
    services = _services(scope)
    raw = [
        started_by_service(scope, services),
        started_by_month(scope),
        flows(scope),
        time_on_levels(scope),
    ]
    breaks = open_breaks(scope, services)
    if breaks is not None:
        raw.append(breaks)
    raw += [consent_coverage(scope, services), services_covered(scope)]
    return Dashboard(scope=scope, tables=suppress_linked(raw), breaks_available=breaks is not None)
