"""Benchmark: the case core at a million cases, page by page against hand-written SQL.

Run with `make bench` (or `python tests/bench/bench_case_core.py --cases 20000` for a quick run).
It creates a throwaway PostgreSQL database (BENCH_PG_URL, default
postgresql://postgres@127.0.0.1:5432/, database sg_bench_cases), migrates it, loads the demo
force and generates `--cases` synthetic cases into it with `manage.py generate` (timed, with the
generator's peak RSS), then times, N times each with varied ids, in-process through Django's test
client signed in as the demo duty inspector (force-wide, MFA verified):

- the case page            GET /cases/<id>/
- the child chronology     GET /people/<id>/chronology/
- a name search            GET /people/?name=<a real name, half of them misspelt>
- the case list, page 1    GET /cases/
- the case list, page 100  GET /cases/?after=<cursor>, reached by following "next" 99 times

and, next to each, hand-written SQL (psycopg, no ORM) fetching the same rows. The ratio says what
the ORM, the scoping, the audit entry and the template cost on top of the data itself. Prints a
table and writes bench/results/case_core-<date>.json.

"Server time" is the time of `client.get`: the whole Django stack without a network or a browser.
"""

import argparse
import base64
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sg_bench_cases"
RESULTS = ROOT / "bench" / "results"
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)" rel="next"')


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 50 samples is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "n": len(values),
    }


def admin_execute(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def database_has_cases(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM cases_case").fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def generate(cases: int, seed: int, env: dict[str, str]) -> dict[str, Any]:
    """Run `manage.py generate` as a child process; its wall time and peak RSS."""
    from safeguard.synthetic.volumes import PER_FORCE_YEAR

    years = max(1, math.ceil(cases / PER_FORCE_YEAR))
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "generate",
        "--force-years",
        str(years),
        "--cases",
        str(cases),
        "--seed",
        str(seed),
        "--quiet",
    ]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"generate failed ({status}): {output}")
    print(output.strip())
    rows = re.search(r"([\d,]+) rows", output)
    row_count = int(rows.group(1).replace(",", "")) if rows else 0
    return {
        "cases": cases,
        "force_years": years,
        "rows": row_count,
        "seconds": round(seconds, 1),
        "cases_per_second": round(cases / seconds),
        "rows_per_second": round(row_count / seconds),
        # ru_maxrss is in kilobytes on Linux.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": output.strip(),
    }


def misspell(name: str, rng: random.Random) -> str:
    """A spelling a phonetic search should forgive: i→y, or a doubled consonant."""
    if "i" in name[1:]:
        at = name.index("i", 1)
        return name[:at] + "y" + name[at + 1 :]
    for at in range(1, len(name)):
        if name[at].lower() in "bdfglmnprst":
            return name[: at + 1] + name[at] + name[at + 1 :]
    return name + "e"


def timed(call: Callable[[], object], repeats: int = 1) -> float:
    began = time.perf_counter()
    for _ in range(repeats):
        call()
    return time.perf_counter() - began


class Sql:
    """The same data as each page, fetched with plain SQL over one psycopg connection."""

    CASE = [
        "SELECT c.*, u.name, o.first_name, o.last_name, o.username, b.first_name, b.last_name "
        "FROM cases_case c JOIN accounts_unit u ON u.id = c.unit_id "
        "LEFT JOIN accounts_user o ON o.id = c.owner_id "
        "JOIN accounts_user b ON b.id = c.created_by_id "
        "WHERE c.id = %(id)s AND c.force_id = %(force)s",
        "SELECT i.role, p.* FROM cases_involvement i JOIN people_person p ON p.id = i.person_id "
        "WHERE i.case_id = %(id)s ORDER BY i.role, p.family_name",
        "SELECT d.*, u.first_name, u.last_name, s.id FROM cases_decision d "
        "JOIN accounts_user u ON u.id = d.decided_by_id "
        "LEFT JOIN cases_decision s ON s.supersedes_id = d.id "
        "WHERE d.case_id = %(id)s ORDER BY d.decided_at DESC, d.id DESC",
        "SELECT v.*, p.given_names, p.family_name, u.first_name, u.last_name "
        "FROM cases_voiceofchild v JOIN people_person p ON p.id = v.child_id "
        "JOIN accounts_user u ON u.id = v.recorded_by_id "
        "WHERE v.case_id = %(id)s ORDER BY v.recorded_at DESC, v.id DESC",
        "SELECT a.*, u.first_name, u.last_name FROM cases_action a "
        "JOIN accounts_user u ON u.id = a.owner_id "
        "WHERE a.case_id = %(id)s ORDER BY a.completed_at, a.due_on, a.id",
        "SELECT n.*, u.first_name, u.last_name FROM cases_note n "
        "JOIN accounts_user u ON u.id = n.author_id "
        "WHERE n.case_id = %(id)s ORDER BY n.written_at DESC, n.id DESC LIMIT 20",
        "SELECT r.*, u.first_name, u.last_name FROM supervision_review r "
        "JOIN accounts_user u ON u.id = r.reviewer_id "
        "WHERE r.case_id = %(id)s ORDER BY r.reviewed_at DESC, r.id DESC",
        "SELECT * FROM core_timelineevent WHERE case_id = %(id)s "
        "ORDER BY at DESC, id DESC LIMIT 11",
    ]
    CHRONOLOGY = [
        "SELECT * FROM people_person WHERE id = %(id)s AND force_id = %(force)s",
        "SELECT * FROM people_alias WHERE person_id = %(id)s",
        "SELECT * FROM people_address WHERE person_id = %(id)s",
        # The person's own events and those of every case they are part of.
        "SELECT * FROM ("
        " SELECT e.* FROM core_timelineevent e"
        " WHERE e.person_id IN (SELECT %(id)s UNION SELECT id FROM people_person"
        "  WHERE merged_into_id = %(id)s)"
        " UNION"
        " SELECT e.* FROM core_timelineevent e"
        " JOIN cases_involvement i ON i.case_id = e.case_id"
        " JOIN cases_case c ON c.id = i.case_id"
        " WHERE i.person_id = %(id)s AND c.force_id = %(force)s"
        ") ev WHERE force_id = %(force)s ORDER BY at DESC, id DESC LIMIT 51",
    ]
    REFERENCES = "SELECT id, reference FROM cases_case WHERE id = ANY(%(ids)s)"
    # As people.selectors does it: people who sound like every word (full-text over the
    # phonetic keys); only when nobody does, people spelt like the whole name (trigrams).
    SEARCH = (
        "SELECT * FROM people_person WHERE force_id = %(force)s AND merged_into_id IS NULL "
        "AND to_tsvector('simple', search_keys) @@ to_tsquery('simple', %(query)s) "
        "ORDER BY family_name, given_names, id LIMIT 200"
    )
    SEARCH_SPELT_LIKE = (
        "SELECT * FROM people_person WHERE force_id = %(force)s AND merged_into_id IS NULL "
        "AND (given_names || ' ' || family_name) %% %(name)s "
        "ORDER BY family_name, given_names, id LIMIT 200"
    )
    LIST_FIRST = (
        "SELECT c.*, u.name, o.first_name, o.last_name FROM cases_case c "
        "JOIN accounts_unit u ON u.id = c.unit_id LEFT JOIN accounts_user o ON o.id = c.owner_id "
        "WHERE c.force_id = %(force)s ORDER BY c.received_at DESC, c.id DESC LIMIT 26"
    )
    LIST_AFTER = (
        "SELECT c.*, u.name, o.first_name, o.last_name FROM cases_case c "
        "JOIN accounts_unit u ON u.id = c.unit_id LEFT JOIN accounts_user o ON o.id = c.owner_id "
        "WHERE c.force_id = %(force)s AND (c.received_at, c.id) < (%(at)s, %(id)s) "
        "ORDER BY c.received_at DESC, c.id DESC LIMIT 26"
    )

    def __init__(self, url: str, force_id: int) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.force = force_id

    def case(self, case_id: int) -> None:
        for statement in self.CASE:
            self.conn.execute(statement, {"id": case_id, "force": self.force}).fetchall()

    def chronology(self, person_id: int) -> None:
        params = {"id": person_id, "force": self.force}
        rows: list[Any] = []
        for statement in self.CHRONOLOGY:
            cursor = self.conn.execute(statement, params)
            rows = cursor.fetchall()
        case_index = [d.name for d in cursor.description or []].index("case_id")
        ids = sorted({row[case_index] for row in rows if row[case_index]})
        self.conn.execute(self.REFERENCES, {"ids": ids}).fetchall()

    def search(self, name: str) -> None:
        from safeguard.people.rules.matching import query_keys

        query = " & ".join(query_keys(name))
        params = {"force": self.force, "query": query, "name": name.strip()}
        if not self.conn.execute(self.SEARCH, params).fetchall():
            self.conn.execute(self.SEARCH_SPELT_LIKE, params).fetchall()

    def list_first(self) -> None:
        self.conn.execute(self.LIST_FIRST, {"force": self.force}).fetchall()

    def list_after(self, at: datetime, case_id: int) -> None:
        self.conn.execute(
            self.LIST_AFTER, {"force": self.force, "at": at, "id": case_id}
        ).fetchall()


def cursor_values(cursor: str) -> list[Any]:
    """The keyset values in a page link's cursor (base64 JSON, as core.pagination encodes)."""
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "1000000")))
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing bench database that already has cases (no new generation)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
    url = server + args.database
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    generation: dict[str, Any] | None = None
    reused = args.reuse and database_has_cases(url)
    if not reused:
        admin_execute(
            server,
            f'DROP DATABASE IF EXISTS "{args.database}"',
            f'CREATE DATABASE "{args.database}"',
        )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from safeguard.accounts.demo import demo_force, load_demo
    from safeguard.accounts.models import User
    from tests.helpers import sign_in

    setup_test_environment()
    load_before = os.getloadavg()
    call_command("migrate", verbosity=0)  # a reused database may predate the latest migrations
    if not reused:
        load_demo()
        connection.close()
        generation = generate(args.cases, args.seed, env)
        import psycopg

        # What autovacuum would do on a live system: the planner needs statistics.
        with psycopg.connect(url, autocommit=True) as conn:
            began = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            generation["vacuum_analyze_seconds"] = round(time.perf_counter() - began, 1)
    force = demo_force()
    assert force is not None
    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(id), max(id) FROM cases_case WHERE force_id = %s", [force.pk]
        )
        total, low, high = cursor.fetchone()
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = cursor.fetchone()[0]
        candidates = rng.sample(range(low, high + 1), min(args.repeats * 3, high - low + 1))
        cursor.execute(
            "SELECT c.id, i.person_id FROM cases_case c JOIN cases_involvement i "
            "ON i.case_id = c.id AND i.role = 'subject' WHERE c.id = ANY(%s) AND c.force_id = %s",
            [candidates, force.pk],
        )
        pairs = cursor.fetchall()
        rng.shuffle(pairs)
        case_ids = [case_id for case_id, _ in pairs][: args.repeats]
        child_ids = list(dict.fromkeys(person_id for _, person_id in pairs))[: args.repeats]
        cursor.execute(
            "SELECT given_names, family_name FROM people_person WHERE id = ANY(%s)",
            [[person_id for _, person_id in pairs]],
        )
        names = [
            f"{given} {misspell(family, rng) if i % 2 else family}"
            for i, (given, family) in enumerate(cursor.fetchall()[: args.repeats])
        ]
    print(
        f"{total:,} cases in the force; database {db_bytes / 2**30:.1f} GiB; "
        f"{len(case_ids)} cases, {len(child_ids)} children, {len(names)} names to fetch"
    )

    client = Client()
    inspector = User.objects.get(username="inspector")
    sign_in(client, inspector)
    sql = Sql(url, force.pk)

    def get(path: str) -> str:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
        return response.content.decode()

    def measure(
        label: str, page: Callable[[Any], object], raw: Callable[[Any], object], items: list[Any]
    ) -> dict:
        for item in items[:3]:  # warm caches and connections
            page(item)
            raw(item)
        page_times = [timed(lambda item=item: page(item)) for item in items]
        sql_times = [timed(lambda item=item: raw(item)) for item in items]
        result = {"page": summary(page_times), "sql": summary(sql_times)}
        result["ratio_p50"] = round(
            result["page"]["p50_ms"] / max(result["sql"]["p50_ms"], 1e-3), 1
        )
        print(
            f"{label:<28} page p50 {result['page']['p50_ms']:8.1f} ms  p95 "
            f"{result['page']['p95_ms']:8.1f} ms | SQL p50 {result['sql']['p50_ms']:7.2f} ms  "
            f"p95 {result['sql']['p95_ms']:7.2f} ms | x{result['ratio_p50']}"
        )
        return result

    results: dict[str, Any] = {}
    results["case_page"] = measure("case page", lambda i: get(f"/cases/{i}/"), sql.case, case_ids)
    results["child_chronology"] = measure(
        "child chronology", lambda i: get(f"/people/{i}/chronology/"), sql.chronology, child_ids
    )
    from urllib.parse import quote

    results["name_search"] = measure(
        "name search", lambda n: get(f"/people/?name={quote(n)}"), sql.search, names
    )
    repeats = list(range(args.repeats))
    results["case_list_page_1"] = measure(
        "case list, page 1", lambda _: get("/cases/"), lambda _: sql.list_first(), repeats
    )
    # Follow "next" 99 times (each hop timed too, to show page 100 costs what page 1 does);
    # then time the 100th page N times through that same link.
    html = get("/cases/")
    hops = []
    link = ""
    for _ in range(99):
        found = NEXT_LINK.search(html)
        if not found:
            raise SystemExit("the case list has fewer than 100 pages")
        link = found.group(1).replace("&amp;", "&")
        began = time.perf_counter()
        html = get(f"/cases/?{link}")
        hops.append(time.perf_counter() - began)
    from urllib.parse import parse_qs

    cursor = parse_qs(link)["after"][0]
    at_text, last_id = cursor_values(cursor)
    at = datetime.fromisoformat(at_text)
    results["case_list_page_100"] = measure(
        "case list, page 100",
        lambda _: get(f"/cases/?{link}"),
        lambda _: sql.list_after(at, last_id),
        repeats,
    )
    results["case_list_page_100"]["hops_2_to_100"] = summary(hops)

    report = {
        "benchmark": "case_core",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"cases": total, "size_gib": round(db_bytes / 2**30, 2), "reused": reused},
        "generation": generation,
        "repeats": args.repeats,
        "results": results,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        # Other work on the machine skews the page times: the 1-minute load before and after.
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    # A re-run over a kept database has no generation figures: it does not overwrite the run's.
    out = RESULTS / f"case_core-{datetime.now(UTC):%Y-%m-%d}{'-reused' if reused else ''}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")
    if generation:
        print(
            f"generation: {generation['cases']:,} cases, {generation['rows']:,} rows in "
            f"{generation['seconds']} s ({generation['rows_per_second']:,} rows/s, "
            f"{generation['cases_per_second']:,} cases/s), peak RSS {generation['peak_rss_mb']} MB"
        )
    sql.conn.close()
    connection.close()
    if args.drop:
        admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
