"""A worker killed between sending a report and marking it: the report is
delivered once.

A real worker process (`manage.py deliver_outbox`) runs against the test's
database with STAFETT_REPORT_PAUSE_AFTER_SEND set: the report channel, right
after the transport has written the folder and before it marks anything,
touches the marker file and waits; the test then SIGKILLs it. A second
worker before the claim timeout finds nothing due; one after it sends again:
the file drop finds the folder of that message id already there and writes
nothing, and the report and the outbox row are marked sent. One folder.

The database is reached as in tests/notify/test_kill.py (an in-memory SQLite
test database is copied to a file first; PostgreSQL's is shared).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from stafett.reports.channels import PAUSE_ENV
from tests.concerns.helpers import make_concern
from tests.notify.test_kill import WorkerDatabase

from .helpers import approved, official_errors, sent_document

ROOT = Path(settings.BASE_DIR)


class Worker:
    def __init__(self, db: WorkerDatabase, filedrop):
        self.db = db
        self.env = {**db.env, "STAFETT_FILEDROP_DIR": str(filedrop)}

    def start(self, *args, **env):
        return subprocess.Popen(
            [sys.executable, "manage.py", "deliver_outbox", "--once", *args], cwd=ROOT,
            env={**self.env, **env}, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, *args, **env) -> subprocess.CompletedProcess:
        process = self.start(*args, **env)
        out, err = process.communicate(timeout=120)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    def one(self, sql, params):
        connection = self.db._connect()
        try:
            cursor = connection.cursor()
            if self.db.path is None:
                sql = sql.replace("?", "%s")
            cursor.execute(sql, params)
            return tuple(cursor.fetchone())
        finally:
            connection.close()

    def outbox_row(self, key):
        return self.one("SELECT state, claimed_by FROM notify_outboxmessage WHERE key = ?", [key])

    def report_status(self, pk):
        return self.one("SELECT status FROM reports_childwelfarereport WHERE id = ?", [pk])[0]


def _wait_for(path: Path, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            raise AssertionError(f"the worker ended first: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the worker never reached the pause point")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_sending_and_marking_delivers_the_report_once(
        world, filedrop, tmp_path):
    report = approved(world, make_concern(world, shared=True))
    key = f"report:{report.pk}"
    worker = Worker(WorkerDatabase(tmp_path), filedrop)
    folders = Path(filedrop) / "report" / world.fjordvik.number

    marker = tmp_path / "sent-not-marked"
    doomed = worker.start("--worker-id", "doomed-worker", **{PAUSE_ENV: str(marker)})
    _wait_for(marker, doomed)
    # The transport has written the folder; nothing is marked yet. Kill it.
    assert [p.name for p in folders.iterdir()] == [str(report.message_id)]
    written = {p.name: p.stat().st_mtime_ns for p in (folders / str(report.message_id)).iterdir()}
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=30)
    assert doomed.returncode == -signal.SIGKILL
    assert worker.outbox_row(key) == ("sending", "doomed-worker")
    assert worker.report_status(report.pk) == "queued"

    # Before the claim times out, another worker leaves it alone.
    early = worker.run()
    assert early.returncode == 0, early.stderr
    assert "nothing due" in early.stdout
    assert worker.outbox_row(key) == ("sending", "doomed-worker")

    # After the timeout it is claimed again and sent again: the receiver
    # (here the file drop) drops the copy with the same message id.
    time.sleep(1.5)
    second = worker.run("--worker-id", "second-worker", STAFETT_OUTBOX_CLAIM_TIMEOUT="1")
    assert second.returncode == 0, second.stderr
    assert "sent: 1" in second.stdout
    assert worker.outbox_row(key) == ("sent", "second-worker")
    assert worker.report_status(report.pk) == "sent"
    # Delivered once: one folder, its files untouched since the first worker wrote them.
    assert [p.name for p in folders.iterdir()] == [str(report.message_id)]
    assert {p.name: p.stat().st_mtime_ns
            for p in (folders / str(report.message_id)).iterdir()} == written
    assert official_errors(sent_document(filedrop, report)) == []


def test_the_pause_point_is_never_honoured_in_production(monkeypatch, tmp_path, settings):
    from stafett.reports import channels

    settings.PRODUCTION = True
    monkeypatch.setenv(PAUSE_ENV, str(tmp_path / "marker"))
    channels._pause_point()  # returns at once
    assert not (tmp_path / "marker").exists()
    assert os.environ[PAUSE_ENV]
