"""Benchmark: outbox throughput to a local SMTP server (aiosmtpd), in messages per second.

Run with `make bench`. Enqueues BENCH_OUTBOX_MESSAGES (default 2,000) emails in one transaction
in a throwaway database (SQLite, or the PostgreSQL named by BENCH_DATABASE_URL), then times
`outbox_deliver_due` batches, as the worker runs them, until every message is sent. Prints the
rate and writes bench/results/outbox-<date>.json.
"""

import json
import os
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "2000"))
BATCH = int(os.environ.get("BENCH_OUTBOX_BATCH", "50"))


class Sink:
    """An aiosmtpd handler that counts what it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received += 1
        return "250 OK"


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sg-bench-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(port)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from safeguard.core.models import OutboxMessage
    from safeguard.core.outbox import outbox_deliver_due, outbox_enqueue

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    call_command("migrate", verbosity=0)
    if OutboxMessage.objects.exists():
        print("bench database is not empty", file=sys.stderr)
        return 2
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        started = time.perf_counter()
        with transaction.atomic():
            now = timezone.now()
            for i in range(MESSAGES):
                outbox_enqueue(
                    channel="email",
                    subject=f"Overdue: case {i}",
                    body="A case is overdue for triage.\n" * 5,
                    now=now,
                    to_address=f"officer{i % 100}@police.example",
                    link=f"/cases/{i}/",
                )
        enqueue_seconds = time.perf_counter() - started

        started = time.perf_counter()
        sent = 0
        while sent < MESSAGES:
            report = outbox_deliver_due(now=timezone.now(), batch=BATCH)
            if report.attempted == 0 or report.retrying or report.dead:
                print(f"delivery stopped early: {report}", file=sys.stderr)
                return 1
            sent += report.sent
        seconds = time.perf_counter() - started
        deadline = time.monotonic() + 10
        while sink.received < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        smtp.stop()
    rate = MESSAGES / seconds
    print(
        f"outbox: {MESSAGES:,} messages delivered over SMTP in {seconds:.2f} s "
        f"({rate:,.0f} messages/s, batches of {BATCH}, {connection.vendor}); "
        f"enqueued in {enqueue_seconds:.2f} s; server received {sink.received:,}"
    )
    report_json = {
        "benchmark": "outbox",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "messages": MESSAGES,
        "batch": BATCH,
        "deliver_seconds": round(seconds, 3),
        "messages_per_second": round(rate, 1),
        "enqueue_seconds": round(enqueue_seconds, 3),
        "received": sink.received,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"outbox-{datetime.now(UTC):%Y-%m-%d}-{connection.vendor}.json"
    out.write_text(json.dumps(report_json, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if sink.received == MESSAGES else 1


if __name__ == "__main__":
    sys.exit(main())
