"""Benchmark: sign-in answers take the same time for an unknown user and a wrong password.

SECURITY.md row 7 (ASVS 6.3.8): the latency difference must stay under 25%, or the timing tells an
attacker which usernames exist. Uses the production password hasher (argon2) on a throwaway
SQLite database; prints both medians and the difference.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
ROUNDS = int(os.environ.get("BENCH_SIGN_IN_ROUNDS", "15"))
LIMIT = 0.25


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sg-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"  # argon2, as in production
    import django

    django.setup()
    from axes.utils import reset
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from safeguard.accounts.demo import load_demo

    setup_test_environment()
    # Plain static storage: the bench has not run collectstatic, and timing is about hashing.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    load_demo()
    client = Client()

    def timed(username: str) -> float:
        reset(username=username)
        began = time.perf_counter()
        response = client.post("/sign-in/", {"username": username, "password": "wrong-guess-xx"})
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        return elapsed

    timed("officer")  # warm up
    known, unknown = [], []
    for i in range(ROUNDS):
        known.append(timed("officer"))
        unknown.append(timed(f"nobody{i}"))
    known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
    difference = abs(known_ms - unknown_ms) / max(known_ms, unknown_ms)
    print(
        f"sign-in median: wrong password {known_ms:.1f} ms, unknown user {unknown_ms:.1f} ms, "
        f"difference {difference:.1%} (limit {LIMIT:.0%}) over {ROUNDS} rounds"
    )
    return 0 if difference < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
