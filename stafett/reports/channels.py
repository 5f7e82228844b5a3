"""The outbox channel that delivers an approved report, and the handler of
the receiver's receipts.

The channel is idempotent: the parcel carries the report's frozen message id,
and the receiver (a file-drop folder named by it, Fiks IO's message id)
drops a second copy. So a worker that dies after the transport took the
report and before it was marked sent is simply followed by another worker
after the claim timeout: the report arrives once, and is marked then.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django_scopes import scopes_disabled

from stafett import transport
from stafett.notify.channels import Cancelled, NotSent, channel

from . import actions
from . import document as doc
from .models import ChildWelfareReport
from .policy import settings_for

# A test (tests/reports/test_exactly_once.py) stops a real worker right here,
# between sending and marking: the worker touches this file and waits to be
# killed. Never honoured in production.
PAUSE_ENV = "STAFETT_REPORT_PAUSE_AFTER_SEND"


def _pause_point():
    marker = os.environ.get(PAUSE_ENV)
    if marker and not getattr(settings, "PRODUCTION", False):
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        while True:
            time.sleep(1)


def parcel_for(report: ChildWelfareReport) -> transport.Parcel:
    conf = settings_for(report.municipality)
    return transport.Parcel(
        message_id=report.message_id,
        message_type=doc.MESSAGE_TYPE,
        record="report",
        municipality_number=report.municipality.number,
        receiver=conf.receiver,
        files=(
            (doc.JSON_NAME, doc.document_bytes(report.document)),
            (doc.PDF_NAME, bytes(report.pdf)),
        ),
    )


@channel(actions.CHANNEL, idempotent=True)
def deliver_report(message) -> None:
    with scopes_disabled():
        report = (ChildWelfareReport.objects.select_related("municipality")
                  .filter(pk=message.params.get("report")).first())
        if report is None or not report.frozen:
            raise Cancelled("no approved report to send")
        parcel = parcel_for(report)
    try:
        transport.send(parcel)
    except transport.TransportError as error:
        raise NotSent(str(error), permanent=error.permanent) from error
    _pause_point()
    actions.mark_sent(report.pk)


# Both the file drop's receipts ("…v2.kvittering") and Fiks IO's
# ("no.ks.fiks.bekymringsmelding.mottatt.v1" / "…feilet.v1") start so.
transport.on_receipt("no.ks.fiks.bekymringsmelding", actions.record_receipt)
