"""Benchmark: verify a 100,000-entry audit chain (SECURITY.md row 17 target: under 10 s).

Run with `make bench`. Builds the chain in a throwaway database (SQLite, or the PostgreSQL named
by BENCH_DATABASE_URL), then times `audit_verify_chain` and prints entries per second.
"""

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "100000"))
TARGET_SECONDS = 10.0


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sg-bench-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from safeguard.core.audit import HASHED_FIELDS, _hash_input, audit_verify_chain
    from safeguard.core.models import AuditChainHead, AuditEntry
    from safeguard.core.rules import GENESIS_HASH, chain_hash

    call_command("migrate", verbosity=0)
    if AuditEntry.objects.exists():
        print("bench database is not empty", file=sys.stderr)
        return 2
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    rows = []
    built = time.perf_counter()
    for seq in range(1, ENTRIES + 1):
        values = {
            "seq": seq,
            "at": start + timedelta(seconds=seq),
            "force_id": 1,
            "actor_user_id": seq % 50,
            "actor_username": f"user{seq % 50}",
            "channel": "web",
            "action": "view",
            "object_type": "child",
            "object_id": str(seq % 5000),
            "reason_code": "",
            "changed_fields": [],
            "recipient": "",
            "outcome": "success",
            "request_id": f"r{seq}",
        }
        assert set(values) == set(HASHED_FIELDS)
        digest = chain_hash(prev, _hash_input(values))
        rows.append(AuditEntry(**values, prev_hash=prev, entry_hash=digest))
        prev = digest
    with transaction.atomic():
        AuditEntry.objects.bulk_create(rows, batch_size=2000)
        AuditChainHead.objects.filter(pk=1).update(seq=ENTRIES, entry_hash=prev)
    print(f"built {ENTRIES} entries in {time.perf_counter() - built:.1f} s")
    began = time.perf_counter()
    report = audit_verify_chain()
    elapsed = time.perf_counter() - began
    print(
        f"verified {report.checked} entries in {elapsed:.2f} s "
        f"({report.checked / elapsed:,.0f} entries/s); ok={report.ok}; target < {TARGET_SECONDS} s"
    )
    return 0 if report.ok and elapsed < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
