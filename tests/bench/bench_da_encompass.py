"""Benchmark: the domestic abuse triage queue and capacity, and the Operation Encompass desk, at 1
and 10 force-years.

Run with `make bench` (or `python tests/bench/bench_da_encompass.py --quick`). For each size it
(re)creates the PostgreSQL database sg_bench_da on BENCH_PG_URL (default
postgresql://postgres@127.0.0.1:5432/), migrates it, loads the demo force, generates the
force-years with `manage.py generate` up to today (timed; every case type, or with `--quick`
the domestic abuse cases only, which carry the incidents and notifications), VACUUM ANALYZEs,
re-derives the clocks with `manage.py rebuild_clocks` (timed), then times, N times each:

- as a supervisor of the domestic abuse triage unit (unit scope, MFA verified):
  the triage queue, page 1   safeguard.domestic_abuse.selectors.triage_queue, and
                             GET /domestic-abuse/triage/
  the triage capacity        safeguard.domestic_abuse.selectors.triage_capacity (28 days and
                             the 21-day forecast), and GET /domestic-abuse/triage/capacity/
- as the demo Encompass desk officer:
  the desk                   safeguard.encompass.selectors.encompass_desk ("due before
                             tomorrow's school start", sent, read, acknowledged), and
                             GET /encompass/

A page is timed only if it renders (status 200 and a page, not a placeholder). Prints a table,
writes bench/results/da-encompass-<date>.json and drops the database (unless --keep).
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_case_core import admin_execute, summary, timed  # noqa: E402
from tests.bench.bench_missing import (  # noqa: E402
    DEFAULT_SERVER,
    generated_database,
    renders,
)

DEFAULT_DB = "sg_bench_da"
RESULTS = ROOT / "bench" / "results"


def counts(force_id: int) -> dict[str, int]:
    from django.db import connection

    queries = {
        "cases": "SELECT count(*) FROM cases_case WHERE force_id = %s",
        "incidents": "SELECT count(*) FROM domestic_abuse_incident WHERE force_id = %s",
        "triage_backlog": "SELECT count(*) FROM domestic_abuse_incident WHERE force_id = %s "
        "AND triage_status <> 'done'",
        "incident_children": "SELECT count(*) FROM domestic_abuse_incidentchild "
        "WHERE force_id = %s",
        "dash": "SELECT count(*) FROM domestic_abuse_dashassessment WHERE force_id = %s",
        "marac": "SELECT count(*) FROM domestic_abuse_maracreferral WHERE force_id = %s",
        "notifications": "SELECT count(*) FROM encompass_notification WHERE force_id = %s",
        "notifications_unsent": "SELECT count(*) FROM encompass_notification "
        "WHERE force_id = %s AND sent_at IS NULL",
        "da_clocks": "SELECT count(*) FROM core_clockstate WHERE force_id = %s "
        "AND name LIKE 'da.%%'",
        "encompass_clocks": "SELECT count(*) FROM core_clockstate WHERE force_id = %s "
        "AND name = 'encompass.notification'",
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


def run_size(args: argparse.Namespace, years: int, server: str, url: str) -> dict:
    from django.db import connection
    from django.test import Client

    from safeguard.accounts.models import Unit, User
    from safeguard.accounts.services import actor_for
    from safeguard.core.permissions import Role
    from safeguard.domestic_abuse import selectors as da
    from safeguard.encompass import selectors as encompass
    from tests.factories import UserFactory
    from tests.helpers import sign_in

    prepared = generated_database(args, years, server, url)
    generation, clocks, force = prepared.generation, prepared.clocks, prepared.force
    load_before, until = prepared.load_before, prepared.until
    rows = counts(force.pk)
    print(
        f"{rows['cases']:,} cases, {rows['incidents']:,} incidents ({rows['triage_backlog']} "
        f"awaiting triage), {rows['notifications']:,} notifications "
        f"({rows['notifications_unsent']} unsent); database "
        f"{rows['database_bytes'] / 2**30:.2f} GiB"
    )

    triage_unit = Unit.objects.filter(force=force, unit_type=Unit.Type.DA_TRIAGE).first()
    assert triage_unit is not None, "the demo force has no domestic abuse triage unit"
    supervisor = UserFactory(
        username=f"bench-triage-supervisor-{years}",
        force=force,
        roles=[Role.SUPERVISOR],
        units=[triage_unit],
    )
    desk_user = User.objects.filter(username="encompass").first()
    if desk_user is None:
        desk_unit = Unit.objects.get(force=force, unit_type=Unit.Type.ENCOMPASS)
        desk_user = UserFactory(
            username="bench-encompass", force=force, roles=[Role.INVESTIGATOR], units=[desk_unit]
        )
    triage_actor, desk_actor = actor_for(supervisor), actor_for(desk_user)
    triage_client, desk_client = Client(), Client()
    sign_in(triage_client, supervisor)
    sign_in(desk_client, desk_user)
    now = datetime.now(UTC)

    def measure(label: str, call: Callable[[], object]) -> dict:
        for _ in range(3):  # warm caches and connections
            call()
        result = summary([timed(call) for _ in range(args.repeats)])
        print(f"  {label:<42} p50 {result['p50_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms")
        return result

    def page(key: str, client: Client, path: str, results: dict[str, Any]) -> None:
        response = client.get(path)
        results[f"{key}_status"] = response.status_code
        if renders(response):
            results[f"{key}_bytes"] = len(response.content)
            results[key] = measure(f"GET {path}", lambda: client.get(path))
        else:
            print(f"  GET {path} did not render (status {response.status_code}): not timed")

    results: dict[str, Any] = {}
    queue = da.triage_queue(actor=triage_actor)
    results["queue_total"], results["queue_page_rows"] = queue.total, len(queue.items)
    results["queue_selector"] = measure(
        "triage_queue page 1 (selector)", lambda: da.triage_queue(actor=triage_actor)
    )
    page("queue_page", triage_client, "/domestic-abuse/triage/", results)
    capacity = da.triage_capacity(actor=triage_actor, now=now)
    results["capacity_backlog"] = capacity.backlog_now
    results["capacity_warns"] = capacity.forecast.warns
    results["capacity_selector"] = measure(
        "triage_capacity (selector)", lambda: da.triage_capacity(actor=triage_actor, now=now)
    )
    page("capacity_page", triage_client, "/domestic-abuse/triage/capacity/", results)
    desk = encompass.encompass_desk(actor=desk_actor, now=now)
    results["desk_rows"] = {
        "due": len(desk.due),
        "sent_unread": len(desk.sent_unread),
        "read_unacknowledged": len(desk.read_unacknowledged),
        "acknowledged": len(desk.acknowledged),
        "overdue": desk.overdue_count,
        "to_resolve": desk.to_resolve_count,
    }
    results["desk_selector"] = measure(
        "encompass_desk (selector)", lambda: encompass.encompass_desk(actor=desk_actor, now=now)
    )
    page("desk_page", desk_client, "/encompass/", results)
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
        "--quick", action="store_true", help="domestic abuse cases only, 10 repeats"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    if args.quick:
        args.case_types = args.case_types or "domestic_abuse"
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
    try:
        for years in sizes:
            print(f"\n== {years} force-year{'s' if years > 1 else ''}")
            runs.append(run_size(args, years, server, url))
    finally:
        connection.close()
        if not args.keep:
            admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    report = {
        "benchmark": "da-encompass",
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
    out = RESULTS / f"da-encompass-{datetime.now(UTC):%Y-%m-%d}{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)} ({report['total_seconds']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
