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
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.followup.models import Break, Digest, FollowUpSettings, Notification, Rule
from stafett.followup.rules import RULES, Directory
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


def prepare_digests(now) -> int:
    """Write today's outbox rows: one per person with open, unread
    notifications and an e-mail address. Rows already there are kept."""
    day = timezone.localdate(now)
    counts: dict[int, Counter] = {}
    with scopes_disabled():
        for user_id, rule in Notification.objects.filter(
            read_at__isnull=True, brk__mended_at__isnull=True, user__is_active=True,
        ).exclude(user__email="").values_list("user_id", "brk__rule"):
            counts.setdefault(user_id, Counter())[rule] += 1
        rows = [
            Digest(user_id=user_id, day=day, counts=dict(sorted(c.items())), created_at=now)
            for user_id, c in counts.items()
        ]
        Digest.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def digest_message(digest) -> tuple[str, str]:
    """Subject and body: what kinds of thing need attention and a link.
    Nothing about any child."""
    user = digest.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        items = [(Rule(rule).label, n) for rule, n in digest.counts.items() if rule in Rule.values]
        context = {
            "items": items,
            "total": sum(n for _, n in items),
            "link": settings.STAFETT_BASE_URL.rstrip("/") + reverse("followup:list"),
        }
        subject = render_to_string("followup/digest_subject.txt", context).strip()
        body = render_to_string("followup/digest_email.txt", context)
    return subject, body


def send_pending_digests(now) -> int:
    """Send every unsent outbox row (today's and any a crash left behind),
    marking each as sent right after its SMTP send."""
    sent = 0
    pending = Digest.objects.filter(sent_at__isnull=True).select_related("user").order_by("pk")
    for digest in pending:
        subject, body = digest_message(digest)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [digest.user.email])
        Digest.objects.filter(pk=digest.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += 1
    return sent


def send_digests(now=None) -> int:
    now = now or timezone.now()
    prepare_digests(now)
    return send_pending_digests(now)
