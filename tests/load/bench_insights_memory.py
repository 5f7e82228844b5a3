"""Benchmark: the memory (and time) of refreshing the leadership view's
snapshot, as the worker does it, on a PostgreSQL database that already holds
the data (the national data set: tests/load/national.py).

Run (production's settings as far as memory goes: DEBUG off):
    STAFETT_DEBUG=0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/stafett_national \
        .venv/bin/python tests/load/bench_insights_memory.py 7000
    ... bench_insights_memory.py --all               every municipality in one process
    ... bench_insights_memory.py --first 60          the first 60 municipalities by pk
    ... bench_insights_memory.py --dump out.json 7000 0301
                                                     the payloads computed, for comparing
    ... bench_insights_memory.py --compare a.json b.json

Each measurement runs in a fresh process of its own that loads Django as the
worker does (django.setup(), so every app's tasks are imported), notes its
resident memory (VmRSS), then runs `manage.py refresh_insights` with the
municipalities asked for (the same `snapshot.refresh_all` as the periodic
task) and prints its peak resident memory (VmHWM, from the kernel: the
process's peak since exec), the growth over the baseline, and the time.
With `--all`/`--first` it also prints, every 25 municipalities, the resident
memory then, so growth per municipality shows.

`--dump` computes every reader's tables (snapshot.compute, nothing stored)
for the municipalities named and writes the payloads as JSON; `--compare`
says whether two dumps hold the same figures (run the dump on the code
before and after a change). The target (issue 12): a worker stays under
150 MB. Not collected by pytest (tests/load/conftest.py).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")
os.environ.setdefault("STAFETT_DEBUG", "0")


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key}")


def _numbers(args) -> list[str]:
    from django_scopes import scopes_disabled

    from stafett.tenancy.models import Municipality

    with scopes_disabled():
        numbers = list(Municipality.objects.order_by("pk").values_list("number", flat=True))
    if "--all" in args:
        return numbers
    if "--first" in args:
        return numbers[:int(args[args.index("--first") + 1])]
    return [a for a in args if not a.startswith("-")]


def child(args) -> None:
    """In a fresh process: the refresh, and this process's peak."""
    import django

    django.setup()
    from django.core.management import call_command

    from stafett.insights import snapshot

    numbers = _numbers(args)
    baseline = _status_mib("VmRSS")
    done = [0]
    refresh = snapshot.refresh

    def counted(*a, **kw):
        out = refresh(*a, **kw)
        done[0] += 1
        if done[0] % 25 == 0:
            print(f"  after {done[0]:>3} municipalities: RSS {_status_mib('VmRSS'):.1f} MiB, "
                  f"peak {_status_mib('VmHWM'):.1f} MiB, {time.perf_counter() - began:.0f} s", flush=True)
        return out

    snapshot.refresh = counted
    began = time.perf_counter()
    call_command("refresh_insights", *numbers, stdout=open(os.devnull, "w"))
    seconds = time.perf_counter() - began
    peak = _status_mib("VmHWM")
    label = f"{len(numbers)} municipalities" if len(numbers) > 3 else " ".join(numbers)
    print(f"| {label} | {baseline:.1f} MiB | {peak:.1f} MiB | {peak - baseline:+.1f} MiB | "
          f"{_status_mib('VmRSS'):.1f} MiB | {seconds:.1f} s |", flush=True)


def dump(path, args) -> None:
    import django

    django.setup()
    from django_scopes import scope, scopes_disabled

    from stafett.insights import snapshot
    from stafett.tenancy.models import Municipality

    out = {}
    for number in _numbers(args):
        with scopes_disabled():
            m = Municipality.objects.get(number=number)
        with scope(municipality=m):
            _at, views = snapshot.compute(m)
        for v in views:
            out[f"{number}/{v.reader}/{v.months}/{v.language}"] = v.payload
    Path(path).write_text(json.dumps(out, sort_keys=True))
    print(f"{len(out)} payloads written to {path}")


def compare(a, b) -> None:
    one, two = json.loads(Path(a).read_text()), json.loads(Path(b).read_text())
    differ = sorted(k for k in one.keys() | two.keys() if one.get(k) != two.get(k))
    print(f"{len(one)} and {len(two)} payloads; {len(differ)} differ" + (f", e.g. {differ[:5]}" if differ else ""))
    if differ:
        raise SystemExit(1)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--compare":
        compare(args[1], args[2])
        return
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database holding the data (see the docstring)")
    if args and args[0] == "--child":
        child(args[1:])
    elif args and args[0] == "--dump":
        dump(args[1], args[2:])
    else:
        print("| refreshed | RSS after setup | peak RSS (VmHWM) | growth | RSS at the end | time |\n"
              "|---|---:|---:|---:|---:|---:|", flush=True)
        subprocess.run([sys.executable, __file__, "--child", *args], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
