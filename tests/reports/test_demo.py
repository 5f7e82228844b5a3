"""The demo has one report of concern, approved and sent to the file
drop, whose JSON validates against the official schema; its municipalities
and services have valid (fictional) organisation numbers."""

import json

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from stafett.lib import org_number
from stafett.notify import outbox
from stafett.reports.models import ChildWelfareReport
from stafett.tenancy.models import Municipality, Service

from .helpers import official_errors, sent_files

pytestmark = pytest.mark.django_db


def test_the_demo_sends_one_report_and_says_where_it_lands(capsys, filedrop):
    call_command("seed_demo")
    out = capsys.readouterr().out
    with scopes_disabled():
        [report] = ChildWelfareReport.objects.all()
        assert report.status == "sent" and report.approved_by.username == "leif"
        assert report.reporter.username == "kari"
        for m in Municipality.objects.all():
            assert org_number.is_valid(m.organisation_number)
        for service in Service.objects.filter(kind="basis"):
            assert org_number.is_valid(service.organisation_number)
    assert official_errors(report.document) == []
    folder = filedrop / "report" / "9901" / str(report.message_id)
    assert str(folder) in out
    # Sent there once, as the worker of `make run` would: nothing left to send.
    assert "sent" not in outbox.deliver_all(channels_only=("report",))
    files = sent_files(filedrop, report)
    assert official_errors(json.loads(files["bekymringsmelding.json"])) == []
    assert files["bekymringsmelding.pdf"].startswith(b"%PDF")
    # A second run adds nothing.
    call_command("seed_demo")
    with scopes_disabled():
        assert ChildWelfareReport.objects.count() == 1
