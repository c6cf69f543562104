"""Benchmark: the missing-children board and monthly figures at 1 and 10 force-years.

Run with `make bench` (or `python tests/bench/bench_missing.py --quick`). For each size it
(re)creates the PostgreSQL database sg_bench_missing on BENCH_PG_URL (default
postgresql://postgres@127.0.0.1:5432/), migrates it, loads the demo force, generates the
force-years with `manage.py generate` up to today (timed; every case type, or with `--quick`
the missing cases only, with the exploitation cases their triggers raise), VACUUM ANALYZEs,
re-derives the open cases' clocks with `manage.py rebuild_clocks` (timed), then times, N times
each, signed in as the demo duty inspector (force-wide, MFA verified):

- the active-missing board    safeguard.missing.selectors.active_board, and GET /missing/
- the monthly figures         safeguard.missing.selectors.monthly_figures (12 months), and
                              GET /missing/figures/

and, next to the selectors, hand-written SQL (psycopg, no ORM) fetching the same rows. A page
is timed only if it renders (status 200 and a page, not a placeholder). Prints a table, writes
bench/results/missing-<date>.json and drops the database (unless --keep).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_case_core import admin_execute, summary, timed  # noqa: E402

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sg_bench_missing"
RESULTS = ROOT / "bench" / "results"


class Sql:
    """What the board and the figures read, as plain SQL over one psycopg connection."""

    BOARD = (
        "SELECT e.case_id, e.*, c.*, p.*, o.* FROM missing_episode e "
        "JOIN cases_case c ON c.id = e.case_id JOIN people_person p ON p.id = e.child_id "
        "LEFT JOIN accounts_user o ON o.id = c.owner_id "
        "WHERE e.force_id = %(force)s AND e.status = 'missing' "
        "ORDER BY e.last_seen_at LIMIT 500"
    )
    CLOCKS = (
        "SELECT * FROM core_clockstate WHERE object_type = 'case' AND object_id = ANY(%(ids)s) "
        "ORDER BY due_at"
    )
    EPISODES = (
        "SELECT reported_at, grade, first_attended_at, found_at, child_id FROM missing_episode "
        "WHERE force_id = %(force)s AND reported_at >= %(start)s"
    )
    RETURNS = (
        "SELECT episode_id, returned_at, offered_at FROM missing_returninterview "
        "WHERE force_id = %(force)s AND returned_at >= %(start)s"
    )

    def __init__(self, url: str, force_id: int) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.force = force_id

    def board(self) -> int:
        rows = self.conn.execute(self.BOARD, {"force": self.force}).fetchall()
        ids = [row[0] for row in rows]
        self.conn.execute(self.CLOCKS, {"ids": ids}).fetchall()
        return len(rows)

    def figures(self, start: datetime) -> None:
        params = {"force": self.force, "start": start}
        self.conn.execute(self.EPISODES, params).fetchall()
        self.conn.execute(self.RETURNS, params).fetchall()


def generate(years: int, seed: int, until: str, types: str, env: dict[str, str]) -> dict:
    """`manage.py generate` as a child process: its wall time and peak RSS."""
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "generate",
        "--force-years",
        str(years),
        "--seed",
        str(seed),
        "--until",
        until,
        "--quiet",
    ]
    if types:
        command += ["--case-types", types]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"generate failed ({status}): {output}")
    print(output.strip())
    rows = re.search(r"([\d,]+) rows", output)
    cases = re.search(r"([\d,]+) cases", output)
    return {
        "force_years": years,
        "case_types": types or "all",
        "cases": int(cases.group(1).replace(",", "")) if cases else 0,
        "rows": int(rows.group(1).replace(",", "")) if rows else 0,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": output.strip(),
    }


def rebuild_clocks(env: dict[str, str]) -> dict:
    command = [sys.executable, str(ROOT / "manage.py"), "rebuild_clocks"]
    began = time.perf_counter()
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    print(output.strip())
    return {"seconds": round(time.perf_counter() - began, 1), "summary": output.strip()}


def counts(force_id: int) -> dict[str, int]:
    from django.db import connection

    queries = {
        "cases": "SELECT count(*) FROM cases_case WHERE force_id = %s",
        "missing_cases": "SELECT count(*) FROM cases_case WHERE force_id = %s "
        "AND case_type = 'missing'",
        "episodes": "SELECT count(*) FROM missing_episode WHERE force_id = %s",
        "open_episodes": "SELECT count(*) FROM missing_episode WHERE force_id = %s "
        "AND status = 'missing'",
        "grade_changes": "SELECT count(*) FROM missing_gradechange WHERE force_id = %s",
        "risk_reviews": "SELECT count(*) FROM missing_riskreview WHERE force_id = %s",
        "return_interviews": "SELECT count(*) FROM missing_returninterview WHERE force_id = %s",
        "triggers": "SELECT count(*) FROM missing_trigger WHERE force_id = %s",
        "missing_clocks": "SELECT count(*) FROM core_clockstate WHERE force_id = %s "
        "AND name LIKE 'missing.%%'",
        "timeline_events": "SELECT count(*) FROM core_timelineevent WHERE force_id = %s",
    }
    found = {}
    with connection.cursor() as cursor:
        for name, query in queries.items():
            cursor.execute(query, [force_id])
            found[name] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        found["database_bytes"] = cursor.fetchone()[0]
    return found


def renders(response: Any) -> bool:
    """A real page: a placeholder view answers 200 with an empty body."""
    return response.status_code == 200 and b"<main" in response.content


@dataclass
class Generated:
    """A freshly generated database: how the generation went, the clocks, the demo force."""

    generation: dict
    clocks: dict
    force: Any
    load_before: float
    until: str


def generated_database(args: argparse.Namespace, years: int, server: str, url: str) -> Generated:
    """Drop and create the bench database, load the demo force, generate `years` force-years up
    to today, analyse the tables as autovacuum would, and re-derive the clocks."""
    from django.core.management import call_command
    from django.db import connection

    from safeguard.accounts.demo import demo_force, load_demo

    connection.close()
    admin_execute(
        server, f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"'
    )
    call_command("migrate", verbosity=0)
    load_demo()
    connection.close()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    until = datetime.now(UTC).date().isoformat()
    load_before = os.getloadavg()[0]
    generation = generate(years, args.seed, until, args.case_types, env)
    import psycopg

    # What autovacuum would do on a live system: the planner needs statistics.
    with psycopg.connect(url, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        generation["vacuum_analyze_seconds"] = round(time.perf_counter() - began, 1)
    clocks = rebuild_clocks(env)
    force = demo_force()
    assert force is not None
    return Generated(generation, clocks, force, load_before, until)


def run_size(args: argparse.Namespace, years: int, server: str, url: str) -> dict:
    from django.db import connection
    from django.test import Client

    from safeguard.accounts.models import User
    from safeguard.accounts.services import actor_for
    from safeguard.missing import selectors
    from tests.helpers import sign_in

    prepared = generated_database(args, years, server, url)
    generation, clocks, force = prepared.generation, prepared.clocks, prepared.force
    load_before, until = prepared.load_before, prepared.until
    rows = counts(force.pk)
    print(
        f"{rows['cases']:,} cases, {rows['episodes']:,} episodes ({rows['open_episodes']} open), "
        f"{rows['return_interviews']:,} return interviews, {rows['missing_clocks']:,} missing "
        f"clocks; database {rows['database_bytes'] / 2**30:.2f} GiB"
    )

    inspector = User.objects.get(username="inspector")
    actor = actor_for(inspector)
    client = Client()
    sign_in(client, inspector)
    sql = Sql(url, force.pk)
    now = datetime.now(UTC)
    index = now.year * 12 + now.month - 1 - 11  # the first of the 12 months
    figures_start = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)

    def measure(label: str, call: Callable[[], object]) -> dict:
        for _ in range(3):  # warm caches and connections
            call()
        result = summary([timed(call) for _ in range(args.repeats)])
        print(f"  {label:<38} p50 {result['p50_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms")
        return result

    results: dict[str, Any] = {}
    board = selectors.active_board(actor=actor, now=now)
    results["board_rows"] = len(board)
    results["board_selector"] = measure(
        "active_board (selector)", lambda: selectors.active_board(actor=actor, now=now)
    )
    results["board_sql"] = measure("active board (plain SQL)", sql.board)
    page = client.get("/missing/")
    results["board_page_status"] = page.status_code
    if renders(page):
        results["board_page_bytes"] = len(page.content)
        results["board_page"] = measure("GET /missing/", lambda: client.get("/missing/"))
    else:
        print(f"  GET /missing/ did not render (status {page.status_code}): not timed")
    results["figures_selector"] = measure(
        "monthly_figures, 12 months (selector)",
        lambda: selectors.monthly_figures(actor=actor, months=12, now=now),
    )
    results["figures_sql"] = measure(
        "monthly figures (plain SQL)", lambda: sql.figures(figures_start)
    )
    page = client.get("/missing/figures/")
    results["figures_page_status"] = page.status_code
    if renders(page):
        results["figures_page"] = measure(
            "GET /missing/figures/", lambda: client.get("/missing/figures/")
        )
    else:
        print(f"  GET /missing/figures/ did not render (status {page.status_code}): not timed")
    sql.conn.close()
    connection.close()
    return {
        "force_years": years,
        "until": until,
        "rows": rows,
        "generation": generation,
        "rebuild_clocks": clocks,
        "results": results,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--force-years", default="1,10", help="sizes, comma-separated")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument(
        "--case-types",
        default="",
        help="generate only these case types (as `manage.py generate --case-types`)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="missing cases only (and their raised exploitation cases), 10 repeats",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    if args.quick:
        args.case_types = args.case_types or "missing"
        args.repeats = min(args.repeats, 10)
    sizes = [int(size) for size in args.force_years.split(",") if size.strip()]

    server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
    url = server + args.database
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_execute(server, f'CREATE DATABASE "{args.database}"')
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    began = time.perf_counter()
    runs = []
    for years in sizes:
        print(f"\n== {years} force-year{'s' if years > 1 else ''}")
        runs.append(run_size(args, years, server, url))
    report = {
        "benchmark": "missing",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "repeats": args.repeats,
        "case_types": args.case_types or "all",
        "runs": runs,
        "total_seconds": round(time.perf_counter() - began, 1),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    out = RESULTS / f"missing-{datetime.now(UTC):%Y-%m-%d}{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)} ({report['total_seconds']} s in all)")
    connection.close()
    if not args.keep:
        admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
