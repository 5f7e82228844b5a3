"""The retention worker on real data: what passes its rule is anonymised or
deleted, nothing else is; a legal hold keeps everything; the audit trail
verifies afterwards and the leadership figures are the same."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.log import verify_chain
from stafett.audit.models import AuditEvent, LegalBasis
from stafett.concerns.models import Child, Comment, Concern
from stafett.insights.aggregates import _read
from stafett.notify.models import Notice, OutboxMessage
from stafett.relay.models import (
    Consent,
    ConsentParty,
    Entry,
    Evaluation,
    Goal,
    Guardian,
    LevelChange,
    Measure,
    Meeting,
    Participant,
)
from stafett.retention import engine
from stafett.retention.models import Disposal, LegalHold, RetentionSchedule

from .helpers import MONTH, archive, closed_concern, full_relay

pytestmark = pytest.mark.django_db


def _later(months):
    return timezone.now() + months * MONTH


def _parts(relay):
    with scopes_disabled():
        return {model.__name__: model.objects.filter(relay=relay).count()
                for model in (Entry, Goal, Measure, Evaluation, Consent, Participant)}


def _hold(world, child, reason="complaint"):
    with scopes_disabled():
        return LegalHold.objects.create(municipality=world.fjordvik, child=child, reason=reason,
                                        set_at=timezone.now(), set_by=world.leader)


def test_an_archived_relay_past_its_period_is_anonymised(world, django_capture_on_commit_callbacks):
    relay, parents, consent = full_relay(world, archived_at=timezone.now())
    scan = consent.scan.name
    assert default_storage.exists(scan)
    before = _parts(relay)
    assert all(before.values()), before
    with django_capture_on_commit_callbacks(execute=True):
        totals = engine.run_municipality(world.fjordvik, now=_later(4))
    assert totals.counts["relay"] == 1
    with scopes_disabled():
        relay.refresh_from_db()
        assert (relay.child_name, relay.area_of_concern, relay.closing_summary,
                relay.child_last_word) == ("", "", "", "")
        # What the figures count stays: service, level, dates, status.
        assert relay.status == "closed" and relay.level == 2 and relay.closed_at
        assert set(_parts(relay).values()) == {0}
        meeting = Meeting.objects.get(relay=relay)
        assert (meeting.agenda, meeting.place, meeting.minutes) == ("", "", "")
        assert LevelChange.objects.get(relay=relay).reason == ""
        assert not ConsentParty.objects.filter(consent__relay=relay).exists()
        # The child had nothing else: anonymised too, and the guardians.
        child = Child.objects.get(pk=relay.child_id)
        assert child.name == "" and child.national_id == "" and child.name_key.startswith("anonymised:")
        assert child.birth_date.month == 1 and child.birth_date.day == 1
        for guardian in Guardian.objects.filter(child=child):
            assert (guardian.name, guardian.phone, guardian.national_id) == ("", "", "")
        assert Disposal.objects.filter(kind="relay", object_id=relay.pk, rule="relay_archived").exists()
        assert Disposal.objects.filter(kind="child", object_id=child.pk, rule="child").exists()
    assert not default_storage.exists(scan)


def test_a_younger_archived_relay_and_an_unarchived_one_are_kept(world):
    # Archived ten days before the run: younger than every period.
    young, _p, _c = full_relay(world, archived_at=_later(4) - dt.timedelta(days=10))
    unarchived, _p2, _c2 = full_relay(world, name="Olav Fjell")
    sent, _p3, _c3 = full_relay(world, name="Siri Dal")
    archive(world, "relay", sent, None, status="sent")
    kept = {r.pk: _parts(r) for r in (young, unarchived, sent)}
    totals = engine.run_municipality(world.fjordvik, now=_later(4))
    assert totals.counts == {}
    with scopes_disabled():
        for relay in (young, unarchived, sent):
            relay.refresh_from_db()
            assert relay.child_name and relay.closing_summary
            assert _parts(relay) == kept[relay.pk]
            assert Child.objects.get(pk=relay.child_id).name
        assert not Disposal.objects.exists()


def test_an_open_relay_is_never_touched_even_with_an_old_archive_row(world):
    relay, _p, _c = full_relay(world, close=False)
    archive(world, "relay", relay, timezone.now() - 12 * MONTH)
    assert engine.run_municipality(world.fjordvik, now=_later(4)).counts == {}


def test_a_child_on_legal_hold_keeps_everything(world):
    relay, _parents, consent = full_relay(world, archived_at=timezone.now())
    hold = _hold(world, relay.child)
    before = _parts(relay)
    totals = engine.run_municipality(world.fjordvik, now=_later(24))
    with scopes_disabled():
        relay.refresh_from_db()
        assert relay.closing_summary and _parts(relay) == before
        assert Child.objects.get(pk=relay.child_id).name
        assert Consent.objects.get(pk=consent.pk).scan
        assert not Disposal.objects.filter(kind__in=["relay", "child"]).exists()
        assert "relay" not in totals.counts and "consent_scan" not in totals.counts
        # Lifted: the next run deletes it.
        LegalHold.objects.filter(pk=hold.pk).update(lifted_at=timezone.now(), lifted_by=world.leader,
                                                    lift_reason="concluded")
    assert engine.run_municipality(world.fjordvik, now=_later(24)).counts["relay"] == 1


def test_a_closed_worry_past_its_period(world):
    concern = closed_concern(world)
    young = closed_concern(world, name="Per Vik", serial=8)
    with scopes_disabled():
        Concern.objects.filter(pk=young.pk).update(closed_at=_later(2))
    engine.run_municipality(world.fjordvik, now=_later(13))
    with scopes_disabled():
        concern.refresh_from_db()
        assert (concern.child_name, concern.observations, concern.outcome_reason,
                concern.closed_reason) == ("", "", "", "")
        assert concern.outcome == "close" and concern.decided_at and concern.service_id
        assert not Comment.objects.filter(concern=concern).exists()
        assert Child.objects.get(pk=concern.child_id).national_id == ""
        young.refresh_from_db()
        assert young.observations and Comment.objects.filter(concern=young).exists()


def test_a_worry_sent_to_the_archive_waits_for_its_receipt(world):
    concern = closed_concern(world)
    delivery = archive(world, "concern", concern, None, status="sent")
    engine.run_municipality(world.fjordvik, now=_later(13))
    with scopes_disabled():
        concern.refresh_from_db()
        assert concern.observations
        delivery.status, delivery.archived_at = "archived", timezone.now()
        delivery.save()
    engine.run_municipality(world.fjordvik, now=_later(13))
    with scopes_disabled():
        concern.refresh_from_db()
        assert concern.observations == ""


def test_the_schedule_decides(world):
    relay, _p, _c = full_relay(world, archived_at=timezone.now())
    with scope(municipality=world.fjordvik):
        schedule = engine.schedule_for(world.fjordvik)
        schedule.relay_archived_months = 12
        schedule.save()
    assert "relay" not in engine.run_municipality(world.fjordvik, now=_later(4)).counts
    assert engine.run_municipality(world.fjordvik, now=_later(13)).counts["relay"] == 1


def test_the_audit_verifies_and_holds_ids_and_codes_only(world):
    relay, _p, _c = full_relay(world, archived_at=timezone.now())
    with scopes_disabled():
        last = AuditEvent.objects.order_by("-id").first().pk
    engine.run_municipality(world.fjordvik, now=_later(4))
    with scopes_disabled():
        assert verify_chain(world.fjordvik.pk) is None
        rows = list(AuditEvent.objects.filter(municipality=world.fjordvik, pk__gt=last))
    assert rows
    assert {r.legal_basis for r in rows} == {LegalBasis.RETENTION}
    assert {r.actor_id for r in rows} == {None}
    assert {r.action for r in rows} == {"deleted:relay_archived", "anonymised:relay_archived",
                                        "deleted_scan:consent_scan", "anonymised:child"}
    anonymised = [r for r in rows if r.action == "anonymised:relay_archived"]
    assert [(r.object_type, r.object_id, r.child_id) for r in anonymised] == [
        ("relay", relay.pk, relay.child_id)]
    deleted = {r.item_type for r in rows if r.action == "deleted:relay_archived"}
    assert {"entry", "goal", "measure", "evaluation", "consent", "participant"} <= deleted
    # Nothing but ids and codes: every field is an id, a code or a hash.
    for row in rows:
        for value in (row.action, row.object_type, row.item_type):
            assert value == "" or value.replace("_", "").replace(":", "").isalpha()
            assert "Ella" not in value and "søvn" not in value.lower()


def test_the_leadership_figures_are_the_same_before_and_after(world):
    full_relay(world, archived_at=timezone.now())
    full_relay(world, name="Olav Fjell", archived_at=timezone.now())
    closed_concern(world)
    now = _later(13)
    with scope(municipality=world.fjordvik):
        before = _read(world.fjordvik, now)
    totals = engine.run_municipality(world.fjordvik, now=now)
    assert totals.counts["relay"] == 2 and totals.counts["concern"] >= 1
    with scope(municipality=world.fjordvik):
        after = _read(world.fjordvik, now)
    assert before == after
    assert sum(before.started.values()) >= 3 and before.stays


def test_batches_are_bounded_and_resumable(world, django_assert_max_num_queries):
    relays = [full_relay(world, name=f"Barn {i}", archived_at=timezone.now())[0] for i in range(5)]
    # A batch of two: three transactions, each locking and doing two relays.
    seen = []
    original = engine._anonymise_relays

    def spy(municipality, ids, *args):
        seen.append(list(ids))
        return original(municipality, ids, *args)

    engine._anonymise_relays = spy
    try:
        totals = engine.run_municipality(world.fjordvik, now=_later(4), batch=2)
    finally:
        engine._anonymise_relays = original
    assert [len(ids) for ids in seen] == [2, 2, 1]
    assert totals.counts["relay"] == 5
    assert sorted(sum(seen, [])) == sorted(r.pk for r in relays)
    # A second run finds nothing left to do.
    assert engine.run_municipality(world.fjordvik, now=_later(4), batch=2).counts == {}


def test_notices_and_finished_outbox_rows_are_deleted_after_their_period(world):
    now = timezone.now()
    with scopes_disabled():
        old = Notice.objects.create(municipality=world.fjordvik, recipient=world.teacher,
                                    kind="relay_closed", created_at=now - 7 * MONTH)
        new = Notice.objects.create(municipality=world.fjordvik, recipient=world.teacher,
                                    kind="relay_closed", created_at=now)
        sent = OutboxMessage.objects.create(municipality=world.fjordvik, channel="email",
                                            recipient=world.teacher, kind="notice", key="a",
                                            state="sent", created_at=now - 4 * MONTH,
                                            available_at=now)
        pending = OutboxMessage.objects.create(municipality=world.fjordvik, channel="email",
                                               recipient=world.teacher, kind="notice", key="b",
                                               state="pending", created_at=now - 4 * MONTH,
                                               available_at=now)
        digest = OutboxMessage.objects.create(channel="email", recipient=world.teacher,
                                              kind="digest", key="c", state="sent",
                                              created_at=now - 4 * MONTH, available_at=now)
    totals = engine.run(now=now)
    assert totals["notice"] == 1 and totals["outbox"] == 2
    with scopes_disabled():
        assert list(Notice.objects.values_list("pk", flat=True)) == [new.pk]
        assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [pending.pk]
        audited = set(AuditEvent.objects.filter(legal_basis=LegalBasis.RETENTION)
                      .values_list("object_type", "object_id", "action"))
        assert audited == {("notice", old.pk, "deleted:notice"),
                           ("outboxmessage", sent.pk, "deleted:outbox")}
        assert Disposal.objects.filter(kind="outboxmessage", object_id=digest.pk).exists()
        assert verify_chain(world.fjordvik.pk) is None


def test_a_family_account_linked_to_no_child_is_anonymised(world):
    from stafett.accounts.models import User

    relay, parents, _c = full_relay(world, archived_at=timezone.now())
    with scopes_disabled():
        Guardian.objects.filter(pk=parents[0].pk).update(national_id="01017012345")
    citizen = User.objects.create(username="mor", kind="citizen", national_id="01017012345",
                                  first_name="Mor", last_login=timezone.now())
    other = User.objects.create(username="far", kind="citizen", national_id="02027012345",
                                first_name="Far", last_login=_later(4))
    engine.run(now=_later(4))
    citizen.refresh_from_db()
    assert citizen.first_name == "Mor"  # unlinked only now: the period starts at the last login
    engine.run(now=_later(13))
    citizen.refresh_from_db()
    other.refresh_from_db()
    assert citizen.username == f"anonymised-{citizen.pk}" and citizen.first_name == ""
    assert not citizen.is_active and not citizen.has_usable_password()
    assert not citizen.national_id.isdigit()
    assert other.first_name == "Far"
    with scopes_disabled():
        assert RetentionSchedule.objects.exists()


def _report(world, relay, status, **fields):
    from stafett.reports.models import ChildWelfareReport

    with scopes_disabled():
        return ChildWelfareReport.objects.create(
            municipality=world.fjordvik, child=relay.child, relay=relay, service=world.health_station,
            reporter=world.health_nurse, status=status, created_at=timezone.now(),
            content={"observed": "Blåmerker på armen."}, document={"melding": "Blåmerker"},
            pdf=b"%PDF-1.7", **fields)


def test_a_received_report_on_an_archived_case_is_anonymised_and_keeps_the_child(world):
    relay, _p, _c = full_relay(world, archived_at=timezone.now())
    received = _report(world, relay, "received", received_at=timezone.now(),
                       sent_at=timezone.now())
    waiting = _report(world, relay, "sent", sent_at=timezone.now())
    engine.run_municipality(world.fjordvik, now=_later(4))
    with scopes_disabled():
        received.refresh_from_db()
        waiting.refresh_from_db()
        assert received.content == {} and received.document is None and received.pdf is None
        assert received.status == "received" and received.received_at
        assert waiting.content and waiting.pdf
        # The relay goes by its own rule; the child stays while a report lives.
        relay.refresh_from_db()
        assert relay.closing_summary == ""
        assert Child.objects.get(pk=relay.child_id).name
        assert AuditEvent.objects.filter(action="anonymised:report_archived",
                                         object_type="childwelfarereport",
                                         object_id=received.pk).exists()


def test_run_followup_runs_the_retention_worker(world, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    now = timezone.now()
    with scopes_disabled():
        Notice.objects.create(municipality=world.fjordvik, recipient=world.teacher,
                              kind="relay_closed", created_at=now - 7 * MONTH)
    call_command("run_followup", "--now")
    with scopes_disabled():
        assert not Notice.objects.exists()
        Notice.objects.create(municipality=world.fjordvik, recipient=world.teacher,
                              kind="relay_closed", created_at=now - 7 * MONTH)
    call_command("run_followup")
    with scopes_disabled():
        assert not Notice.objects.exists()
