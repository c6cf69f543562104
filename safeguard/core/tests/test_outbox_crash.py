"""SECURITY.md row 18, sized for CI: the real worker (`python -m safeguard.cli worker`) is killed
with SIGKILL twice in the middle of delivering 200 messages to a slowed-down local SMTP server,
and restarted. Every message arrives; a message arrives twice only if it was in flight at a
kill, and then with the same Message-ID; nothing is left undelivered.

The worker runs in its own process on its own SQLite file (as tests/e2e does), never on the
suite's test database.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from safeguard.core.tests.test_outbox import Mailbox, free_port

ROOT = Path(__file__).resolve().parents[3]
N = 200
BATCH = 10
CLAIM_SECONDS = 1.0

_ENQUEUE = f"""
from django.db import transaction
from django.utils import timezone
from safeguard.core.outbox import outbox_enqueue
now = timezone.now()
with transaction.atomic():
    for i in range({N}):
        outbox_enqueue(channel="email", subject=f"Message {{i}}", body="Body", now=now,
                       to_address=f"person{{i}}@police.example")
"""


def _env(tmp: Path, smtp_port: int) -> dict[str, str]:
    (tmp / "crash_settings.py").write_text(
        "from config.settings.test import *  # noqa: F403\n"
        f"OUTBOX_CLAIM_SECONDS = {CLAIM_SECONDS}\n"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'outbox.sqlite3'}",
        DJANGO_SETTINGS_MODULE="crash_settings",
        PYTHONPATH=os.pathsep.join([str(tmp), str(ROOT)]),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEBUG="false",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"


def _start_worker(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    # Its own session, so SIGKILL reaches the whole worker as `kill -9` of its group would.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safeguard.cli",
            "worker",
            "--no-tasks",
            "--interval",
            "0.2",
            "--batch",
            str(BATCH),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _wait_for(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_worker_killed_mid_delivery_loses_nothing_and_resends_only_with_the_same_message_id(
    tmp_path,
):
    mailbox = Mailbox(reject=(), delay=0.01)
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = _env(tmp_path, port)
    log_path = tmp_path / "worker.log"
    worker = None
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "shell", "-c", _ENQUEUE)
        kills = 0
        with log_path.open("wb") as log:
            for kill_at in (N // 4, N // 2):
                worker = _start_worker(env, log)
                assert _wait_for(lambda at=kill_at: len(mailbox.messages) >= at, 20), (
                    log_path.read_text()[-3000:]
                )
                _kill(worker)  # in the middle of a batch: its rows stay SENDING, claimed
                kills += 1
            worker = _start_worker(env, log)

            def all_arrived() -> bool:
                return len(set(mailbox.message_ids())) >= N

            assert _wait_for(all_arrived, 25), log_path.read_text()[-3000:]
            # Whatever was still being marked sent settles before the rows are read.
            time.sleep(0.5)
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)
    finally:
        if worker is not None and worker.poll() is None:
            _kill(worker)
        smtp.stop()

    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        query = "SELECT message_id, to_address, status FROM core_outboxmessage"
        rows = db.execute(query).fetchall()
    assert len(rows) == N
    assert {status for _, _, status in rows} == {"sent"}
    stored_ids = {message_id for message_id, _, _ in rows}

    received = mailbox.message_ids()
    ids_by_address: dict[str, set[str]] = defaultdict(set)
    for message in mailbox.messages:
        ids_by_address[str(message["To"])].add(str(message["Message-ID"]))
    # Every message arrived, under the Message-ID stored for it; none was lost.
    assert set(received) == stored_ids
    assert len(set(received)) == N
    # A duplicate is the same message again (same Message-ID), never a second message.
    assert all(len(ids) == 1 for ids in ids_by_address.values())
    assert len(ids_by_address) == N
    # Only rows in flight at a kill (at most one batch per kill) arrived twice.
    duplicates = len(received) - N
    assert 0 <= duplicates <= kills * BATCH
    print(f"{N} messages, {kills} kills, {duplicates} duplicates (same Message-ID)")
