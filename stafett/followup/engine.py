"""Running the rules and sending the digests.

The rules cost what changed, not what is open (docs/followup.md):
- `detect` asks the database, for every rule at once (one UNION ALL over up
  to GROUP municipalities with the same thresholds), for two differences
  only: objects broken now without an open break (to open), and open breaks
  whose object is no longer broken (to mend). Both are computed in SQL
  against the open breaks, so a break that is open and unchanged never
  leaves the database and costs no work in Python. Detection only reads.
- `apply` writes those differences in batches of at most BATCH rows, each
  in its own short transaction: a break and its notifications commit
  together. A run that dies half-way leaves whole batches; the next run
  finds only what is still missing.
- Two workers at once: a lease per municipality (`RuleRun`) lets only one
  evaluate it; should both still write, the unique constraints (one open
  break per rule and object, one notification per break and person) and
  "notify only a break nobody has notified" keep every person told once.
- Notifications are created only when a break opens, so nobody is told
  twice about the same break.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Count, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from stafett.followup.models import Break, FollowUpSettings, Notification, Rule, RuleRun
from stafett.followup.rules import RULES, Directory
from stafett.notify import kinds, outbox
from stafett.relay.actions import tell_families_of_expiring_consents
from stafett.relay.models import Consent
from stafett.tenancy.models import Municipality

log = logging.getLogger(__name__)

# Rows per write transaction.
BATCH = 500
# Municipalities per detection query: enough that a steady run of the country
# is a few statements, few enough that no read runs long.
GROUP = 50
# How long a claim on a municipality lasts if its worker dies without letting go.
LEASE = dt.timedelta(minutes=10)
# Consents recorded this long before the last run are looked at again (a
# transaction that committed after the last run's reads); telling a family is
# keyed, so looking twice sends nothing twice.
OVERLAP = dt.timedelta(minutes=10)
THRESHOLDS = ("concern_idle_days", "holder_inactive_days", "handover_days", "consent_warning_days",
              "relay_idle_days", "transition_days")


def settings_for(municipality) -> FollowUpSettings:
    conf, _ = FollowUpSettings.objects.get_or_create(municipality=municipality)
    return conf


def _chunks(rows):
    size = BATCH
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


NEW, GONE, FAMILY = 0, 1, 2
WIDTH = 6  # the most columns a rule's row has (handover_pending)


def _row(queryset, kind, rule_no, fields):
    """`queryset` as (kind, rule number, municipality, up to WIDTH columns,
    NULL-padded), so every rule's differences fit in one UNION ALL."""
    columns = {"_kind": Value(kind, output_field=IntegerField()),
               "_rule": Value(rule_no, output_field=IntegerField()),
               "_municipality": F("municipality_id")}
    for i in range(WIDTH):
        columns[f"_c{i}"] = (F(fields[i]) if i < len(fields)
                              else Cast(Value(None), output_field=BigIntegerField()))
    return queryset.order_by().annotate(**columns).values_list(*columns)


@dataclass
class Plan:
    """What one detection found, per municipality: rows to open per rule,
    break ids to mend, relays whose family may need telling."""

    checks: dict
    open: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    mend: dict = field(default_factory=lambda: defaultdict(list))
    family: dict = field(default_factory=lambda: defaultdict(set))


def detect(municipalities, now, conf) -> Plan:
    """What changed since the open breaks of `municipalities` (ids sharing
    the settings `conf`) were last brought up to date, in one query: objects
    broken now without an open break, open breaks whose object is no longer
    broken, and open consent breaks whose relay got a consent since the
    municipality's watermark. Reads only."""
    checks = {str(rule): check_of(municipalities, now, conf) for rule, check_of in RULES.items()}
    rules = list(checks)
    parts = []
    for rule_no, (rule, check) in enumerate(checks.items()):
        open_breaks = Break.objects.filter(municipality__in=municipalities, rule=rule,
                                           object_type=check.object_type, mended_at__isnull=True)
        still = Exists(check.broken.filter(pk=OuterRef("object_id")))
        parts.append(_row(check.broken.exclude(Exists(open_breaks.filter(object_id=OuterRef("pk")))),
                          NEW, rule_no, check.fields))
        parts.append(_row(open_breaks.exclude(still), GONE, rule_no, ("pk",)))
        if rule == Rule.CONSENT_EXPIRING:
            recent = Exists(Consent.objects.filter(
                relay_id=OuterRef("object_id"), recorded_at__gte=OuterRef("municipality__rulerun__watermark")))
            family = open_breaks.filter(still).filter(Q(municipality__rulerun__watermark__isnull=True) | recent)
            parts.append(_row(family, FAMILY, rule_no, ("object_id",)))
    plan = Plan(checks)
    for kind, rule_no, municipality_id, *columns in parts[0].union(*parts[1:], all=True):
        rule = rules[rule_no]
        if kind == NEW:
            plan.open[municipality_id][rule].append(tuple(columns[:len(checks[rule].fields)]))
        elif kind == GONE:
            plan.mend[municipality_id].append(columns[0])
        else:
            plan.family[municipality_id].add(columns[0])
    return plan


def _open_batch(municipality_id, now, rule, check, rows, directory) -> int:
    """Open the breaks of `rows` and notify, in one transaction. Returns how
    many this call opened; a break another worker opened meanwhile is left
    to it (and its notifications)."""
    hits = {row[0]: check.hit(row, directory) for row in rows}
    with transaction.atomic():
        Break.objects.bulk_create(
            [Break(municipality_id=municipality_id, rule=rule, object_type=check.object_type, object_id=pk,
                   concern_id=hit.concern_id, relay_id=hit.relay_id, service_id=hit.service_id,
                   recipient_id=hit.recipients[0] if hit.recipients else None, opened_at=now)
             for pk, hit in hits.items()],
            ignore_conflicts=True,
        )
        # Ours: open, opened at this run's moment, and nobody told yet.
        opened = list(
            Break.objects.filter(municipality_id=municipality_id, rule=rule, object_type=check.object_type,
                                 object_id__in=list(hits), mended_at__isnull=True, opened_at=now)
            .exclude(Exists(Notification.objects.filter(brk=OuterRef("pk"))))
            .values_list("pk", "object_id")
        )
        Notification.objects.bulk_create(
            [Notification(municipality_id=municipality_id, brk_id=brk_id, user_id=user_id, created_at=now)
             for brk_id, object_id in opened for user_id in hits[object_id].recipients],
            ignore_conflicts=True,
        )
    return len(opened)


def _mend_batch(ids, now) -> int:
    with transaction.atomic():
        return Break.objects.filter(pk__in=ids, mended_at__isnull=True).update(mended_at=now)


def apply(municipality, now, plan) -> dict[str, int]:
    """Write what `detect` found for one municipality, BATCH rows per
    transaction; then tell the families of consents newly in the warning
    period (keyed in the outbox: once per consent and person)."""
    pk = municipality.pk
    mended = sum(_mend_batch(ids, now) for ids in _chunks(sorted(plan.mend.get(pk, ()))))
    opened = 0
    new = plan.open.get(pk, {})
    directory = Directory.load(municipality) if new else None
    for rule, rows in new.items():
        for batch in _chunks(sorted(rows)):
            opened += _open_batch(pk, now, rule, plan.checks[rule], batch, directory)
    # The family is told once per consent, in the rule's own window: for a
    # break that opened now, and for an open one whose relay got a new
    # consent since the last run (before any run: every open one).
    relay_ids = {row[0] for row in new.get(str(Rule.CONSENT_EXPIRING), ())} | plan.family.get(pk, set())
    if relay_ids:
        tell_families_of_expiring_consents(sorted(relay_ids))
    return {"opened": opened, "mended": mended}


def _claim(municipality_ids, owner) -> list[int]:
    """Claim the municipalities nobody else is evaluating; returns the ids
    this worker got. Wall-clock time (not the rules' `now`, which tests and
    backfills move); a worker that dies lets go when the lease runs out."""
    have = set(RuleRun.objects.filter(municipality_id__in=municipality_ids).values_list("municipality_id", flat=True))
    if len(have) < len(municipality_ids):
        RuleRun.objects.bulk_create([RuleRun(municipality_id=pk) for pk in municipality_ids if pk not in have],
                                    ignore_conflicts=True)
    wall = dt.datetime.now(dt.UTC)
    RuleRun.objects.filter(municipality_id__in=municipality_ids).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=wall)
    ).update(lease_until=wall + LEASE, lease_owner=owner)
    return sorted(RuleRun.objects.filter(lease_owner=owner).values_list("municipality_id", flat=True))


def _evaluate_group(confs, by_pk, now, owner, totals: Counter, failed: list) -> None:
    """Detect for municipalities sharing `confs[0]`'s thresholds in one
    query, then write each municipality's changes in its own batches."""
    ids = [conf.municipality_id for conf in confs]
    claimed = _claim(ids, owner)
    totals["skipped"] += len(ids) - len(claimed)
    if not claimed:
        return
    mine = RuleRun.objects.filter(lease_owner=owner)
    done = []
    try:
        plan = detect(claimed, now, confs[0])
        for pk in claimed:
            try:
                with scope(municipality=by_pk[pk]):
                    totals.update(apply(by_pk[pk], now, plan))
                done.append(pk)
            except Exception:
                failed.append(pk)
                log.exception("follow-up rules failed for municipality %s", pk)
    finally:
        # The finished ones move their watermark; every claim is let go.
        if done:
            mine.filter(municipality_id__in=done).update(last_run_at=now, watermark=now - OVERLAP)
        mine.update(lease_until=None, lease_owner="")


def _settings(by_pk) -> list[FollowUpSettings]:
    """The municipalities' settings, created with the defaults the first time."""
    confs = list(FollowUpSettings.objects.filter(municipality_id__in=list(by_pk)).order_by("municipality_id"))
    if len(confs) < len(by_pk):
        have = {conf.municipality_id for conf in confs}
        FollowUpSettings.objects.bulk_create(
            [FollowUpSettings(municipality_id=pk) for pk in by_pk if pk not in have], ignore_conflicts=True)
        confs = list(FollowUpSettings.objects.filter(municipality_id__in=list(by_pk)).order_by("municipality_id"))
    return confs


def evaluate_many(municipalities, now) -> tuple[Counter, list]:
    """Evaluate `municipalities`: one detection query per GROUP
    municipalities with equal settings (nearly all keep the defaults), then
    each municipality's writes in its own short transactions. Returns the
    totals and the municipalities that failed (the others go on; the next
    run retries them)."""
    by_pk = {m.pk: m for m in municipalities}
    totals: Counter = Counter()
    failed: list = []
    owner = uuid.uuid4().hex
    with scopes_disabled():
        groups = defaultdict(list)
        for conf in _settings(by_pk):
            groups[tuple(getattr(conf, name) for name in THRESHOLDS)].append(conf)
        for same in groups.values():
            for start in range(0, len(same), GROUP):
                _evaluate_group(same[start:start + GROUP], by_pk, now, owner, totals, failed)
    if not totals["skipped"]:
        del totals["skipped"]
    return totals, failed


def evaluate(municipality, now) -> dict[str, int]:
    """Open new breaks and mend those no longer broken, for one municipality.
    Returns {"opened", "mended"} (and "skipped" while another worker holds
    the municipality)."""
    totals, failed = evaluate_many([municipality], now)
    if failed:
        raise RuntimeError(f"follow-up rules failed for municipality {municipality.pk}")
    return {"opened": 0, "mended": 0, **totals}


def run_rules(now=None) -> dict[str, int]:
    """Evaluate every municipality; one failing municipality does not stop
    the others (and is retried on the next run)."""

    now = now or timezone.now()
    totals, failed = evaluate_many(list(Municipality.objects.order_by("pk")), now)
    if failed:
        raise RuntimeError(f"follow-up rules failed for {len(failed)} municipalities")
    return {"opened": 0, "mended": 0, **totals}


# --- the daily digest -----------------------------------------------------------
# One e-mail per person and day through the outbox (stafett.notify): the
# outbox row's key "digest:<user>:<day>" makes a second run, or a second
# worker, on the same day a no-op, and the outbox's claim makes its delivery
# happen once. Per person, not per municipality: someone who works in two
# municipalities gets one e-mail.

DIGEST = "digest"


def digest_counts() -> dict[int, dict[str, int]]:
    """Per person: open breaks with an unread notification, per rule. Each
    break is counted once per person (distinct breaks, however many rows a
    join might bring)."""
    with scopes_disabled():
        rows = (
            Notification.objects.filter(
                read_at__isnull=True, brk__mended_at__isnull=True, user__is_active=True,
            )
            .exclude(user__email="")
            .values("user_id", "brk__rule")
            .annotate(n=Count("brk_id", distinct=True))
            .order_by()
        )
        counts: dict[int, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["user_id"], {})[row["brk__rule"]] = row["n"]
    return {user_id: dict(sorted(c.items())) for user_id, c in counts.items()}


def prepare_digests(now) -> int:
    """Write today's digest into the outbox: one per person with open, unread
    notifications and an e-mail address. A person who already has today's
    keeps it (it is not recounted or sent again). Returns how many were new."""
    day = timezone.localdate(now).isoformat()
    rows = [
        (user_id, f"{DIGEST}:{user_id}:{day}", {"day": day, "counts": counts})
        for user_id, counts in digest_counts().items()
    ]
    return outbox.post_many(rows, DIGEST)


def digest_message(message) -> tuple[str, str]:
    """Subject and body of a digest (the outbox's e-mail channel calls this
    in the recipient's language): what kinds of thing need attention and a
    link. Nothing about any child."""
    counts = message.params.get("counts", {})
    items = [(Rule(rule).label, n) for rule, n in counts.items() if rule in Rule.values]
    context = {
        "items": items,
        "total": sum(n for _, n in items),
        "link": settings.STAFETT_BASE_URL.rstrip("/") + reverse("followup:list"),
    }
    subject = render_to_string("followup/digest_subject.txt", context).strip()
    body = render_to_string("followup/digest_email.txt", context)
    return subject, body


kinds.register(kinds.Kind(
    DIGEST, _("Follow-up in Stafett needs your attention."), in_app=False,
    render_email=digest_message,
))


def send_digests(now=None) -> dict:
    """Prepare today's digests, then deliver everything due in the outbox in
    this process (so this is also the periodic sweep that picks up retries
    and any message whose delivery task was lost)."""
    now = now or timezone.now()
    prepared = prepare_digests(now)
    delivered = outbox.deliver_all()
    return {"prepared": prepared, **delivered}
