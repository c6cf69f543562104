"""The `safeguard` command: serve the demo with its worker, run the worker, sweep the clocks,
verify the audit log, generate synthetic cases."""

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def sweep() -> int:
    import django

    django.setup()
    from django.utils import timezone

    from safeguard.core.clocks import clocks_sweep

    report = clocks_sweep(now=timezone.now())
    print(
        f"Swept: {report.breached} newly breached, {report.escalations} escalations, "
        f"{report.messages} messages queued."
    )
    return 0


def worker(*, interval: float, sweep_every: float, tasks: bool, batch: int) -> int:
    """Deliver due outbox messages every `interval` seconds and sweep the clocks every
    `sweep_every` seconds, beside the django-tasks database worker (queued tasks), until
    SIGTERM or Ctrl-C. A crash loses nothing: every message waits in the outbox table."""
    import django

    django.setup()
    from django.db import close_old_connections
    from django.utils import timezone

    from safeguard.core.clocks import clocks_sweep
    from safeguard.core.outbox import outbox_deliver_due

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log = logging.getLogger("safeguard.worker")
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    task_worker = None
    if tasks:
        task_worker = subprocess.Popen(_manage("db_worker", "--interval", "1"))  # noqa: S603
    next_sweep = time.monotonic()
    log.info("worker started: outbox every %ss, clock sweep every %ss", interval, sweep_every)
    try:
        while not stopping:
            close_old_connections()
            try:
                while not stopping:
                    report = outbox_deliver_due(now=timezone.now(), batch=batch)
                    if report.attempted:
                        log.info("outbox: %s", report)
                    if report.attempted < batch or report.retrying:
                        break
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + sweep_every
                    swept = clocks_sweep(now=timezone.now())
                    if swept.escalations or swept.breached:
                        log.info(
                            "sweep: %s breached, %s escalations", swept.breached, swept.escalations
                        )
            except Exception:
                # The database may be restarting: log it and try again on the next tick.
                log.exception("worker tick failed")
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.1, interval))
    finally:
        if task_worker is not None:
            task_worker.send_signal(signal.SIGTERM)
            try:
                task_worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                task_worker.kill()
    return 0


def _mail_sink() -> list[str] | None:
    """The demo's SMTP sink command when the settings have the Demo mailbox on, else None."""
    from django.conf import settings

    if not getattr(settings, "DEMO_MAILBOX", False):
        return None
    return [
        sys.executable,
        "-m",
        "safeguard.demomail.sink",
        "--host",
        str(settings.EMAIL_HOST),
        "--port",
        str(settings.EMAIL_PORT),
        "--dir",
        str(settings.DEMO_MAILBOX_DIR),
    ]


def serve(address: str) -> int:
    """Run the web server and the background worker together until interrupted; in the demo
    settings, the local SMTP sink that the Demo mailbox page reads, too."""
    background = []
    sink = _mail_sink()
    if sink is not None:
        background.append(subprocess.Popen(sink, cwd=ROOT))  # noqa: S603
    # The worker delivers the outbox, sweeps the clocks and runs the django-tasks queue.
    background.append(subprocess.Popen([sys.executable, "-m", "safeguard.cli", "worker"], cwd=ROOT))
    try:
        return subprocess.call(_manage("runserver", address, "--noreload"))  # noqa: S603
    except KeyboardInterrupt:
        return 0
    finally:
        for child in reversed(background):
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    parser = argparse.ArgumentParser(prog="safeguard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser(
        "serve", help="web server and worker together (and the demo's mail sink in the demo)"
    )
    serve_cmd.add_argument("--address", default="127.0.0.1:8000")
    commands.add_parser("demo", help="migrate, load the demo force and print its logins")
    worker_cmd = commands.add_parser(
        "worker", help="run the background worker: outbox deliveries, clock sweeps, tasks"
    )
    worker_cmd.add_argument("--interval", type=float, default=2.0, help="seconds between runs")
    worker_cmd.add_argument("--sweep-every", type=float, default=60.0, help="seconds")
    worker_cmd.add_argument("--batch", type=int, default=50, help="messages per SMTP connection")
    worker_cmd.add_argument(
        "--no-tasks", action="store_true", help="do not start the django-tasks database worker"
    )
    commands.add_parser("sweep", help="sweep the clocks once: breaches and escalations")
    commands.add_parser("verify-audit", help="verify the audit hash chain")
    commands.add_parser(
        "generate",
        help="synthetic cases for a force (options as `manage.py generate --help`)",
        add_help=False,
    )
    # `generate` passes its options through to the management command unparsed.
    args, rest = parser.parse_known_args(argv)
    if args.command == "generate":
        return subprocess.call(_manage("generate", *rest))  # noqa: S603
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        return serve(args.address)
    if args.command == "demo":
        for step in (("migrate", "--noinput"), ("load_demo",)):
            if subprocess.call(_manage(*step)) != 0:  # noqa: S603
                return 1
        return 0
    if args.command == "worker":
        return worker(
            interval=args.interval,
            sweep_every=args.sweep_every,
            tasks=not args.no_tasks,
            batch=args.batch,
        )
    if args.command == "sweep":
        return sweep()
    return subprocess.call(_manage("verify_audit"))  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
