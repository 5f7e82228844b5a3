"""Benchmark: the memory of the worker and of a web process while they write
and serve the exports of a big municipality, on PostgreSQL.

Run:
    createdb -h 127.0.0.1 -U postgres stafett_exports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_exports \
        .venv/bin/python tests/load/bench_memory.py [--closed 300] [--open 10000] [--measures 5000]

It migrates and (re)builds the data once, in bulk (municipality 9980, Minne
kommune): `--closed` closed relays (each with a consent, a meeting with
minutes, a correction and its closing summary: four PDF/A documents in the
extract), `--open` open relays for the follow-up rules, and `--measures`
measures in the catalogue. Rendering the PDFs costs some 0.2 s each, so the
extract of 300 closed relays (1 200 documents) takes about four minutes on 2
cores; what the extract holds does not grow with the cases (bench_extract.py
shows it up to 100 000 folders), so a bigger --closed only takes longer.

What it measures, exactly (every figure is the peak resident memory of a
process of its own, from the kernel: the worker's VmHWM read from /proc until
it ends, or the web process's VmHWM reset through /proc/self/clear_refs
before each request):
- worker: `manage.py db_worker --batch` started on a queue holding (a) nothing
  (the worker's own baseline), (b) the coordinator's Noark extract of the
  municipality, (c) the follow-up rules of every municipality, (d) both.
- web: one process with Django's whole middleware stack (the test client
  over the WSGI handler, as gunicorn's sync worker would call it), logged in as
  the coordinator, downloading each export and reading the whole body: the
  extract as a zip, the catalogue as CSV, the leadership view as CSV and
  XLSX. Printed: the bytes and the process's peak growth for each.
The target (issue 12): a worker stays under 150 MB.
"""

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")
# Production's settings as far as memory goes: DEBUG keeps every query.
os.environ.setdefault("STAFETT_DEBUG", "0")

NUMBER = "9980"
TEXT = ("Målet er nådd. Ella sover godt og kommer uthvilt i barnehagen. Foreldrene og "
        "helsestasjonen er enige om å avslutte stafettloggen; barnehagen følger med videre. ") * 3


def setup():
    import django

    django.setup()


def build(closed: int, open_: int, measures: int):
    from django.core.management import call_command
    from django.db import transaction
    from django_scopes import scopes_disabled

    from stafett.catalog.models import CatalogMeasure
    from stafett.relay.models import Relay
    from stafett.tenancy.models import Municipality

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        m = Municipality.objects.filter(number=NUMBER).first()
        if m is not None:
            have = (Relay.objects.filter(municipality=m, status="closed").count(),
                    Relay.objects.filter(municipality=m, status="open").count(),
                    CatalogMeasure.objects.filter(municipality=m).count())
            if have == (closed, open_, measures):
                return m
            raise SystemExit(f"{NUMBER} holds {have} (closed, open, measures), not what was asked: "
                             "drop and create the database to build again")
        began = time.perf_counter()
        with transaction.atomic():
            m = _build(closed, open_, measures)
        print(f"built {closed:,} closed and {open_:,} open relays, {measures:,} measures "
              f"in {time.perf_counter() - began:.0f} s", flush=True)
    return m


def _build(closed: int, open_: int, measures: int):
    from django.utils import timezone
    from django_scopes import scope

    from stafett.accounts.models import User
    from stafett.catalog.models import CatalogMeasure
    from stafett.concerns.models import Child
    from stafett.guides.loader import load_guide
    from stafett.relay.models import Consent, Entry, Meeting, Relay
    from stafett.tenancy.models import Membership, Municipality, MunicipalityRole, Service

    m = Municipality.objects.create(name="Minne kommune", number=NUMBER, child_welfare_phone="1",
                                    after_hours_name="x", after_hours_phone="1")
    services = [Service.objects.create(municipality=m, name=f"Tjeneste {i}",
                                       kind="basis" if i < 15 else "hjelpe") for i in range(20)]
    nurse = User.objects.create_user(username="minne-helga", first_name="Helga",
                                     last_name="Helsesøstersen", password="x")
    Membership.objects.create(municipality=m, service=services[15], user=nurse, role="employee")
    coordinator = User.objects.create_user(username="minne-cora", first_name="Cora",
                                           last_name="Koordinatorsen", password="x")
    MunicipalityRole.objects.create(municipality=m, user=coordinator, role="coordinator")
    with scope(municipality=m):
        guide = load_guide(m, "national")
    now = timezone.now()
    total = closed + open_
    kids = Child.objects.bulk_create(
        [Child(municipality=m, name=f"Barn Nummer {i} Minnestad", name_key=f"barn-{i}",
               birth_date=dt.date(2016, 1, 1) + dt.timedelta(days=i % 2000)) for i in range(total)],
        batch_size=5000)
    relays = []
    for i, kid in enumerate(kids):
        is_closed = i < closed
        created = now - dt.timedelta(days=30 + i % 600, hours=i % 24)
        relays.append(Relay(
            municipality=m, child=kid, child_name=kid.name, guide_id=guide.pk, level=1 + i % 3,
            area_of_concern="Søvn og trivsel", holder=nurse, holder_service=services[15 + i % 5],
            created_at=created, created_by=nurse, last_activity_at=created,
            status="closed" if is_closed else "open",
            closed_at=created + dt.timedelta(days=1 + i % 25) if is_closed else None,
            closed_by=nurse if is_closed else None,
            closing_reason="goal_reached" if is_closed else "",
            closing_summary=TEXT if is_closed else "", child_last_word="Jeg sover bedre nå."
            if is_closed else ""))
    relays = Relay.objects.bulk_create(relays, batch_size=5000)
    consents = Consent.objects.bulk_create(
        [Consent(municipality=m, relay=r, purpose="Samarbeid om søvn", given_on=r.created_at.date(),
                 valid_until=r.created_at.date() + dt.timedelta(days=365), method="written",
                 recorded_by=nurse, recorded_at=r.created_at) for r in relays], batch_size=5000)
    through = Consent.services.through
    through.objects.bulk_create(
        [through(consent_id=c.pk, service_id=s.pk) for c in consents for s in services[14:16]],
        batch_size=10000)
    Meeting.objects.bulk_create(
        [Meeting(municipality=m, relay=r, kind="evaluation_decision", starts_at=r.created_at + dt.timedelta(days=14),
                 place="Helsestasjonen", minutes=TEXT, decisions="Fortsette.", created_by=nurse,
                 minutes_recorded_at=r.created_at + dt.timedelta(days=14),
                 created_at=r.created_at + dt.timedelta(days=10))
         for r in relays[:closed]], batch_size=5000)
    notes = Entry.objects.bulk_create(
        [Entry(municipality=m, relay=r, kind="note", text="Sover bedre nå.", author=nurse, author_service=services[15],
               created_at=r.created_at + dt.timedelta(days=2)) for r in relays[:closed]],
        batch_size=5000)
    Entry.objects.bulk_create(
        [Entry(municipality=m, relay_id=e.relay_id, kind="note", text="Sover mye bedre nå.",
               author=nurse, author_service=services[15], corrects=e, created_at=e.created_at + dt.timedelta(hours=1))
         for e in notes], batch_size=5000)
    CatalogMeasure.objects.bulk_create(
        [CatalogMeasure(municipality=m, key=f"tiltak-{i}", name=f"Tiltak nummer {i}",
                        description=TEXT, service=services[i % 20], levels="12", steps="1.2",
                        access="low_threshold", contact="Ring 40 00 00 00", active=True,
                        for_children=True)
         for i in range(measures)], batch_size=5000)
    return m


def queue(what: str) -> None:
    """Put the worker's tasks on its queue: nothing, the extract, the rules, or both."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from stafett.accounts.models import User
    from stafett.archive.extract_jobs import run_extract
    from stafett.archive.models import NoarkExtract
    from stafett.followup.tasks import run_rules
    from stafett.tenancy.models import Municipality

    with scopes_disabled():
        m = Municipality.objects.get(number=NUMBER)
        if what in ("extract", "both"):
            NoarkExtract.objects.filter(municipality=m, status__in=["queued", "running"]).update(
                status="failed")
            job = NoarkExtract.objects.create(municipality=m, requested_at=timezone.now(),
                                              requested_by=User.objects.get(username="minne-cora"))
            run_extract.enqueue(job.pk)
        if what in ("rules", "both"):
            run_rules.enqueue()


def worker(what: str, extract_dir: Path) -> None:
    """A db_worker in a process of its own on the queue `what` made; its peak RSS."""
    subprocess.run([sys.executable, __file__, "--queue", what], check=True)
    env = dict(os.environ, STAFETT_EXTRACT_DIR=str(extract_dir))
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch",
                              "--no-startup-delay", "--no-reload", "-v", "0"], env=env, cwd=ROOT)
    # The worker's own VmHWM (its peak since exec), read until it ends (the
    # kernel's ru_maxrss would also count this parent's size at the fork),
    # and the same of every process it starts (the extract's PDF renderer).
    peak, helpers, names = 0.0, {}, set()
    while child.poll() is None:
        try:
            peak = max(peak, _status_mib("VmHWM", child.pid))
            for pid in _descendants(child.pid):
                # The spawned helpers only: loading WeasyPrint's libraries
                # forks and runs ldconfig and gcc for a moment
                # (ctypes.util.find_library), and a fork shows its parent's
                # peak until it execs.
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "multiprocessing.spawn" in command:
                    helpers[pid] = max(helpers.get(pid, 0.0), _status_mib("VmHWM", pid))
                    names.add(command[:70])
        except (FileNotFoundError, ProcessLookupError, RuntimeError):
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - began
    if child.returncode:
        raise SystemExit(f"db_worker ended with status {child.returncode}")
    others = (f"{max(helpers.values()):.1f} MiB ({len(helpers)} processes)" if helpers else "none")
    print(f"| worker: {what:<8} | {peak:>7.1f} MiB | {others} | {seconds:>7.1f} s |", flush=True)
    if names:
        print("  helper processes:", "; ".join(sorted(names)), flush=True)


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def serve() -> None:
    """The exports as a web process serves them (run in a process of its own)."""
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from stafett.accounts.models import User
    from stafett.archive.models import NoarkExtract

    with scopes_disabled():
        coordinator = User.objects.get(username="minne-cora")
        job = NoarkExtract.objects.filter(municipality__number=NUMBER, status="done").order_by("-pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(coordinator)
    urls = [("catalogue CSV", reverse("catalog:export") + "?format=csv"),
            ("catalogue YAML", reverse("catalog:export") + "?format=yaml"),
            ("leadership CSV", reverse("insights:csv")),
            ("leadership XLSX", reverse("insights:xlsx"))]
    if job is not None:
        urls.insert(0, ("extract zip", reverse("archive_extract:download", kwargs={"pk": job.pk})))
    client.get(urls[-1][1])  # warm: imports, templates, translations
    top = 0.0
    for name, url in urls:
        baseline = _status_mib("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")
        began = time.perf_counter()
        response = client.get(url)
        size = 0
        if response.streaming:
            for piece in response.streaming_content:
                size += len(piece)
            response.close()
        else:
            size = len(response.content)
        seconds = time.perf_counter() - began
        peak = _status_mib("VmHWM")
        top = max(top, peak)
        assert response.status_code == 200, (url, response.status_code)
        print(f"| web: {name:<15} | {size / 2**20:>8.1f} MiB | {baseline:>6.1f} MiB | {peak:>6.1f} MiB | "
              f"{peak - baseline:>5.1f} MiB | {seconds:>6.2f} s | "
              f"{'streamed' if response.streaming else 'in memory'} |", flush=True)
    print(f"| web: highest peak | {top:.1f} MiB |")


def _status_mib(key: str, pid="self") -> float:
    """VmRSS (resident now) or VmHWM (peak resident) in MiB, from Linux /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--closed", type=int, default=300)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--measures", type=int, default=5000)
    parser.add_argument("--queue", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["worker", "web"], help="one half only")
    parser.add_argument("--queues", default="nothing,extract,rules,both",
                        help="the worker runs, comma-separated (default: %(default)s)")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database of its own (see the docstring)")
    setup()
    if args.queue:
        queue(args.queue)
        return
    extract_dir = Path(os.environ.get("STAFETT_EXTRACT_DIR") or tempfile.mkdtemp(prefix="bench-memory-"))
    if args.serve:
        serve()
        return
    build(args.closed, args.open, args.measures)
    try:
        if args.only != "web":
            print("| queue | worker's peak RSS | its helper processes' peak RSS | time |\n|---|---:|---:|---:|")
            for what in args.queues.split(","):
                worker(what, extract_dir)
        if args.only != "worker":
            print("\n| export | body | RSS before | peak RSS | growth | time | how |\n"
                  "|---|---:|---:|---:|---:|---:|---|")
            subprocess.run([sys.executable, __file__, "--serve"], check=True,
                           env=dict(os.environ, STAFETT_EXTRACT_DIR=str(extract_dir)))
    finally:
        if not os.environ.get("STAFETT_EXTRACT_DIR"):
            shutil.rmtree(extract_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
