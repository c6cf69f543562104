"""The demo's local SMTP sink: every message sent to it is kept in a Maildir under var/.

Why a Maildir and not a table: the sink is a separate process that must not compete with the
server and the worker for SQLite's single writer lock, the format is the standard library's
(`mailbox.Maildir`, written by aiosmtpd's own `Mailbox` handler: one file a message, written
atomically through tmp/), and it needs no model or migration in an app production never
mounts. The Demo mailbox page reads the same directory (selectors.py).

Run it alone with `python -m safeguard.demomail.sink --port 1025 --dir var/demo-mail`;
`safeguard serve` starts it beside the server and the worker when the demo mailbox is on.
"""

import argparse
import signal
import sys
import threading
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class MailSink(Mailbox):
    """aiosmtpd's Maildir handler; `keep`, when given, also receives every message (the
    browser tests read it to follow links)."""

    def __init__(self, mail_dir: Path, keep: list[Any] | None = None) -> None:
        for sub in ("tmp", "new", "cur"):  # Maildir makes these only for a new directory
            (Path(mail_dir) / sub).mkdir(parents=True, exist_ok=True)
        super().__init__(mail_dir)
        self.keep = keep

    def handle_message(self, message: EmailMessage) -> None:
        super().handle_message(message)
        if self.keep is not None:
            self.keep.append(message)


def start(mail_dir: Path, host: str, port: int, keep: list[Any] | None = None) -> Controller:
    """Start the sink in a background thread; the caller stops it with `.stop()`."""
    controller = Controller(MailSink(mail_dir, keep), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The demo's local SMTP sink (a Maildir).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path("var/demo-mail"))
    args = parser.parse_args(argv)
    try:
        controller = start(args.dir, args.host, args.port)
    except OSError as error:
        print(f"Demo mail sink: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    print(f"Demo mail sink on {args.host}:{args.port}, keeping mail in {args.dir}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
