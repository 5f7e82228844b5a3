"""Benchmark: the Noark 5 extract's memory stays flat as the cases grow.

Run:
    .venv/bin/python tests/load/bench_extract.py              # 10, 1 000, 10 000, 100 000 folders
    .venv/bin/python tests/load/bench_extract.py 10 1000      # chosen sizes

Each size runs in a fresh process and writes a complete extract
(stafett.archive.extract.write_extract: arkivstruktur.xml, both journals,
endringslogg.xml, arkivuttrekk.xml, every document file and every SHA-256)
into a temporary folder, which is then deleted.

What it measures, exactly:
- The cases are synthetic `stafett.archive.case.Folder`s built with the real
  dataclasses, as `folder_for_relay` builds them: a child as a screened part,
  three registrations (a consent, meeting minutes, the closing summary), and a
  correction in every other folder. Titles and names are of realistic length.
- Each document is a real PDF/A-2u rendered once, before measuring, by the
  same template and renderer the extract uses (`case._pdf`), with the text of a
  typical closing summary; every registration's `render()` returns those bytes.
  Rendering itself (WeasyPrint, ~0.1–0.3 s per document) is therefore not in
  the figures; it is constant per document and holds one document at a time.
- The database walk is not in the figures either: `case.closed_relays` and
  `closed_concerns` read in chunks of 500 rows (`QuerySet.iterator`), so what
  they hold does not grow with the number of cases.
- "baseline RSS" is the process's resident memory just before the extract
  (interpreter, Django, WeasyPrint and the sample PDF loaded); "peak RSS" is
  the process's peak resident memory during it (VmHWM, reset just before the
  extract through /proc/self/clear_refs), so "growth" is
  what the extract itself needed at most, Python and libxml2 alike
  (tracemalloc would miss lxml's C allocations, and slows the run).
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")

SIZES = [10, 1_000, 10_000, 100_000]
SUMMARY = ("Målet er nådd. Ella sover godt og kommer uthvilt i barnehagen. Foreldrene og "
           "helsestasjonen er enige om å avslutte stafettloggen; barnehagen følger med videre. ") * 4


def sample_pdf() -> bytes:
    from stafett.archive import case
    from stafett.tenancy.models import Municipality

    municipality = Municipality(name="Benk kommune", number="9990")
    return case._pdf("Avsluttende sammendrag", [("Avsluttende sammendrag", SUMMARY),
                                                ("Barnets siste ord", "Jeg sover bedre nå.")],
                     municipality)()


def folders(n: int, pdf: bytes):
    from django.utils import timezone

    from stafett.archive import case

    start = timezone.make_aware(dt.datetime(2024, 1, 1, 9))

    def render():
        return pdf

    for i in range(1, n + 1):
        at = start + dt.timedelta(minutes=7 * i)
        by = f"Helga Helsesøstersen {i % 50}"
        registrations = [
            case.Registration(
                system_id=case.system_id("9990", kind, i), kind=kind, title=title,
                public_title=title, created_at=at, created_by=by,
                document=case.Document(
                    system_id=case.system_id("9990", f"{kind}-document", i), title=title,
                    filename=f"stafettlogg-{i}-{slug}.pdf", created_at=at, created_by=by,
                    render=render))
            for kind, title, slug in [("consent", "Samtykke", "samtykke"),
                                      ("minutes", "Referat", "referat"),
                                      ("closing_summary", "Avsluttende sammendrag", "avslutning")]
        ]
        corrections = [case.Correction(
            system_id=case.system_id("9990", "relay", i), object_ref=case.system_id("9990", "entry", i),
            field_name="tekst", old_value="Sover bedre nå.", new_value="Sover mye bedre nå.",
            changed_at=at, changed_by=by)] if i % 2 else []
        yield case.Folder(
            system_id=case.system_id("9990", "relay", i), source="relay", source_id=i,
            municipality_number="9990", title=f"Stafettlogg for Barn Nummer {i} Strandvik",
            public_title=f"Stafettlogg for {case.MASK}", opened_on=at.date(),
            closed_on=(at + dt.timedelta(days=120)).date(), created_by=by, closed_by=by,
            responsible_service="Helsestasjonen",
            party=case.Party(name=f"Barn Nummer {i} Strandvik", national_id="", role="Barn"),
            registrations=registrations, corrections=corrections)


def one(n: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from stafett.archive import extract

    pdf = sample_pdf()
    now = timezone.now()
    context = extract.Context(
        municipality_number="9990", municipality_name="Benk kommune", organisation_number="",
        archive_part="BTI", classification_system="Emnekoder", class_id="F47",
        class_title="Tverrfaglig samarbeid om barn og unge", responsible_unit="Oppvekst",
        run_by="Cora Koordinatorsen", started_at=now,
        period_start=timezone.make_aware(dt.datetime(2024, 1, 1, 9)))
    root = Path(tempfile.mkdtemp(prefix="bench-extract-")) / "uttrekk"
    try:
        baseline = _rss_now()
        # Reset the peak (VmHWM) so that it is the extract's, not the render's.
        Path("/proc/self/clear_refs").write_text("5")
        began = time.perf_counter()
        result = extract.write_extract(root, context, lambda: folders(n, pdf))
        seconds = time.perf_counter() - began
        # Read before listing the folder below (a listing of 300 000 names is
        # the benchmark's own memory, not the extract's).
        peak = _status_mib("VmHWM")
        on_disk = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(root.parent)
    print(f"| {n:>7,} | {result.registrations:>7,} | {result.corrections:>6,} | "
          f"{baseline:>6.1f} MiB | {peak:>6.1f} MiB | {peak - baseline:>5.1f} MiB | "
          f"{on_disk / 2**20:>9.1f} MiB | {seconds:>7.1f} s |", flush=True)


def _rss_now() -> float:
    return _status_mib("VmRSS")


def _status_mib(key: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) in MiB, from Linux /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key}")


def main(sizes):
    print("| folders | registrations | corrections | baseline RSS | peak RSS | growth | extract on disk | time |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        subprocess.run([sys.executable, __file__, "--one", str(n)], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        one(int(sys.argv[2]))
    else:
        main([int(a) for a in sys.argv[1:]] or SIZES)
