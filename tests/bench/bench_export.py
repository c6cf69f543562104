"""Benchmark: downloading the case list as CSV and as XLSX at 100,000 rows (docs/exports.md).

Run with `make bench` (or `python tests/bench/bench_export.py --rows 20000` for a quick run).
It builds a fresh database (SQLite in var/ by default; `--pg` for PostgreSQL on BENCH_PG_URL,
default postgresql://postgres@127.0.0.1:5432/, database sg_bench_export), migrates it, adds
`--rows` cases to one force, then asks for /cases/export/ as the force's duty inspector
through the Django test client, reading the response as a browser would, chunk by chunk:

1. CSV and XLSX of the whole list: seconds, rows/s, and how far the process's resident memory
   rose above where it was during the download (sampled every 5 ms from /proc/self/status)
2. both again for a quarter of the rows (the list filtered by owner): the rise should not grow
   with the rows, as the CSV streams and the XLSX is written row by row (openpyxl write-only
   mode, to a temporary file), though the XLSX file itself does.

Prints a table, writes bench/results/export-<date>.json, and removes the database.
"""

import argparse
import gc
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sg_bench_export"


def setup_database(args: argparse.Namespace) -> str:
    if args.pg:
        from tests.bench.bench_case_core import admin_execute

        server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
        admin_execute(
            server,
            f'DROP DATABASE IF EXISTS "{args.database}"',
            f'CREATE DATABASE "{args.database}"',
        )
        return server + args.database
    path = ROOT / "var" / "bench-export.sqlite3"
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def drop_database(args: argparse.Namespace, url: str) -> None:
    from django.db import connections

    connections.close_all()
    if args.pg:
        from tests.bench.bench_case_core import admin_execute

        admin_execute(
            os.environ.get("BENCH_PG_URL", DEFAULT_SERVER), f'DROP DATABASE "{args.database}"'
        )
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def populate(rows: int) -> Any:
    """One force, two units, a duty inspector, and `rows` cases received a minute apart."""
    from django.utils import timezone

    from safeguard.accounts.models import User
    from safeguard.cases.models import Case
    from safeguard.core.permissions import Role
    from tests.factories import ForceFactory, UnitFactory, UserFactory

    force = ForceFactory(name="Bench Constabulary", code="bench")
    units = [UnitFactory(force=force, name=f"Unit {n}") for n in range(2)]
    inspector: User = UserFactory(
        roles=[Role.DUTY_INSPECTOR],
        force=force,
        units=units[:1],
        first_name="Dee",
        last_name="Duty",
    )
    start = timezone.now() - timedelta(minutes=rows + 10)
    grades = ["high", "medium", "standard"]
    batch: list[Case] = []
    for n in range(rows):
        at = start + timedelta(minutes=n)
        batch.append(
            Case(
                force=force,
                reference=f"CP-2026-{n:06d}",
                case_type=Case.Type.ABUSE_NEGLECT,
                source=Case.Source.SCHOOL,
                status="received",
                risk_grade=grades[n % 3],
                # Every tenth rationale would be a formula in a spreadsheet.
                risk_rationale='=HYPERLINK("x")' if n % 10 == 0 else "Bruising seen",
                summary="",
                unit=units[n % 2],
                owner=inspector if n % 4 == 0 else None,
                received_at=at,
                created_at=at,
                created_by=inspector,
                updated_at=at,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    return inspector


def download(client: Any, query: str) -> tuple[int, int, float]:
    """Ask for the export and read it as it comes: (bytes, rows, seconds)."""
    began = time.perf_counter()
    response = client.get(f"/cases/export/?{query}")
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - began
    return size, int(response["X-Export-Rows"]), seconds


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


class RssPeak(threading.Thread):
    """Samples this process's resident memory every 5 ms while a download runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before = _rss_kb()
        self.peak = self.before
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.005):
            self.peak = max(self.peak, _rss_kb())


def measure(client: Any, query: str) -> dict[str, Any]:
    """One download: its seconds, and how far the process's memory rose above where it was
    (resident set, sampled; the whole process, so the database driver's buffers count too)."""
    gc.collect()
    sampler = RssPeak()
    sampler.start()
    size, rows, seconds = download(client, query)
    sampler.done.set()
    sampler.join()
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "rss_before_mb": round(sampler.before / 1024, 1),
        "rss_rise_mb": round((sampler.peak - sampler.before) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--database", default=DEFAULT_DB)
    args = parser.parse_args()

    url = setup_database(args)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.helpers import sign_in

    setup_test_environment()
    logging.disable(logging.WARNING)
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        inspector = populate(args.rows)
        prepared = round(time.perf_counter() - began, 1)
        client = sign_in(Client(), inspector)
        # A second size: the same list filtered by owner (a quarter of the cases).
        sizes = {"all": "", "owned_quarter": f"owner={inspector.pk}"}
        results: dict[str, Any] = {}
        # One download first, so the timings exclude importing the pages and openpyxl.
        for fmt in ("csv", "xlsx"):
            download(client, f"owner={inspector.pk}&risk_grade=high&format={fmt}")
        for label, filters in sizes.items():
            for fmt in ("csv", "xlsx"):
                query = f"{filters}&format={fmt}" if filters else f"format={fmt}"
                results[f"{fmt}_{label}"] = measure(client, query)
    finally:
        drop_database(args, url)

    engine = "postgresql" if args.pg else "sqlite"
    report = {
        "benchmark": "export",
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "engine": engine,
        "rows": args.rows,
        "prepare_seconds": prepared,
        "peak_rss_mb_process": _peak_rss_mb(),
        "results": results,
    }
    print(f"Export of the case list, {args.rows:,} cases ({engine}; prepared in {prepared} s)")
    print(
        f"{'download':<22}{'rows':>9}{'file MB':>9}{'seconds':>9}{'rows/s':>9}{'RSS rise MB':>13}"
    )
    for name, row in results.items():
        print(
            f"{name:<22}{row['rows']:>9,}{row['bytes'] / 2**20:>9.1f}{row['seconds']:>9}"
            f"{row['rows_per_second']:>9}{row['rss_rise_mb']:>13}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.rows == 100_000 else f"-{args.rows}"
    out = RESULTS / f"export-{datetime.now(UTC):%Y-%m-%d}-{engine}{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {out.relative_to(ROOT)}")
    return 0


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    raise SystemExit(main())
