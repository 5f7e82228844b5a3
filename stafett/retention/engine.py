"""The retention worker: delete or anonymise what has passed its rule.

Every rule runs in batches of at most `batch` top-level records; each batch is
one transaction that locks its rows, re-checks the rule and the legal holds on
the locked rows, changes them, records each record in the `Disposal` ledger
and appends one audit row per record and per deleted part (kind and id, the
rule's code as the action, legal basis RETENTION; never any content). Memory
and transaction size are bounded by the batch, whatever the backlog.

What the leadership figures count (stafett.insights: a worry's service,
dates and decision; a relay's service, level, dates and status; level
changes) is anonymised, never deleted, so the figures stay the same. What
only the people working on the case read (entries, goals, measures,
evaluations, consents, conversations, comments …) is deleted. The audit
trail is never touched: its rows hold ids, not content, and the database
refuses to change them (audit/migrations/0002_append_only.py), so
`verify_chain` holds after any number of runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_scopes import scope, scopes_disabled

from stafett.access.actor import ANONYMOUS
from stafett.archive.models import ArchiveDelivery
from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.concerns.models import AcuteContact, Child, Comment, Concern, Conversation
from stafett.notify.models import Notice, OutboxMessage
from stafett.relay.models import (
    ChildView,
    Consent,
    ConsentParty,
    ConsentProposal,
    Entry,
    Evaluation,
    Goal,
    Guardian,
    Handover,
    InclusionRequest,
    LevelChange,
    Measure,
    Meeting,
    MeetingReply,
    Participant,
    ProposalSignature,
    Relay,
    Withholding,
)
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Municipality

from .models import DEFAULT_MONTHS, Disposal, LegalHold, RetentionSchedule, Rule

log = logging.getLogger(__name__)

BATCH = 200
ANONYMISED = Disposal.Action.ANONYMISED
DELETED = Disposal.Action.DELETED


@dataclass
class Totals:
    counts: dict = field(default_factory=dict)

    def add(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n


def schedule_for(municipality) -> RetentionSchedule:
    schedule, _created = RetentionSchedule.objects.get_or_create(municipality=municipality)
    return schedule


def cutoff(now: dt.datetime, months: int) -> dt.datetime:
    """`months` calendar months before `now` (a month-end clamps to the
    shorter month's last day)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


# --- conditions, as queries -------------------------------------------------------------
#
# The correlated subqueries use the unscoped base manager: the row they
# correlate with is already the municipality's, and the scope's extra
# `municipality_id = …` would lead SQLite's planner to the municipality's
# index instead of the child's or the case's (a scan per row).


def _disposed(kind: str, ref: str = "pk") -> Exists:
    return Exists(Disposal._base_manager.filter(kind=kind, object_id=OuterRef(ref)))


def _held(ref: str = "child_id") -> Exists:
    return Exists(LegalHold._base_manager.filter(child_id=OuterRef(ref), lifted_at__isnull=True))


def _archived(source: str, ref: str, before: dt.datetime) -> Exists:
    return Exists(ArchiveDelivery._base_manager.filter(
        source=source, source_id=OuterRef(ref), status=ArchiveDelivery.Status.ARCHIVED,
        archived_at__lte=before,
    ))


def _delivery(source: str, ref: str = "pk") -> Exists:
    return Exists(ArchiveDelivery._base_manager.filter(source=source, source_id=OuterRef(ref)))


def relay_candidates(municipality, before: dt.datetime):
    """Closed relays the archive confirmed before `before`, not yet disposed,
    of a child without a legal hold."""
    return (Relay.objects.filter(municipality=municipality, status=Relay.Status.CLOSED)
            .filter(_archived("relay", "pk", before)).exclude(_disposed("relay"))
            .exclude(_held()))


def concern_candidates(municipality, before: dt.datetime):
    """Closed worries, closed before `before` and, if they were sent to the
    archive, confirmed by it before then too; a worry that led to a relay or
    a report waits until those are disposed of."""
    open_relay = Exists(Relay._base_manager.filter(concern_id=OuterRef("pk")).exclude(_disposed("relay")))
    open_report = Exists(ChildWelfareReport._base_manager.filter(concern_id=OuterRef("pk"))
                         .exclude(_disposed("childwelfarereport")))
    return (Concern.objects.filter(municipality=municipality, status=Concern.Status.CLOSED,
                                   closed_at__lte=before)
            .filter(~_delivery("concern") | _archived("concern", "pk", before))
            .exclude(open_relay).exclude(open_report)
            .exclude(_disposed("concern")).exclude(_held()))


# Reports that are finished with: received by the child welfare service, or
# never sent (withdrawn, or a draft left behind on a case that was archived).
FINISHED_REPORTS = (ChildWelfareReport.Status.RECEIVED, ChildWelfareReport.Status.WITHDRAWN,
                    ChildWelfareReport.Status.DRAFT, ChildWelfareReport.Status.AWAITING_APPROVAL)


def report_candidates(municipality, before: dt.datetime):
    return (ChildWelfareReport.objects.filter(municipality=municipality,
                                              status__in=FINISHED_REPORTS)
            .filter(Q(received_at__isnull=True) | Q(received_at__lte=before))
            .filter(Q(relay__isnull=False, relay__status=Relay.Status.CLOSED)
                    & _archived("relay", "relay_id", before)
                    | Q(relay__isnull=True) & _archived("concern", "concern_id", before))
            .exclude(_disposed("childwelfarereport")).exclude(_held()))


def scan_candidates(municipality, before: dt.datetime):
    return (Consent.objects.filter(municipality=municipality).exclude(scan="")
            .filter(relay__status=Relay.Status.CLOSED)
            .filter(_archived("relay", "relay_id", before)).exclude(_held("relay__child_id")))


def child_candidates(municipality):
    """Children with no case left: every worry, relay and report of theirs is
    disposed of (or they never had one), and no legal hold."""
    live = lambda model: Exists(model._base_manager.filter(child_id=OuterRef("pk"))  # noqa: E731
                                .exclude(_disposed(model._meta.model_name)))
    # A row found to be a duplicate of this one (docs/one-child.md) is the
    # same child: while it has a case, this row is needed to merge it.
    live_duplicate = Exists(Child._base_manager.filter(duplicate_of_id=OuterRef("pk"))
                            .exclude(_disposed("child")))
    return (Child.objects.filter(municipality=municipality)
            .exclude(live(Concern)).exclude(live(Relay)).exclude(live(ChildWelfareReport))
            .exclude(live_duplicate).exclude(_disposed("child")).exclude(_held("pk")))


# --- the batches ---------------------------------------------------------------------------


def _batches(queryset, batch: int, work, child_ref: str | None = "child_id") -> int:
    """Run `work(ids)` on `queryset`'s ids, `batch` at a time, each batch in
    its own transaction. The children of the batch are locked (as setting a
    legal hold locks its child) and the rule is asked again after the lock,
    so a hold set while the batch was chosen wins. Returns how many records
    were done."""
    done, last = 0, 0
    while True:
        with transaction.atomic():
            # Keyset by id: each batch starts after the last, so a run reads
            # every candidate once however long the backlog.
            ids = list(queryset.filter(pk__gt=last).order_by("pk")
                       .select_for_update(of=("self",)).values_list("pk", flat=True)[:batch])
            if not ids:
                return done
            last = ids[-1]
            if child_ref:
                child_ids = set(queryset.model.objects.filter(pk__in=ids)
                                .values_list(child_ref, flat=True))
                list(Child.objects.select_for_update().filter(pk__in=child_ids)
                     .values_list("pk", flat=True))
                ids = list(queryset.filter(pk__in=ids).values_list("pk", flat=True))
            n = work(ids) if ids else 0
        done += n


def _ledger(municipality, kind, ids, rule, action, now) -> None:
    Disposal.objects.bulk_create([
        Disposal(municipality=municipality, kind=kind, object_id=pk, rule=rule, action=action, at=now)
        for pk in ids
    ])


def _audit(items, rule: str, verb: str) -> None:
    """One row per (case, child id, part or None); the action is the verb and
    the rule's code, e.g. "anonymised:relay_archived"."""
    if items:
        record_many(ANONYMOUS, f"{verb}:{rule}", items, legal_basis=LegalBasis.RETENTION)


def _delete_parts(cases: dict, parts) -> list:
    """Delete each queryset in `parts` (in order) and return the audit items
    for the deleted rows: (case, child id, stub of the part)."""
    items = []
    for model, queryset, via in parts:
        for pk, case_id in queryset.values_list("pk", via):
            case = cases[case_id]
            items.append((case, case.child_id, model(pk=pk)))
        queryset.delete()
    return items


def _anonymise_relays(municipality, ids, rule, now, files) -> int:
    relays = {r.pk: r for r in Relay.objects.filter(pk__in=ids).only("id", "municipality_id",
                                                                       "child_id")}
    by_relay = {"relay_id__in": ids}
    # Names of scanned forms, removed from storage once the batch commits.
    files.extend(Consent.objects.filter(**by_relay).exclude(scan="").values_list("scan", flat=True))
    Entry.objects.filter(**by_relay, corrects__isnull=False).update(corrects=None)
    Consent.objects.filter(**by_relay, supersedes__isnull=False).update(supersedes=None)
    meetings = Meeting.objects.filter(**by_relay)
    for m2m in (Meeting.invited.through, Meeting.present.through, Meeting.guardians_present.through):
        m2m.objects.filter(meeting__relay_id__in=ids).delete()
    # Children before parents; every row keeps its relay for the audit.
    items = _delete_parts(relays, [
        (Withholding, Withholding.objects.filter(entry__relay_id__in=ids), "entry__relay_id"),
        (Entry, Entry.objects.filter(**by_relay), "relay_id"),
        (Evaluation, Evaluation.objects.filter(**by_relay), "relay_id"),
        (MeetingReply, MeetingReply.objects.filter(meeting__relay_id__in=ids), "meeting__relay_id"),
        (ChildView, ChildView.objects.filter(meeting__relay_id__in=ids), "meeting__relay_id"),
        (Measure, Measure.objects.filter(**by_relay), "relay_id"),
        (Goal, Goal.objects.filter(**by_relay), "relay_id"),
        (ConsentParty, ConsentParty.objects.filter(consent__relay_id__in=ids), "consent__relay_id"),
        (ProposalSignature, ProposalSignature.objects.filter(proposal__relay_id__in=ids),
         "proposal__relay_id"),
        (ConsentProposal, ConsentProposal.objects.filter(**by_relay), "relay_id"),
        (Consent, Consent.objects.filter(**by_relay), "relay_id"),
        (Participant, Participant.objects.filter(**by_relay), "relay_id"),
        (Handover, Handover.objects.filter(**by_relay), "relay_id"),
        (InclusionRequest, InclusionRequest.objects.filter(**by_relay), "relay_id"),
    ])
    # Kept for the figures (a meeting's kind and time, a level change's
    # levels and date), without what anyone wrote.
    meetings.update(agenda="", minutes="", decisions="", place="")
    LevelChange.objects.filter(**by_relay).update(reason="")
    Relay.objects.filter(pk__in=ids).update(
        child_name="", area_of_concern="", closing_summary="", child_last_word="",
        parents_last_word="",
    )
    _ledger(municipality, "relay", ids, rule, ANONYMISED, now)
    _audit(items, rule, "deleted")
    _audit([(relays[pk], relays[pk].child_id, None) for pk in ids], rule, "anonymised")
    return len(ids)


def _anonymise_concerns(municipality, ids, rule, now) -> int:
    concerns = {c.pk: c for c in Concern.objects.filter(pk__in=ids).only(
        "id", "municipality_id", "child_id")}
    items = _delete_parts(concerns, [
        (Conversation, Conversation.objects.filter(concern_id__in=ids), "concern_id"),
        (Comment, Comment.objects.filter(concern_id__in=ids), "concern_id"),
        (AcuteContact, AcuteContact.objects.filter(concern_id__in=ids), "concern_id"),
    ])
    # A request to join someone's relay belongs to that relay (and goes with
    # it); it only stops pointing to the requester's worry.
    InclusionRequest.objects.filter(concern_id__in=ids).update(concern=None)
    Concern.objects.filter(pk__in=ids).update(
        child_name="", observations="", questions="", outcome_reason="", closed_reason="",
        contact_how="", contact_detail="", raised_by=None,
    )
    _ledger(municipality, "concern", ids, rule, ANONYMISED, now)
    _audit(items, rule, "deleted")
    _audit([(concerns[pk], concerns[pk].child_id, None) for pk in ids], rule, "anonymised")
    return len(ids)


def _anonymise_reports(municipality, ids, rule, now) -> int:
    reports = list(ChildWelfareReport.objects.filter(pk__in=ids).only(
        "id", "municipality_id", "child_id"))
    # The status, dates and message id stay (they are what was done, not
    # what was said); the text, the JSON sent and its PDF go.
    ChildWelfareReport.objects.filter(pk__in=ids).update(content={}, document=None, pdf=None,
                                                         error="")
    _ledger(municipality, "childwelfarereport", ids, rule, ANONYMISED, now)
    _audit([(r, r.child_id, None) for r in reports], rule, "anonymised")
    return len(ids)


def _remove_scans(municipality, ids, rule, now, files) -> int:
    consents = list(Consent.objects.filter(pk__in=ids).select_related("relay").only(
        "id", "scan", "relay__id", "relay__municipality_id", "relay__child_id"))
    files.extend(c.scan.name for c in consents)
    Consent.objects.filter(pk__in=ids).update(scan="")
    _audit([(c.relay, c.relay.child_id, c) for c in consents], rule, "deleted_scan")
    return len(ids)


def _anonymise_children(municipality, ids, now) -> int:
    children = {c.pk: c for c in Child.objects.filter(pk__in=ids).only("id", "municipality_id")}
    # One child, one record: the row stays (audit rows and anonymised cases
    # point to it) without anything that identifies the child. The year of
    # birth is kept for age statistics; a new worry about the same child
    # starts a new record. One statement for the whole batch.
    Child.objects.filter(pk__in=ids).update(
        name="", national_id="",
        name_key=Concat(Value("anonymised:"), Cast("id", output_field=CharField())),
        birth_date=TruncYear("birth_date"), expected_date=TruncYear("expected_date"),
    )
    guardians = list(Guardian.objects.filter(child_id__in=ids).values_list("pk", "child_id"))
    Guardian.objects.filter(child_id__in=ids).update(name="", relation="", phone="",
                                                     national_id="")
    _ledger(municipality, "child", ids, Rule.CHILD, ANONYMISED, now)
    _audit([(children[c], c, Guardian(pk=g)) for g, c in guardians], Rule.CHILD, "anonymised")
    _audit([(children[pk], pk, None) for pk in ids], Rule.CHILD, "anonymised")
    return len(ids)


def _delete_rows(queryset, rule, batch) -> int:
    """Delete rows that hold no content (codes and ids), `batch` at a time,
    auditing each by kind and id in its municipality's chain, or in the
    ledger where a row belongs to no municipality."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(queryset.order_by("pk").select_for_update()
                        .only("id", "municipality_id")[:batch])
            if not rows:
                return done
            now = timezone.now()
            by_municipality: dict = {}
            for row in rows:
                by_municipality.setdefault(row.municipality_id, []).append(row)
            for municipality_id, group in by_municipality.items():
                if municipality_id is None:
                    _ledger(None, group[0]._meta.model_name, [r.pk for r in group], rule,
                            DELETED, now)
                else:
                    _audit([(r, None, None) for r in group], rule, "deleted")
            queryset.model.objects.filter(pk__in=[r.pk for r in rows]).delete()
        done += len(rows)


def _remove_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row no longer names it; a file left behind is logged, not fatal.
            log.exception("could not delete %s", name)


def run_municipality(municipality, now=None, batch: int = BATCH) -> Totals:
    now = now or timezone.now()
    totals = Totals()
    with scope(municipality=municipality):
        schedule = schedule_for(municipality)

        def before(rule):
            return cutoff(now, schedule.months(rule))

        def files_batch(work):
            def run(ids):
                files: list[str] = []
                n = work(ids, files)
                transaction.on_commit(lambda: _remove_files(files))
                return n
            return run

        totals.add("consent_scan", _batches(
            scan_candidates(municipality, before(Rule.CONSENT_SCAN)), batch,
            files_batch(lambda ids, files: _remove_scans(
                municipality, ids, Rule.CONSENT_SCAN, now, files)), child_ref="relay__child_id"))
        totals.add("report", _batches(
            report_candidates(municipality, before(Rule.REPORT_ARCHIVED)), batch,
            lambda ids: _anonymise_reports(municipality, ids, Rule.REPORT_ARCHIVED, now)))
        totals.add("relay", _batches(
            relay_candidates(municipality, before(Rule.RELAY_ARCHIVED)), batch,
            files_batch(lambda ids, files: _anonymise_relays(
                municipality, ids, Rule.RELAY_ARCHIVED, now, files))))
        totals.add("concern", _batches(
            concern_candidates(municipality, before(Rule.CONCERN_CLOSED)), batch,
            lambda ids: _anonymise_concerns(municipality, ids, Rule.CONCERN_CLOSED, now)))
        totals.add("child", _batches(
            child_candidates(municipality), batch,
            lambda ids: _anonymise_children(municipality, ids, now), child_ref="pk"))
        totals.add("notice", _delete_rows(
            Notice.objects.filter(municipality=municipality, created_at__lte=before(Rule.NOTICE)),
            Rule.NOTICE, batch))
        totals.add("outbox", _delete_rows(
            OutboxMessage.objects.filter(municipality=municipality, state__in=TERMINAL,
                                         created_at__lte=before(Rule.OUTBOX)),
            Rule.OUTBOX, batch))
    return totals


TERMINAL = (OutboxMessage.State.SENT, OutboxMessage.State.CANCELLED, OutboxMessage.State.FAILED)


def _longest(rule: str) -> int:
    """For what belongs to no municipality (a family account, a person's
    daily digest): the longest period any municipality set, so no
    municipality's schedule is cut short."""
    values = RetentionSchedule.objects.values_list(f"{rule}_months", flat=True)
    return max(values, default=DEFAULT_MONTHS[rule])


def family_account_candidates(before: dt.datetime):
    """Citizens' accounts linked to no child any more (every guardian and
    child record with their number is anonymised), idle since `before`."""
    User = get_user_model()  # noqa: N806
    linked = (Exists(Guardian._base_manager.filter(national_id=OuterRef("national_id")))
              | Exists(Child._base_manager.filter(national_id=OuterRef("national_id"))))
    return (User.objects.filter(kind=User.Kind.CITIZEN)
            .filter(Q(last_login__lte=before) | Q(last_login__isnull=True, date_joined__lte=before))
            .exclude(linked).exclude(_disposed("user")))


def _anonymise_accounts(ids, now) -> int:
    User = get_user_model()  # noqa: N806
    users = list(User.objects.filter(pk__in=ids))
    for user in users:
        # The row stays (the audit trail and the family's entries point to
        # it); nothing in it identifies the person or lets anyone log in.
        # The number's placeholder has letters, so it never matches a real one.
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = user.preferred_language = ""
        user.national_id = f"x{user.pk:010d}"[-11:]
        user.is_active = False
        user.set_unusable_password()
        user.session_salt = get_random_string(32)
    User.objects.bulk_update(users, ["username", "first_name", "last_name", "email",
                                     "preferred_language", "national_id", "is_active",
                                     "password", "session_salt"])
    _ledger(None, "user", ids, Rule.FAMILY_ACCOUNT, ANONYMISED, now)
    return len(ids)


def run(now=None, batch: int = BATCH) -> dict:
    """Every municipality's schedule, then what belongs to none."""
    now = now or timezone.now()
    totals = Totals()
    with scopes_disabled():
        municipalities = list(Municipality.objects.order_by("pk"))
    for municipality in municipalities:
        for key, n in run_municipality(municipality, now, batch).counts.items():
            totals.add(key, n)
    with scopes_disabled():
        totals.add("outbox", _delete_rows(
            OutboxMessage.objects.filter(municipality__isnull=True, state__in=TERMINAL,
                                         created_at__lte=cutoff(now, _longest(Rule.OUTBOX))),
            Rule.OUTBOX, batch))
        totals.add("family_account", _batches(
            family_account_candidates(cutoff(now, _longest(Rule.FAMILY_ACCOUNT))), batch,
            lambda ids: _anonymise_accounts(ids, now), child_ref=None))
    return totals.counts
