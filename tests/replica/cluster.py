"""A throwaway PostgreSQL primary and a streaming replica of it, in a
temporary folder on free ports, for the replica tests (tests/replica).

The pair is the tests' own: nothing on the machine's PostgreSQL server
changes (no replication line in its pg_hba.conf, no base backup of whatever
databases it holds), and pausing the replica's replay affects nobody else.
Durability is switched off on both: the data lives only for the test run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class ClusterError(RuntimeError):
    """The pair could not be started; the message says why."""


def pg_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian's layout
    first, then PATH), or None."""
    if explicit := os.environ.get("STAFETT_PG_BIN"):
        return Path(explicit)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Pair:
    root: Path
    bin: Path
    primary_port: int
    replica_port: int
    user: str | None  # the system user the servers run as (None: this process's user)

    def _run(self, *argv, check=True, timeout=120):
        cmd = [str(a) for a in argv]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL, cwd=self.root)
        if check and result.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    def start(self) -> None:
        b = self.bin
        self._run(b / "initdb", "-D", self.primary_dir, "-U", "postgres", "-A", "trust",
                  "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8")
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# tests/replica: a throwaway primary\n"
                f"listen_addresses = '127.0.0.1'\nport = {self.primary_port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nwal_writer_delay = 10ms\n"
                "shared_buffers = 32MB\nmax_connections = 40\n"
                # The replica answers what it has, and tells the primary so.
                "hot_standby_feedback = on\n"
            )
        self._pg_ctl(self.primary_dir, "start")
        # A base backup of the fresh primary, streaming the WAL it needs; -R
        # writes standby.signal and the primary's address, so it starts as a
        # streaming replica.
        self._run(b / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary_port, "-U", "postgres",
                  "-D", self.replica_dir, "-R", "-X", "stream", "--no-sync", "-c", "fast")
        with open(self.replica_dir / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self._pg_ctl(self.replica_dir, "start")

    def _pg_ctl(self, data: Path, action: str) -> None:
        self._run(self.bin / "pg_ctl", "-D", data, "-l", data.parent / f"{data.name}.log",
                  "-w", "-t", "60", action)

    def stop(self) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                self._run(self.bin / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self, which: str) -> str:
        path = self.root / f"{which}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def start_pair() -> Pair:
    """Start the pair, or raise ClusterError saying why it cannot be."""
    b = pg_bin()
    if b is None or not (b / "initdb").exists():
        raise ClusterError("no PostgreSQL server binaries (initdb) on this machine; set STAFETT_PG_BIN")
    user = None
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as the postgres system user.
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterError("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        if shutil.which("runuser") is None:
            raise ClusterError("running as root and runuser is missing")
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="stafett-replica-"))
    if user:
        shutil.chown(root, user=user)
    pair = Pair(root=root, bin=b, primary_port=_free_port(), replica_port=_free_port(), user=user)
    try:
        pair.start()
    except (ClusterError, OSError, subprocess.TimeoutExpired) as exc:
        logs = f"\n--- primary log ---\n{pair.log('primary')}\n--- replica log ---\n{pair.log('replica')}"
        pair.stop()
        raise ClusterError(f"{exc}{logs}") from exc
    return pair


if __name__ == "__main__":  # python -m tests.replica.cluster: start, show, stop
    t = time.monotonic()
    p = start_pair()
    print(f"started in {time.monotonic() - t:.1f}s: primary {p.primary_port}, replica {p.replica_port}, {p.root}")
    input("Enter stops it… ") if os.isatty(0) else None
    p.stop()
