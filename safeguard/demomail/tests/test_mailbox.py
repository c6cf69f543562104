"""The Demo mailbox: the sink keeps what the demo sends, the page lists it for an admin or a
supervisor, newest first, paginated; production settings have no such page."""

import os
import smtplib
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from safeguard.core.models import AuditEntry
from safeguard.demomail import sink
from safeguard.demomail.views import PAGE_SIZE

pytestmark = pytest.mark.django_db
URL = "/demo/mailbox/"
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_sink(settings: object, tmp_path: Path) -> Iterator[Path]:
    """The demo's real SMTP sink on a free port, with Django's email sent to it."""
    folder = tmp_path / "demo-mail"
    port = _free_port()
    controller = sink.start(folder, "127.0.0.1", port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = port  # type: ignore[attr-defined]
    settings.DEMO_MAILBOX_DIR = str(folder)  # type: ignore[attr-defined]
    try:
        yield folder
    finally:
        controller.stop()


def test_an_email_sent_by_the_service_is_listed_with_its_body(
    demo_sink: Path, admin_client: Client
) -> None:
    mail.send_mail(
        "Reset your Safeguard password",
        "Use this link to choose a new password:\nhttp://127.0.0.1:8000/reset/abc/\n",
        "safeguard@localhost",
        ["rory.reset@demo.police.example"],
    )
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "rory.reset@demo.police.example" in page
    assert "Reset your Safeguard password" in page
    assert "http://127.0.0.1:8000/reset/abc/" in page
    assert "1 email, newest first" in page
    assert AuditEntry.objects.filter(object_type="demo_mailbox", action="view").count() == 1


def test_newest_first_paginated_and_times_in_london(
    demo_sink: Path, supervisor_client: Client
) -> None:
    from safeguard.demomail.selectors import demo_mailbox_dir

    assert demo_mailbox_dir() == demo_sink
    from django.conf import settings

    with smtplib.SMTP("127.0.0.1", settings.EMAIL_PORT) as smtp:
        for n in range(PAGE_SIZE + 1):
            message = EmailMessage()
            message["Subject"] = f"Message {n:02d}"
            message["From"] = "safeguard@localhost"
            message["To"] = f"person{n}@demo.example"
            message.set_content(f"Body {n}")
            smtp.send_message(message)
    # Make the delivery times distinct and known: one a minute, message 20 the newest.
    import mailbox

    box = mailbox.Maildir(demo_sink, create=False)
    base = datetime(2026, 7, 1, 9, 0, tzinfo=UTC).timestamp()
    for key in box.iterkeys():
        n = int(box[key]["Subject"].split()[-1])
        path = demo_sink / box._lookup(key)
        os.utime(path, (base + 60 * n, base + 60 * n))
    first = supervisor_client.get(URL).content.decode()
    assert first.index("Message 20") < first.index("Message 19") < first.index("Message 01")
    assert "Message 00" not in first
    assert "Page 1 of 2" in first
    # 09:20 UTC on 1 July is 10:20 in London (BST).
    assert "1 Jul 2026 10:20:00" in first
    second = supervisor_client.get(URL, {"page": 2}).content.decode()
    assert "Message 00" in second and "Message 20" not in second


def test_empty_state(settings: object, tmp_path: Path, admin_client: Client) -> None:
    settings.DEMO_MAILBOX_DIR = str(tmp_path / "nothing-yet")  # type: ignore[attr-defined]
    page = admin_client.get(URL).content.decode()
    assert 'id="demo-mailbox-empty"' in page
    assert "Demo mailbox" in page


@pytest.mark.parametrize(
    "role", ["officer", "investigator", "custody_officer", "auditor", "analyst", "partner"]
)
def test_other_roles_are_refused(
    role: str, make_client: Callable[..., Client], settings: object, tmp_path: Path
) -> None:
    settings.DEMO_MAILBOX_DIR = str(tmp_path)  # type: ignore[attr-defined]
    assert make_client(role).get(URL).status_code == 403


def test_the_navigation_links_it_for_an_admin_only_when_it_is_on(
    admin_client: Client, settings: object, tmp_path: Path
) -> None:
    settings.DEMO_MAILBOX_DIR = str(tmp_path)  # type: ignore[attr-defined]
    assert 'href="/demo/mailbox/"' in admin_client.get(URL).content.decode()
    settings.DEMO_MAILBOX = False  # type: ignore[attr-defined]
    # The view refuses as well as the URLconf leaving it out (see the production test).
    assert admin_client.get(URL).status_code == 404
    assert 'href="/demo/mailbox/"' not in admin_client.get("/alerts/").content.decode()


def _resolve_in(settings_module: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "safeguard.example",
        "DATABASE_URL": "sqlite:///:memory:",
        "EMAIL_HOST": "smtp.example",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DEMO_MAILBOX", None)
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/demo/mailbox/'); found = 'mounted'\n"
        "except Resolver404:\n    found = 'absent'\n"
        "print(settings.DEMO_MAILBOX, found)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_production_settings_have_no_mailbox_url() -> None:
    assert _resolve_in("config.settings.production") == "False absent"


def test_demo_settings_mount_it() -> None:
    assert _resolve_in("config.settings.local") == "True mounted"


def test_safeguard_serve_starts_the_sink_only_with_the_mailbox_on(settings: object) -> None:
    from safeguard.cli import _mail_sink

    settings.EMAIL_PORT = 2525  # type: ignore[attr-defined]
    settings.DEMO_MAILBOX_DIR = "/tmp/demo-mail-x"  # type: ignore[attr-defined]
    command = _mail_sink()
    assert command is not None
    assert command[1:3] == ["-m", "safeguard.demomail.sink"]
    assert command[command.index("--port") + 1] == "2525"
    assert command[command.index("--dir") + 1] == "/tmp/demo-mail-x"
    settings.DEMO_MAILBOX = False  # type: ignore[attr-defined]
    assert _mail_sink() is None
