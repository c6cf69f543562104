"""Benchmark: the duplicate check and the header's quick-find at a million people, on PostgreSQL.

Run with `make bench` (or `BENCH_PEOPLE=100000 python tests/bench/bench_people_search.py` for a
quick run). It creates a throwaway PostgreSQL database (BENCH_PG_URL, default
postgresql://postgres@127.0.0.1:5432/, database sg_bench_people), migrates it, loads the demo
force and COPYs BENCH_PEOPLE synthetic people into it (first names drawn with their nicknames,
common surnames, dates of birth over 0 to 90 years, one current address each, the search keys
computed by people.rules.matching as the services compute them). Then it times, N times each:

- the duplicate check   people.selectors.person_duplicates for a person about to be recorded:
                        an existing person's nickname, a sound-alike surname, the same date of
                        birth (or with day and month swapped) and, for a third, their address
- quick-find by name    GET /find/?q=<nickname surname>, following to the people results
- quick-find by number  GET /find/?q=<record number>, following to the person's page
- quick-find by case    GET /find/?q=CP-2026-000001 (a demo case reference), to the case page

signed in through Django's test client as the demo supervisor. Prints p50 and p95 and writes
bench/results/people_search-<date>[-<size>].json.
"""

import argparse
import io
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sg_bench_people"
RESULTS = ROOT / "bench" / "results"

GIVEN = [
    "Benjamin", "Catherine", "Elizabeth", "Alfred", "William", "Thomas", "Oliver", "George",
    "Harry", "Jack", "Jacob", "Charlie", "Oscar", "James", "Henry", "Leo", "Noah", "Amelia",
    "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace",
    "Freya", "Florence", "Emily", "Ella", "Poppy", "Evie", "Daniel", "Samuel", "Joseph",
    "Matthew", "Margaret", "Robert", "Richard", "Edward", "Victoria", "Alexander", "Jessica",
    "Rebecca", "Mohammed", "Muhammad", "Aisha", "Zara", "Ethan", "Lucas", "Logan", "Ruby",
]  # fmt: skip
FAMILY = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
]  # fmt: skip
SOUND_ALIKE = {"Smith": "Smyth", "Clarke": "Clark", "Thompson": "Thomson", "Hughes": "Hewes"}
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Lane",
    "Park Avenue",
    "Acacia Avenue",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
        "n": len(values),
    }


def admin_execute(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def nickname(given: str, rng: random.Random) -> str:
    """A nickname the dataset gives for the name, or the name itself."""
    from safeguard.people.rules.matching import _namer

    options = sorted(_namer().nicknames_of(given.lower()))
    return rng.choice(options).title() if options else given


def load_people(url: str, force_id: int, user_id: int, count: int, seed: int) -> dict[str, Any]:
    """COPY `count` people and their current addresses; ids follow on from the demo's."""
    import psycopg

    from safeguard.people.rules.matching import address_key, search_keys

    rng = random.Random(seed)
    began = time.perf_counter()
    today = date(2026, 12, 1)
    created = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    with psycopg.connect(url, autocommit=True) as conn:
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM people_person").fetchone()[0]
        batch = 100_000
        for start in range(0, count, batch):
            people, addresses = io.StringIO(), io.StringIO()
            for offset in range(start, min(start + batch, count)):
                pk = first_id + offset
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                dob = today - timedelta(days=rng.randrange(0, 90 * 365))
                keys = search_keys(given, family)
                people.write(
                    f"{pk}\t1\t{force_id}\t{given}\t{family}\t{dob.isoformat()}\t\\N\t\\N\t"
                    f"unknown\t\t\t{keys}\t\\N\t{created}\t{user_id}\tf\tf\n"
                )
                number = rng.randrange(1, 400)
                street = rng.choice(STREETS)
                unit = "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
                postcode = f"IP{rng.randrange(1, 33)} {rng.randrange(1, 10)}{unit}"
                line1 = f"{number} {street}"
                addresses.write(
                    f"{force_id}\t{pk}\t{line1}\t\tIpswich\t{postcode}\t"
                    f"{address_key(line1, postcode)}\t\\N\t\\N\n"
                )
            with conn.cursor() as cursor:
                with cursor.copy(
                    "COPY people_person (id, version, force_id, given_names, family_name, "
                    "date_of_birth, estimated_age, estimated_on, gender, ethnicity, school_urn, "
                    "search_keys, merged_into_id, created_at, created_by_id, "
                    "on_protection_plan, looked_after) FROM STDIN"
                ) as copy:
                    copy.write(people.getvalue())
                with cursor.copy(
                    "COPY people_address (force_id, person_id, line1, line2, town, postcode, "
                    "match_key, lived_from, lived_to) FROM STDIN"
                ) as copy:
                    copy.write(addresses.getvalue())
            print(f"  {min(start + batch, count):,} people loaded", flush=True)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('people_person', 'id'), "
            "(SELECT max(id) FROM people_person))"
        )
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE people_person")
        conn.execute("VACUUM ANALYZE people_address")
        analysed = time.perf_counter() - began
    return {
        "people": count,
        "load_seconds": round(loaded, 1),
        "people_per_second": round(count / loaded),
        "vacuum_analyze_seconds": round(analysed, 1),
    }


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", "1000000"))
    )
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
    url = server + args.database
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    admin_execute(
        server, f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"'
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from safeguard.accounts.demo import demo_force, load_demo
    from safeguard.accounts.models import User
    from safeguard.accounts.services import actor_for
    from safeguard.cases.models import Case
    from safeguard.people.models import Address, Person
    from safeguard.people.rules.matching import swapped_dob
    from safeguard.people.selectors import person_duplicates
    from tests.helpers import sign_in

    setup_test_environment()
    load_before = os.getloadavg()
    call_command("migrate", verbosity=0)
    load_demo()
    force = demo_force()
    assert force is not None
    supervisor = User.objects.get(username="supervisor")
    connection.close()
    loading = load_people(url, force.pk, supervisor.pk, args.people, args.seed)
    print(
        f"{args.people:,} people loaded in {loading['load_seconds']} s "
        f"({loading['people_per_second']:,}/s); analyse {loading['vacuum_analyze_seconds']} s"
    )

    rng = random.Random(args.seed + 1)
    ids = list(
        Person.objects.filter(force=force, date_of_birth__isnull=False)
        .order_by("?")
        .values_list("pk", flat=True)[: args.repeats]
    )
    sample = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    homes = {
        a.person_id: a for a in Address.objects.filter(person_id__in=ids, lived_to__isnull=True)
    }
    actor = actor_for(supervisor)
    checks = []
    for i, pk in enumerate(ids):
        person = sample[pk]
        dob = person.date_of_birth
        if i % 4 == 3 and swapped_dob(dob):
            dob = swapped_dob(dob)
        home = homes.get(pk) if i % 3 == 0 else None
        checks.append(
            {
                "given_names": nickname(person.given_names, rng),
                "family_name": SOUND_ALIKE.get(person.family_name, person.family_name),
                "date_of_birth": dob,
                "address_line1": home.line1 if home else "",
                "postcode": home.postcode if home else "",
                "expect": pk,
            }
        )
    found_expected = 0
    candidates_shown = []

    def duplicate_check(check: dict[str, Any]) -> None:
        nonlocal found_expected
        found = person_duplicates(actor=actor, **{k: v for k, v in check.items() if k != "expect"})
        found_expected += any(d.person.pk == check["expect"] for d in found)
        candidates_shown.append(len(found))

    client = Client()
    sign_in(client, supervisor)

    def get(path: str, data: dict[str, str]) -> None:
        response = client.get(path, data, follow=True)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {data}: {response.status_code}")

    reference = Case.objects.filter(force=force).values_list("reference", flat=True).first()
    names = [f"{c['given_names']} {c['family_name']}" for c in checks]
    results: dict[str, Any] = {}
    for label, call, items in (
        ("duplicate check", duplicate_check, checks),
        ("quick-find by name", lambda name: get("/find/", {"q": name}), names),
        ("quick-find by number", lambda pk: get("/find/", {"q": str(pk)}), ids),
        (
            "quick-find by case reference",
            lambda _: get("/find/", {"q": reference or "CP-2026-000001"}),
            list(range(args.repeats)),
        ),
    ):
        for item in items[:3]:  # warm caches and connections
            call(item)
        found_expected, candidates_shown = 0, []
        times = [timed(lambda item=item: call(item)) for item in items]
        key = label.replace(" ", "_").replace("-", "_")
        results[key] = summary(times)
        p50, p95 = results[key]["p50_ms"], results[key]["p95_ms"]
        print(f"{label:<30} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms")
        if label == "duplicate check":
            results["duplicate_check"]["found_the_person"] = f"{found_expected}/{len(items)}"
            results["duplicate_check"]["candidates_p95"] = percentile(
                [float(n) for n in candidates_shown], 0.95
            )
            print(f"  found the person {found_expected}/{len(items)} times")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = cursor.fetchone()[0]
    report = {
        "benchmark": "people_search",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"people": args.people, "size_gib": round(db_bytes / 2**30, 2)},
        "loading": loading,
        "repeats": args.repeats,
        "results": results,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    size = "" if args.people == 1_000_000 else f"-{args.people // 1000}k"
    out = RESULTS / f"people_search-{datetime.now(UTC):%Y-%m-%d}{size}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")
    connection.close()
    if args.drop:
        admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
