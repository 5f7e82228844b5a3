"""A worker killed between sending and marking: the message is not sent
again, and `manage.py outbox` reports it as uncertain.

The worker runs as a real process (`manage.py deliver_outbox`) against the
real SMTP server of the `smtp` fixture, whose handler SIGKILLs it when the
message arrives: before the server answers 250, or just after (then the
worker is frozen with SIGSTOP before the reply is written, so it can neither
read it nor mark the row, and killed once the 250 is out; a lock on the row
would not do on PostgreSQL, where the server finishes an UPDATE already sent
even when its client is dead). The process needs a database it can see: the
committed test database on PostgreSQL or in a SQLite file; an in-memory
SQLite test database is copied to a file first (sqlite3's backup), and the
state is then read from that file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from stafett.notify import outbox
from stafett.notify.models import OutboxMessage

ROOT = Path(settings.BASE_DIR)
TABLE = "notify_outboxmessage"


class WorkerDatabase:
    """How a worker process reaches the test's data, and how the test reads
    the outcome."""

    def __init__(self, tmp_path):
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        conf = connection.settings_dict
        if connection.vendor == "postgresql":
            password = f":{quote(conf['PASSWORD'], safe='')}" if conf.get("PASSWORD") else ""
            self.dsn = (f"postgres://{quote(conf['USER'] or 'postgres', safe='')}{password}@"
                        f"{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}")
            self.env["DATABASE_URL"] = self.dsn
            self.path = None
        else:
            name = str(conf["NAME"])
            if connection.creation.is_in_memory_db(name):
                self.path = str(tmp_path / "worker.sqlite3")
                connection.ensure_connection()
                copy = sqlite3.connect(self.path)
                try:
                    connection.connection.backup(copy)
                finally:
                    copy.close()
            else:
                self.path = name
            self.env["STAFETT_SQLITE_PATH"] = self.path

    def _connect(self):
        if self.path is None:
            import psycopg

            return psycopg.connect(self.dsn)
        return sqlite3.connect(self.path, timeout=20)

    def row(self, pk) -> tuple[str, str]:
        db = self._connect()
        try:
            cursor = db.cursor()
            placeholder = "%s" if self.path is None else "?"
            cursor.execute(f"SELECT state, claimed_by FROM {TABLE} WHERE id = {placeholder}", [pk])
            return tuple(cursor.fetchone())
        finally:
            db.close()

    def manage(self, *args, smtp_port, extra_env=None, **popen):
        env = {**self.env, "STAFETT_EMAIL_HOST": "127.0.0.1", "STAFETT_EMAIL_PORT": str(smtp_port),
               "STAFETT_EMAIL_USE_TLS": "0", "STAFETT_EMAIL_TIMEOUT": "10", **(extra_env or {})}
        return subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
        )

    def run(self, *args, smtp_port, extra_env=None) -> subprocess.CompletedProcess:
        process = self.manage(*args, smtp_port=smtp_port, extra_env=extra_env)
        out, err = process.communicate(timeout=120)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _wait_until(pid, states, timeout=30):
    """Until process `pid` is in one of `states` (Linux /proc: T stopped,
    Z zombie, X dead) or gone; the main thread reaps it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in states:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not reach {states}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moment", ["before_250", "after_250"])
def test_a_worker_killed_between_send_and_mark_never_sends_twice(world, smtp, tmp_path, moment):
    with scope(municipality=world.fjordvik), transaction.atomic():
        notice = outbox.tell(world.other_employee, "handover_offered", municipality=world.fjordvik)
    with scopes_disabled():
        pk = OutboxMessage.objects.get(key=f"notice:{notice.pk}").pk
    db = WorkerDatabase(tmp_path)
    worker: dict = {}

    def kill_the_worker(message, server):
        process = worker["process"]
        if moment == "before_250":
            process.send_signal(signal.SIGKILL)
            _wait_until(process.pid, "ZX")  # dead before the reply is written
        else:
            # Frozen before the reply is written, so it cannot read it or
            # mark the row; the server writes its 250, then the kill comes.
            process.send_signal(signal.SIGSTOP)
            _wait_until(process.pid, "TZX")
            threading.Timer(0.5, process.send_signal, [signal.SIGKILL]).start()
        return None  # 250: the server has the message

    smtp.on_data = kill_the_worker
    worker["process"] = db.manage("deliver_outbox", "--once", "--worker-id", "doomed-worker",
                                  smtp_port=smtp.port)
    out, err = worker["process"].communicate(timeout=120)
    assert worker["process"].returncode == -signal.SIGKILL, (out, err)
    smtp.wait_handled(1)
    assert len(smtp.accepted) == 1
    assert db.row(pk) == ("sending", "doomed-worker")

    # A second worker, also after the claim has timed out: nothing is sent again.
    quick = {"STAFETT_OUTBOX_CLAIM_TIMEOUT": "1"}
    time.sleep(1.5)
    second = db.run("deliver_outbox", "--once", smtp_port=smtp.port, extra_env=quick)
    assert second.returncode == 0, second.stderr
    assert "nothing due" in second.stdout
    assert len(smtp.received) == 1
    assert db.row(pk) == ("sending", "doomed-worker")

    # The operator is told.
    report = db.run("outbox", smtp_port=smtp.port, extra_env=quick)
    assert report.returncode == 0, report.stderr
    assert f"{pk:>8}  uncertain" in report.stdout and "doomed-worker" in report.stdout
