"""Benchmark: one sweep over 1,000,000 open clocks (issue 4), and a second that sends nothing.

Run with `make bench` (BENCH_SWEEP_CLOCKS=200000 for a quick run). Creates the PostgreSQL
database sg_bench_sweep on BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/),
migrates it, COPYs in the open clocks (due times spread over the next 30 days; BENCH_SWEEP_DUE
of them, 1,000 by default, with a rung of their ladder due now), times `clocks_sweep` twice at
the same `now` with a resolver that names one recipient, prints a table, writes
bench/results/sweep-<date>.json and drops the database.
"""

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/")
DATABASE = "sg_bench_sweep"
RESULTS = ROOT / "bench" / "results"
CLOCKS = int(os.environ.get("BENCH_SWEEP_CLOCKS", "1000000"))
DUE_NOW = int(os.environ.get("BENCH_SWEEP_DUE", "1000"))
NAME = "case.triage"  # a registered clock with the default ladder
COLUMNS = (
    "force_id",
    "object_type",
    "object_id",
    "name",
    "started_at",
    "due_at",
    "met_at",
    "status",
    "owner_id",
    "unit_id",
    "high_risk",
    "next_escalation_at",
    "updated_at",
)


def admin_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(SERVER + "postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def load(now: datetime) -> float:
    """COPY the clocks in; the first DUE_NOW have their owner's "before" rung due now."""
    from django.db import connection

    began = time.perf_counter()
    spread = timedelta(days=30) - timedelta(hours=3)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY core_clockstate ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(CLOCKS):
                if i < DUE_NOW:
                    due = now + timedelta(hours=2) - timedelta(seconds=1 + i % 600)
                else:
                    # Spread over the next 30 days, every rung still in the future.
                    due = now + timedelta(hours=3) + spread * ((i * 7919) % CLOCKS) / CLOCKS
                copy.write_row(
                    (
                        1 + i % 40,
                        "case",
                        i + 1,
                        NAME,
                        due - timedelta(days=1),
                        due,
                        None,
                        "running",
                        1 + i % 5000,
                        1 + i % 200,
                        i % 10 == 0,
                        due - timedelta(hours=2),
                        now - timedelta(days=1),
                    )
                )
        cursor.execute("ANALYZE core_clockstate")
    return time.perf_counter() - began


def main() -> int:
    os.environ["DATABASE_URL"] = SERVER + DATABASE
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    admin_execute(f'DROP DATABASE IF EXISTS "{DATABASE}"', f'CREATE DATABASE "{DATABASE}"')
    try:
        return run()
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')


def run() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from safeguard.core.clocks import REGISTRY, ClockState, Recipient, clocks_sweep
    from safeguard.core.models import Escalation, OutboxMessage

    assert NAME in REGISTRY, "the supervision app registers the case clocks"
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    loaded = load(now)
    print(f"loaded {CLOCKS:,} open clocks in {loaded:.1f} s")

    def resolve(row: Any, who: str) -> list[Any]:
        return [Recipient(user_id=row.owner_id or 1, email="owner@bench.example")]

    timings: dict[str, dict[str, Any]] = {}
    for label in ("first sweep", "second sweep"):
        began = time.perf_counter()
        report = clocks_sweep(now=now, resolve=resolve, batch=max(DUE_NOW, 1000))
        seconds = time.perf_counter() - began
        timings[label] = {
            "seconds": round(seconds, 3),
            "examined": report.examined,
            "breached": report.breached,
            "escalations": report.escalations,
            "messages": report.messages,
        }
    escalations, messages = Escalation.objects.count(), OutboxMessage.objects.count()
    pending = ClockState.objects.filter(next_escalation_at__lte=now).count()
    ok = (
        timings["first sweep"]["escalations"] == DUE_NOW
        and timings["first sweep"]["messages"] == 2 * DUE_NOW
        and timings["second sweep"]["escalations"] == 0
        and timings["second sweep"]["messages"] == 0
        and (escalations, messages, pending) == (DUE_NOW, 2 * DUE_NOW, 0)
    )

    print(f"{'':14}{'seconds':>9}{'examined':>10}{'escalated':>11}{'messages':>10}")
    for label, t in timings.items():
        print(
            f"{label:14}{t['seconds']:9.3f}{t['examined']:10,}"
            f"{t['escalations']:11,}{t['messages']:10,}"
        )
    print(f"open clocks {CLOCKS:,}; rows escalated {escalations:,}; outbox rows {messages:,}")
    print("second sweep sent nothing" if ok else "FAILED: counts are not as expected")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"sweep-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "clocks_sweep",
                "database": "postgresql",
                "open_clocks": CLOCKS,
                "due_now": DUE_NOW,
                "load_seconds": round(loaded, 1),
                "sweeps": timings,
                "escalations": escalations,
                "outbox_messages": messages,
                "ok": ok,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
