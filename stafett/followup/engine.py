"""Running the rules and sending the digests.

`evaluate` is idempotent and atomic per municipality: breaks that appeared
are opened (with their notifications), breaks that disappeared are mended,
all in one transaction. A crash half-way rolls everything back; the rerun
finds the same breaks and the unique constraints (one open break per rule
and object, one notification per break and person) make a double run a
no-op. Notifications are created only when a break opens, so nobody is told
twice about the same break.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from stafett.followup.models import Break, FollowUpSettings, Notification, Rule
from stafett.followup.rules import RULES, Directory
from stafett.notify import kinds, outbox
from stafett.relay.actions import tell_families_of_expiring_consents
from stafett.tenancy.models import Municipality

log = logging.getLogger(__name__)


def settings_for(municipality) -> FollowUpSettings:
    conf, _ = FollowUpSettings.objects.get_or_create(municipality=municipality)
    return conf


def evaluate(municipality, now) -> dict[str, int]:
    """Open new breaks and mend those no longer broken, for one municipality."""
    with scope(municipality=municipality), transaction.atomic():
        settings_for(municipality)
        # Serialises concurrent runs for the same municipality.
        conf = FollowUpSettings.objects.select_for_update().get(municipality=municipality)
        directory = Directory.load(municipality)
        found = {}
        for rule, check in RULES.items():
            for key, hit in check(municipality, now, conf, directory).items():
                found[(str(rule), *key)] = hit
        # The family is told too, once per consent, in the rule's own window.
        tell_families_of_expiring_consents(
            [key[2] for key in found if key[0] == str(Rule.CONSENT_EXPIRING)])
        open_breaks = {
            (b.rule, b.object_type, b.object_id): b
            for b in Break.objects.filter(municipality=municipality, mended_at__isnull=True)
        }
        mended = [b.pk for key, b in open_breaks.items() if key not in found]
        Break.objects.filter(pk__in=mended).update(mended_at=now)
        new = [
            Break(
                municipality=municipality, rule=rule, object_type=object_type, object_id=object_id,
                concern_id=hit.concern_id, relay_id=hit.relay_id, service_id=hit.service_id,
                recipient_id=hit.recipients[0] if hit.recipients else None, opened_at=now,
            )
            for (rule, object_type, object_id), hit in found.items()
            if (rule, object_type, object_id) not in open_breaks
        ]
        Break.objects.bulk_create(new)
        if new and new[0].pk is None:  # a backend that does not return ids
            created = Break.objects.filter(municipality=municipality, mended_at__isnull=True, opened_at=now)
            ids = {(b.rule, b.object_type, b.object_id): b.pk for b in created}
            for b in new:
                b.pk = ids[(b.rule, b.object_type, b.object_id)]
        Notification.objects.bulk_create(
            [
                Notification(municipality=municipality, brk_id=b.pk, user_id=user_id, created_at=now)
                for b in new
                for user_id in found[(b.rule, b.object_type, b.object_id)].recipients
            ],
            ignore_conflicts=True,
        )
    return {"opened": len(new), "mended": len(mended), "open": len(found)}


def run_rules(now=None) -> dict[str, int]:
    """Evaluate every municipality, each in its own transaction; one failing
    municipality does not stop the others (and is retried on the next run)."""

    now = now or timezone.now()
    totals: Counter = Counter()
    failed = 0
    for municipality in Municipality.objects.order_by("pk"):
        try:
            totals.update(evaluate(municipality, now))
        except Exception:
            failed += 1
            log.exception("follow-up rules failed for municipality %s", municipality.pk)
    if failed:
        raise RuntimeError(f"follow-up rules failed for {failed} municipalities")
    return dict(totals)


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
