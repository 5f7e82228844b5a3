"""Benchmark: every page of issue 12's table on the national data set, each
measured interleaved with a bare authenticated view on the same server.

Build the data first (tests/load/national.py), then:
    .venv/bin/python tests/load/bench_pages.py
Options: --db (stafett_national), --server, --requests N (per page and per
client, 100), --clients N (concurrent clients, 2), --port, --out
(docs/performance.md; --out - prints only).

It starts gunicorn (2 sync workers, DEBUG off, tests/load/bench_settings.py)
on the database, logs in as the data set's people through the real login
form, and for each page alternates page, bare view, page, bare view … from
each client. It prints and writes queries per request (the `X-Queries`
header the benchmark settings add), p50, p95 and the page's throughput
relative to the bare view's (mean bare latency / mean page latency, at the
same concurrency); the RSS of each gunicorn worker (max over the run, from
/proc); the family access log's query on the national audit trail; and the
audit write concurrency, when tests/load/bench_audit.py exists. Not
collected by pytest (tests/load/conftest.py).
"""

import argparse
import datetime as dt
import http.client
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BARE = "/_bench/bare/"
TARGETS = {  # issue 12's targets, for the table's last column
    "leadership view": (100, 0.5), "public guide": (None, None),
}
DEFAULT_TARGET = (50, 0.5)


class Client:
    """One person's browser: a cookie jar over http.client (gunicorn's sync
    workers close each connection, so every request connects anew)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1800)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        begun = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - begun
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return response, content, elapsed

    def login(self, username: str, password: str):
        response, content, _ = self.request("GET", "/konto/logg-inn/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
        response, content, _ = self.request("POST", "/konto/logg-inn/", {
            "csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed ({response.status})")
        location = response.headers["Location"]
        if "to-trinn" in location:
            raise SystemExit(f"{username} is asked for a second factor; pick another person")


def people_of(dsn: str) -> dict:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("SELECT name, value FROM bench_people").fetchall())


def pages(people: dict) -> list[tuple[str, str | None, str]]:
    """(label, who, path): who None is an anonymous visitor."""
    return [
        ("my worries", "bench-holder", "/bekymringer/"),
        ("a worry", "bench-holder", f"/bekymringer/{people['worry']}/"),
        ("relay list", "bench-holder", "/stafettlogg/"),
        ("a relay with 500 entries", "bench-holder", f"/stafettlogg/{people['big_relay']}/"),
        ("relay list (participant)", "bench-participant", "/stafettlogg/"),
        ("follow-up list", "bench-holder", "/oppfolging/"),
        ("leadership view", "bench-coordinator", "/ledelse/"),
        ("public guide", None, f"/k/{people['city_number']}/veileder/"),
    ]


# --- gunicorn and its workers' memory ------------------------------------------


def start_gunicorn(dsn: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "tests.load.bench_settings",
           "STAFETT_DEBUG": "0", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "stafett.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
         "--timeout", "1800"], env=env)  # a slow page is measured, not killed
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/konto/logg-inn/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def workers_of(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry))
    return children


class MemoryWatch(threading.Thread):
    """The highest RSS of each worker, sampled every 100 ms: over the whole
    run (`peak`) and from the first page on (`serving`). Logging in hashes
    the password with Argon2, whose working memory (Django's default memory
    cost, about 100 MB) is freed when the hash is done: the difference."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.stopped = master, {}, threading.Event()
        self.serving: dict | None = None  # set to {} once the logins are done

    def run(self):
        while not self.stopped.is_set():
            for pid in workers_of(self.master):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
                if self.serving is not None:
                    self.serving[pid] = max(self.serving.get(pid, 0), rss)
            self.stopped.wait(0.1)


# --- measuring ------------------------------------------------------------------


def measure(label, path, clients, requests, seconds=None):
    """Each client (a page's session and a logged-in one for the bare view,
    the same but for the public page): page, bare, page, bare … Returns the
    page's and the bare view's latencies (s) and the page's query counts."""
    page_times, bare_times, queries, errors = [], [], [], []

    deadline = time.perf_counter() + seconds if seconds else None

    def run(pair):
        for i in range(requests):
            if deadline and i and time.perf_counter() > deadline:
                return  # a slow page: at least one pair per client, then the time box
            for client, target, times in ((pair[0], path, page_times), (pair[1], BARE, bare_times)):
                response, _content, elapsed = client.request("GET", target)
                if response.status != 200:
                    errors.append(f"{target}: {response.status}")
                    return
                times.append(elapsed)
                if target == path:
                    queries.append(int(response.headers.get("X-Queries", -1)))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{label}: {errors[0]}")
    return page_times, bare_times, queries


def pct(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1] if len(values) > 1 \
        else values[0]


def row_for(label, page_times, bare_times, queries):
    target_p95, target_ratio = TARGETS.get(label.split(" (")[0], DEFAULT_TARGET)
    ratio = statistics.mean(bare_times) / statistics.mean(page_times)
    return {"page": label, "n": len(page_times), "queries": f"{min(queries)}–{max(queries)}" if min(queries) != max(queries)
            else str(queries[0]),
            "p50": pct(page_times, 0.5) * 1000, "p95": pct(page_times, 0.95) * 1000,
            "bare_p50": pct(bare_times, 0.5) * 1000, "bare_p95": pct(bare_times, 0.95) * 1000,
            "ratio": ratio, "target": "—" if target_p95 is None else
            f"p95 ≤ {target_p95} ms, ≥ {target_ratio}"}


# --- the other parts of the benchmark ------------------------------------------------


def access_log_timing(dsn: str, people: dict, runs: int = 21) -> str:
    """The family access log's query (stafett.citizen.access_log, first page)
    for the child with thousands of events, among all the audit events."""
    os.environ.update(DATABASE_URL=dsn, DJANGO_SETTINGS_MODULE="stafett.settings")
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scopes_disabled

    from stafett.audit.models import AuditEvent
    from stafett.citizen import access_log

    municipality, child = int(people["city"]), int(people["target_child"])
    with scopes_disabled():
        def page():
            return list(access_log.events_for_child(municipality, [child])
                        .select_related("actor", "service")[:access_log.PAGE_SIZE + 1])

        page()
        times = []
        for _ in range(runs):
            begun = time.perf_counter()
            page()
            times.append(time.perf_counter() - begun)
        own = AuditEvent.objects.filter(municipality_id=municipality, child_id=child).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'audit_auditevent'")
        total = cursor.fetchone()[0]
    connection.close()
    return (f"first page of the access log of a child with {own:,} events among ~{total:,}: "
            f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
            f"of {runs} runs (the query of stafett.citizen.access_log, in-process)")


def audit_concurrency(dsn: str) -> str:
    """HOOK: the audit write concurrency (1, 2, 4 writers; one municipality
    against several) is tests/load/bench_audit.py's, written beside this
    file. When it exists it is run here on the same database and its output
    goes into the report as it prints it."""
    script = Path(__file__).with_name("bench_audit.py")
    if not script.exists():
        return "(tests/load/bench_audit.py does not exist yet: not measured in this run)"
    env = {**os.environ, "DATABASE_URL": dsn, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                            cwd=ROOT, timeout=1800)
    return (result.stdout + (f"\n(exit {result.returncode}) {result.stderr[-2000:]}"
                             if result.returncode else "")).strip()


def machine(dsn: str) -> dict:
    import psycopg

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    with psycopg.connect(dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": f"{mem} GB", "postgres": version,
            "python": platform.python_version(), "load": os.getloadavg()}


# --- the report ---------------------------------------------------------------------


NOTES = "## Notes"


def report(info, people, rows, memory, access, audit, args) -> str:
    table = ["| page (city of 10 000 open relays) | n | queries | p50 | p95 | bare p50 | bare p95 "
             "| throughput vs bare view | target |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        table.append(f"| {r['page']} | {r['n']} | {r['queries']} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | "
                     f"{r['bare_p50']:.0f} ms | {r['bare_p95']:.0f} ms | {r['ratio']:.2f} | {r['target']} |")
    workers, serving = (", ".join(f"{v:.0f} MB" for v in sorted(memory[phase].values(), reverse=True))
                        or "not seen" for phase in ("peak", "serving"))
    return f"""# Performance on a national data set

Measured by `tests/load/bench_pages.py` on the data set `tests/load/national.py`
builds (run both by hand; see their docstrings). Every page is measured
interleaved with a bare authenticated view (it loads the session user and
renders a tiny template, through the same middleware: the floor for any page)
from the same clients, so a busy machine slows both alike. Targets are issue
12's.

- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, code at `{git_head()}`
- **Machine:** {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, PostgreSQL {info['postgres']},
  Python {info['python']}; load average at the start {info['load'][0]:.1f} (the machine
  is shared with other work, so figures vary between runs)
- **Data set:** {people.get('_size', '?')}
- **Build time of the data set:** {people.get('_build', '?')}
- **Server:** gunicorn, 2 sync workers, DEBUG off (`tests/load/bench_settings.py`)
- **Load:** {args.clients} concurrent clients, up to {args.requests} requests of each page
  and as many of the bare view per client (page and bare view alternating; a
  page slower than its time box of {args.seconds:.0f} s gets fewer, at least one per
  client: the "n" column), after a warm-up; the people are the data set's own
  (`bench_people`), logged in through the login form

{chr(10).join(table)}

The city (municipality 7000, 60 services) is where every page is read: the
holder has 300 of its relays and 200 level-0 worries of their own, the
participant takes part in 600 relays through their service (most covered by
the consent in force, some by a withdrawn or expired one), the coordinator
reads the leadership view of the whole municipality, and one relay has 500
entries. See tests/load/national.py for the rest of the set's shape.

"Throughput vs bare view" is the bare view's mean latency divided by the page's
at the same concurrency (1.0: the page costs no more than the floor). The
public guide is anonymous; the bare view beside it is the logged-in one.

**Gunicorn worker memory** (highest RSS of each worker; target < 150 MB):
while serving the pages {serving}; over the whole run, logins included,
{workers} (a login hashes the password with Argon2, whose working memory,
Django's default of about 100 MB, is freed when the hash is done)

**A family's access log** (target ≤ 20 ms): {access}

**Audit write concurrency** (1, 2, 4 writers; one municipality against several):

```
{audit}
```
"""


def git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="stafett_national")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60,
                        help="time box per page: a slow page gets fewer requests (at least one per client)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    dsn = f"{args.server}/{args.db}"
    people = people_of(dsn)
    info = machine(dsn)
    password = people["password"]

    server = start_gunicorn(dsn, args.port)
    watch = MemoryWatch(server.pid)
    watch.start()
    rows = []
    try:
        sessions = {}
        for who in {"bench-holder", "bench-participant", "bench-coordinator", "bench-leader"}:
            sessions[who] = []
            for _ in range(args.clients):
                client = Client(args.port)
                client.login(who, password)
                sessions[who].append(client)
        anonymous = [Client(args.port) for _ in range(args.clients)]
        time.sleep(0.3)  # the last login's sample taken, Argon2's memory freed
        watch.serving = {}
        for label, who, path in pages(people):
            # The public page is read anonymously; its bare view by the holder.
            clients = (list(zip(sessions[who], sessions[who], strict=True)) if who
                       else list(zip(anonymous, sessions["bench-holder"], strict=True)))
            warm = measure(label, path, clients, max(1, args.requests // 10), args.seconds)
            if min(warm[0]) > args.seconds:
                # Slower than its whole time box: the warm-up requests are the figures.
                page_times, bare_times, queries = warm
                label = f"{label} (cold: one request per client)"
            else:
                page_times, bare_times, queries = measure(label, path, clients, args.requests, args.seconds)
            row = row_for(label, page_times, bare_times, queries)
            rows.append(row)
            print(f"{label:28} n {row['n']:4}  queries {row['queries']:>5}  p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms"
                  f"  bare p50 {row['bare_p50']:5.1f} ms  ratio {row['ratio']:.2f}", flush=True)
    finally:
        watch.stopped.set()
        watch.join()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
    memory = {"peak": watch.peak, "serving": watch.serving or {}}
    for phase, peaks in memory.items():
        print(f"gunicorn workers, max RSS ({phase}):", ", ".join(f"{v:.0f} MB" for v in peaks.values()),
              flush=True)
    access = access_log_timing(dsn, people)
    print("access log:", access, flush=True)
    audit = audit_concurrency(dsn)
    print("audit concurrency:", audit, flush=True)
    text = report(info, people, rows, memory, access, audit, args)
    if args.out != "-":
        # Notes written by hand after "## Notes" (what a run means, earlier
        # figures) are kept; the measured part above them is replaced.
        out = Path(args.out)
        old = out.read_text() if out.exists() else ""
        if NOTES in old:
            text = text.rstrip("\n") + "\n\n" + old[old.index(NOTES):]
        out.write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
