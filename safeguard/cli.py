"""The `safeguard` command: serve the demo with its worker, run the worker, verify the audit log,
generate synthetic cases."""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def serve(address: str) -> int:
    """Run the web server and the background worker together until interrupted."""
    worker = subprocess.Popen(_manage("db_worker", "--interval", "1"))  # noqa: S603
    try:
        return subprocess.call(_manage("runserver", address, "--noreload"))  # noqa: S603
    except KeyboardInterrupt:
        return 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    parser = argparse.ArgumentParser(prog="safeguard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="web server and worker together")
    serve_cmd.add_argument("--address", default="127.0.0.1:8000")
    commands.add_parser("demo", help="migrate, load the demo force and print its logins")
    commands.add_parser("worker", help="run the background worker")
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
        return subprocess.call(_manage("db_worker"))  # noqa: S603
    return subprocess.call(_manage("verify_audit"))  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
