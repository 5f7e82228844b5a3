"""Writing, approving and freezing a report: pre-filled from the case, both
steps audited on the duty to report, the text frozen at approval."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from stafett.access.rules import Forbidden
from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.lib.errors import Conflict
from stafett.notify.models import Notice, OutboxMessage
from stafett.reports import actions
from stafett.reports.models import ChildWelfareReport, ReportSettings
from tests.concerns.helpers import make_concern
from tests.conftest import nb

from .helpers import approved, official_errors, submitted, write

pytestmark = pytest.mark.django_db


def test_a_report_is_prefilled_from_the_worry(world, today):
    concern = make_concern(world, shared=True)
    with scope(municipality=world.fjordvik):
        concern_actions.record_conversation(
            world.actor(world.teacher), concern, held_on=today, participants="Mor",
            summary="Mor forteller om mye flytting.", child_view="")
        report = actions.create_from_concern(world.actor(world.teacher), concern.pk)
    content = report.content
    assert content["child"]["name"] == "Ella Strandvik"
    assert content["child"]["national_id"] == concern.child.national_id
    assert content["child"]["unborn"] is False
    assert content["observed"] == "Virker sliten om morgenen."
    assert "Mor forteller om mye flytting." in content["history"]
    assert content["reporter"]["name"] == "Kari Lærersen"
    assert content["service"] == {
        "name": "Solsikken barnehage", "organisation_number": world.kindergarten.organisation_number,
        "address": "", "postcode": "", "town": ""}
    assert report.status == "draft" and report.reporter == world.teacher


def test_writing_and_approving_are_audited_on_the_duty_to_report(world):
    report = approved(world, make_concern(world, shared=True))
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(object_type="childwelfarereport",
                                                object_id=report.pk).order_by("id"))
    assert [(e.action, e.actor_id) for e in events] == [
        ("create", world.teacher.pk), ("update", world.teacher.pk),
        ("submit", world.teacher.pk), ("approve", world.leader.pk)]
    assert {e.legal_basis for e in events} == {"duty_to_report"}
    assert all(e.child_id == report.child_id for e in events)


def test_approval_freezes_the_record_and_queues_it_in_one_transaction(world):
    report = approved(world, make_concern(world, shared=True))
    assert report.status == "queued" and report.frozen
    assert report.approved_by == world.leader
    assert official_errors(report.document) == []
    assert report.document["offentligMelder"]["virksomhet"]["orgnr"] == \
        world.kindergarten.organisation_number
    assert report.document["offentligBarn"][0]["fnr"] == report.content["child"]["national_id"]
    assert [g["orientert"] for g in report.document["foresatte"]] == [True, False]
    pdf = PdfReader(io.BytesIO(bytes(report.pdf)))
    assert pdf.xmp_metadata is not None
    assert "pdfaid" in pdf.xmp_metadata.rdf_root.toxml()  # PDF/A identification
    assert "Virker sliten om morgenen." in "".join(p.extract_text() for p in pdf.pages)
    with scopes_disabled():
        [message] = OutboxMessage.objects.filter(key=f"report:{report.pk}")
    assert message.channel == "report" and message.params == {"report": report.pk}


def test_the_text_never_changes_after_approval(world):
    report = approved(world, make_concern(world, shared=True))
    teacher, leader = world.actor(world.teacher), world.actor(world.leader)
    with scope(municipality=world.fjordvik):
        for attempt in [
            lambda: actions.edit_report(teacher, report, version=report.version,
                                        content={"observed": "changed"}),
            lambda: actions.submit_report(teacher, report, version=report.version),
            lambda: actions.withdraw_report(teacher, report, version=report.version),
            lambda: actions.approve_report(leader, report, version=report.version),
            lambda: actions.send_back(leader, report, version=report.version, comment="x"),
        ]:
            with pytest.raises(Forbidden):
                attempt()
    with scopes_disabled():
        fresh = ChildWelfareReport.objects.get(pk=report.pk)
    assert fresh.document == report.document and fresh.content == report.content
    assert bytes(fresh.pdf) == bytes(report.pdf) and fresh.message_id == report.message_id


def test_a_stale_edit_is_a_conflict(world):
    report = write(world, make_concern(world))
    with scope(municipality=world.fjordvik), pytest.raises(Conflict):
        actions.edit_report(world.actor(world.teacher), report, version=report.version - 1,
                            content=report.content)


def test_the_leader_sends_it_back_with_a_comment(world):
    report = submitted(world, make_concern(world, shared=True))
    with scope(municipality=world.fjordvik):
        report = actions.send_back(world.actor(world.leader), report, version=report.version,
                                   comment="Skriv mer om hva barnet sa.")
        assert report.status == "draft" and report.submitted_at is None
        assert report.returned_comment == "Skriv mer om hva barnet sa."
        # Back with Kari: the leader no longer approves it, Kari edits again.
        with pytest.raises(Forbidden):
            actions.approve_report(world.actor(world.leader), report, version=report.version)
        report = actions.submit_report(world.actor(world.teacher), report, version=report.version)
        assert report.status == "awaiting" and report.returned_comment == ""


def test_withdrawn_is_never_sent(world):
    report = write(world, make_concern(world))
    with scope(municipality=world.fjordvik):
        report = actions.withdraw_report(world.actor(world.teacher), report,
                                         version=report.version)
    assert report.status == "withdrawn" and not report.frozen
    with scopes_disabled():
        assert not OutboxMessage.objects.filter(channel="report").exists()


def test_the_acute_path_sends_without_approval_only_where_the_municipality_allows(world):
    concern = make_concern(world)  # not even shared: the acute path does not wait
    report = write(world, concern, acute=True)
    kari = world.actor(world.teacher)
    with scope(municipality=world.fjordvik):
        with pytest.raises(Forbidden):
            actions.send_acute(kari, report, version=report.version)
        ReportSettings.objects.update_or_create(municipality=world.fjordvik,
                                                defaults={"acute_without_approval": True})
        report = actions.send_acute(kari, report, version=report.version)
    assert report.status == "queued" and report.approval_skipped and report.approved_by is None
    assert official_errors(report.document) == []
    with scopes_disabled():
        assert AuditEvent.objects.filter(object_id=report.pk, action="send_acute",
                                         legal_basis="duty_to_report").exists()


def test_a_report_not_from_the_acute_path_is_never_sent_without_approval(world):
    report = write(world, make_concern(world))
    with scope(municipality=world.fjordvik):
        ReportSettings.objects.update_or_create(municipality=world.fjordvik,
                                                defaults={"acute_without_approval": True})
        with pytest.raises(Forbidden):
            actions.send_acute(world.actor(world.teacher), report, version=report.version)


def test_without_an_organisation_number_it_is_refused_with_a_clear_message(world):
    with scopes_disabled():
        world.kindergarten.organisation_number = ""
        world.kindergarten.save()
        world.fjordvik.organisation_number = ""
        world.fjordvik.save()
    report = write(world, make_concern(world))
    with scope(municipality=world.fjordvik), pytest.raises(ValidationError) as refused:
        actions.submit_report(world.actor(world.teacher), report, version=report.version)
    assert refused.value.messages == [nb(
        "The report cannot be sent: your service has no organisation number. "
        "Ask the BTI coordinator to enter it.")]
    with scopes_disabled():
        assert ChildWelfareReport.objects.get(pk=report.pk).status == "draft"


def test_content_the_schema_refuses_is_never_frozen(world):
    """The form keeps such text out; the schema check is the last guard for
    anything that reached the content another way (a name across lines)."""
    report = submitted(world, make_concern(world, shared=True))
    with scopes_disabled():
        broken = dict(report.content)
        broken["reporter"] = {**broken["reporter"], "phone": "ring meg"}
        ChildWelfareReport.objects.filter(pk=report.pk).update(content=broken)
    with scope(municipality=world.fjordvik), pytest.raises(ValidationError) as refused:
        actions.approve_report(world.actor(world.leader), report, version=report.version)
    assert "offentligMelder/telefonnummer" in refused.value.messages[0]
    with scopes_disabled():
        fresh = ChildWelfareReport.objects.get(pk=report.pk)
        assert fresh.status == "awaiting" and fresh.message_id is None and fresh.pdf is None
        assert not OutboxMessage.objects.filter(channel="report").exists()
        assert not AuditEvent.objects.filter(object_id=report.pk, action="approve").exists()


def test_an_unborn_child_is_sent_without_a_number(world, today):
    import datetime as dt

    with scope(municipality=world.fjordvik):
        concern = concern_actions.create_concern(
            world.actor(world.teacher), service=world.kindergarten,
            child={"name": "Ufødt barn av Lene", "birth_date": None,
                   "expected_date": today + dt.timedelta(days=90), "national_id": ""},
            observations="Mor har fortalt om vold i hjemmet.", questions="")
    report = approved(world, concern, child_unborn="on", child_national_id="")
    barn = report.document["offentligBarn"][0]
    assert barn["ufoedt"] is True and barn["fnr"] == ""
    assert official_errors(report.document) == []


def notices(user):
    with scopes_disabled():
        return [(n.kind, n.object_type, n.object_id)
                for n in Notice.objects.filter(recipient=user).order_by("pk")]


def test_the_leader_is_told_a_report_waits_and_the_reporter_when_it_comes_back(world):
    """Leif is told in the app that a report waits for him; nobody else is; the notice opens the report for him only.
    Kari is told when he sends it back."""
    report = submitted(world, make_concern(world, shared=True))
    assert notices(world.leader) == [("report_awaiting_approval", "childwelfarereport", report.pk)]
    for other in (world.teacher, world.colleague, world.other_leader, world.coordinator):
        assert notices(other) == []
    page = world.client_for(world.leader).get(reverse("notify:list"))
    assert reverse("reports:detail", args=[report.pk]) in page.content.decode()
    assert world.client_for(world.leader).get(
        reverse("reports:detail", args=[report.pk])).status_code == 200
    assert world.client_for(world.colleague).get(
        reverse("reports:detail", args=[report.pk])).status_code == 404
    with scope(municipality=world.fjordvik):
        actions.send_back(world.actor(world.leader), report, version=report.version,
                          comment="Skriv mer om hva du har sett.")
    assert notices(world.teacher) == [("report_sent_back", "childwelfarereport", report.pk)]


def test_a_report_sent_on_the_acute_path_is_told_to_the_leader(world):
    with scopes_disabled():
        ReportSettings.objects.update_or_create(municipality=world.fjordvik,
                                                defaults={"acute_without_approval": True})
    report = write(world, make_concern(world, shared=True), acute=True)
    with scope(municipality=world.fjordvik):
        actions.send_acute(world.actor(world.teacher), report, version=report.version)
    assert notices(world.leader) == [("report_sent_acute", "childwelfarereport", report.pk)]
    assert notices(world.teacher) == []
