"""Benchmark: importing the schools directory from a 50,000-row GIAS CSV into PostgreSQL.

Run with `make bench` (or `python tests/bench/bench_gias_import.py --rows 5000` for a quick
run). It (re)creates the PostgreSQL database sg_bench_gias on BENCH_PG_URL (default
postgresql://postgres@127.0.0.1:5432/), migrates it, writes a GIAS-shaped CSV (the real column
names around the eight the import reads, `--junk-columns` more besides, Windows-1252 with some
accented names), and runs `manage.py import_gias` as a child process (wall time and peak RSS):

1. the first import into an empty directory          every school added
2. the same file with 1% of the schools changed      1% updated (status, phase or name)
3. that file again                                   nothing changes

and, for scale, the child process doing nothing (`manage.py check`); then in this process the
same three steps through the service from an empty directory (no start-up), and the pure check
alone (decode and parse, no database) with its peak Python allocation (tracemalloc).
Prints a table, writes bench/results/gias-import-<date>.json and drops the database (unless
--keep).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_case_core import admin_execute  # noqa: E402

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sg_bench_gias"
RESULTS = ROOT / "bench" / "results"


# Runs manage.py in the child and, as it exits, prints the child's own peak RSS (VmHWM: the
# high-water mark of the memory it has after exec; ru_maxrss from wait4 would report at least
# this process's peak, which a fork hands down).
_WRAPPER = """
import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("PEAK_RSS_KB", line.split()[1], file=sys.stderr, flush=True)
atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    """`manage.py <arguments>` as a child process: wall time, its peak RSS and its output."""
    command = [sys.executable, "-c", _WRAPPER, str(ROOT / "manage.py"), *arguments]
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    peak_kb = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KB")
    )
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "output": done.stdout.strip(),
    }


def change_one_percent(rows: list[dict[str, str]], seed: int) -> int:
    """Change 1% of the schools: a status, a phase or a name each, as GIAS does month to month."""
    rng = random.Random(seed)
    picked = rng.sample(range(len(rows)), max(1, len(rows) // 100))
    for n, index in enumerate(picked):
        row = rows[index]
        if n % 3 == 0:
            was = row["EstablishmentStatus (name)"]
            row["EstablishmentStatus (name)"] = "Closed" if was == "Open" else "Open"
        elif n % 3 == 1:
            row["PhaseOfEducation (name)"] = "Middle deemed secondary"
        else:
            row["EstablishmentName"] += " (renamed)"
    return len(picked)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--junk-columns", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
    url = server + args.database
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_execute(server, f'CREATE DATABASE "{args.database}"')
    run(["migrate", "--verbosity", "0"], env)

    import django

    django.setup()
    from safeguard.partners.rules.gias import check_gias_csv
    from safeguard.partners.tests.gias_csv import GIAS_HEADER, generated_rows, gias_csv, junk_values

    began = time.perf_counter()
    rows = generated_rows(args.rows, seed=args.seed)
    junk_values(rows, args.junk_columns, seed=args.seed)
    first = gias_csv(rows, junk_columns=args.junk_columns)
    changed = change_one_percent(rows, args.seed)
    second = gias_csv(rows, junk_columns=args.junk_columns)
    columns = len(GIAS_HEADER) + args.junk_columns
    print(
        f"{args.rows:,} schools x {columns} columns, {len(first) / 2**20:.1f} MiB "
        f"(Windows-1252), written in {time.perf_counter() - began:.1f} s"
    )

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / "gias-1.csv", Path(folder) / "gias-2.csv"]
        paths[0].write_bytes(first)
        paths[1].write_bytes(second)
        results["process_baseline"] = run(["check"], env)
        steps = [
            ("first_import", paths[0], "every school added"),
            ("reimport_1pct_changed", paths[1], f"{changed:,} schools changed"),
            ("reimport_unchanged", paths[1], "nothing changes"),
        ]
        for name, path, what in steps:
            result = run(["import_gias", str(path)], env)
            results[name] = result
            print(
                f"  {name:<24} {result['seconds']:7.2f} s  peak RSS {result['peak_rss_mb']:7.1f} MB"
                f"  ({what})"
            )
            for line in result["output"].splitlines()[:5]:
                print(f"      {line}")
    base = results["process_baseline"]
    print(
        f"  {'process_baseline':<24} {base['seconds']:7.2f} s  peak RSS "
        f"{base['peak_rss_mb']:7.1f} MB  (manage.py check: start-up and system checks alone)"
    )

    # The service alone, in this process (no start-up): the same three steps from empty.
    from django.utils import timezone

    from safeguard.partners.models import School
    from safeguard.partners.services import gias_import

    School.objects.all().delete()
    service: dict[str, Any] = {}
    for name, content in (
        ("first_import", first),
        ("reimport_1pct_changed", second),
        ("reimport_unchanged", second),
    ):
        began = time.perf_counter()
        outcome = gias_import(actor=None, content=content, now=timezone.now())
        service[name] = {
            "seconds": round(time.perf_counter() - began, 2),
            "added": outcome.added,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
        print(f"  {'service, ' + name:<24} {service[name]['seconds']:7.2f} s  (in process)")
    results["service_in_process"] = service

    # The pure check alone, in this process: parse time and peak Python allocation.
    tracemalloc.start()
    began = time.perf_counter()
    checked = check_gias_csv(first)
    parse_seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert checked.ok and len(checked.rows) == args.rows
    began = time.perf_counter()
    check_gias_csv(first)
    results["check_only"] = {
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_under_tracemalloc": round(parse_seconds, 2),
        "peak_python_mb": round(peak / 2**20, 1),
    }
    print(
        f"  {'check only (no database)':<24} {results['check_only']['seconds']:7.2f} s  "
        f"peak Python allocation {results['check_only']['peak_python_mb']:.1f} MB"
    )

    report = {
        "benchmark": "gias_import",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "columns": columns,
        "junk_columns": args.junk_columns,
        "file_bytes": len(first),
        "changed_rows": changed,
        "results": results,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.rows == 50_000 else f"-{args.rows}"
    suffix += "" if args.junk_columns == 40 else f"-{columns}-columns"
    out = RESULTS / f"gias-import-{datetime.now(UTC):%Y-%m-%d}{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")
    from django.db import connection

    connection.close()
    if not args.keep:
        admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
