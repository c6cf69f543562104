"""Browser tests: one real server and one headless Chromium for the whole session.

The server is `manage.py runserver` in its own process, on its own SQLite file with the demo
force loaded, so these tests never touch pytest-django's test database (whatever DATABASE_URL
says for the rest of the suite). Each test gets a new browser context: no cookies are shared.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from safeguard.demomail import sink
from tests.e2e.support import AXE_SUMMARY, PageProblems, TotpClock

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = BASE_DIR / "manage.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# A user with a password but no authenticator app yet, so the set-up page can be reached.
NEW_STARTER = "newstarter"
NEW_STARTER_PASSWORD = "newstarter-demo-passphrase-2026"
# A user who resets their password through email sent by the real worker over real SMTP.
RESETTER = "resetter"
RESETTER_OLD_PASSWORD = "resetter-old-passphrase-2026"
RESETTER_EMAIL = "resetter@demo.police.example"
_CREATE_NEW_STARTER = f"""
from safeguard.accounts import services
from safeguard.accounts.demo import demo_force
from safeguard.accounts.models import Unit
force = demo_force()
services.staff_create(
    actor=None, force=force, username={NEW_STARTER!r}, password={NEW_STARTER_PASSWORD!r},
    first_name="Nina", last_name="Newman", email="newstarter@demo.police.example",
    roles=["officer"], units=list(Unit.objects.filter(force=force)[:1]),
    job_title="Student Officer",
)
services.staff_create(
    actor=None, force=force, username={RESETTER!r}, password={RESETTER_OLD_PASSWORD!r},
    first_name="Rory", last_name="Reset", email={RESETTER_EMAIL!r},
    roles=["officer"], units=list(Unit.objects.filter(force=force)[:1]),
)
"""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last (stable sort): while Playwright's sync API is alive, the main
    thread has a running asyncio loop, and Django refuses ORM calls from tests in that state."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not AXE_SUMMARY:
        return
    terminalreporter.section("axe (WCAG 2.2 AA)")
    for name, count in AXE_SUMMARY.items():
        terminalreporter.write_line(f"{count:3d}  {name}")
    total = sum(AXE_SUMMARY.values())
    terminalreporter.write_line(f"axe: {len(AXE_SUMMARY)} pages, {total} violations")


# --- the server -----------------------------------------------------------------------------


@dataclass
class E2EServer:
    url: str
    log_path: Path
    mailbox: list[Any] = field(default_factory=list)
    log_offset: int = 0

    def new_log(self) -> str:
        """What the server logged since the last call."""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            text = log.read().decode("utf-8", "replace")
            self.log_offset = log.tell()
        return text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _child_env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Never the suite's database (it may be PostgreSQL): the child has its own SQLite file.
    env["DATABASE_URL"] = f"sqlite:///{db_path}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DEBUG"] = "false"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    # Live lists (My work) fetch themselves every 2 s here, so a test need not wait 30 s.
    env["LIVE_REFRESH_SECONDS"] = "2"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a loaded machine migrates a fresh SQLite file slowly
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"The server did not answer /healthz in 30 s:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EServer]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = _child_env(tmp / "e2e.sqlite3")
    mailbox: list[Any] = []
    smtp_port = _free_port()
    # The demo's own mail sink: it keeps each message for the tests and in the Maildir the
    # server's Demo mailbox page reads.
    smtp = sink.start(tmp / "demo-mail", "127.0.0.1", smtp_port, keep=mailbox)
    env["EMAIL_HOST"] = "127.0.0.1"
    env["EMAIL_PORT"] = str(smtp_port)
    env["DEMO_MAILBOX_DIR"] = str(tmp / "demo-mail")
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    _manage(env, "shell", "-c", _CREATE_NEW_STARTER)
    port = _free_port()
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        # --insecure: the staticfiles runserver serves /static/ through the finders with DEBUG
        # off, so neither collectstatic into var/ nor a settings change is needed.
        process = subprocess.Popen(
            [
                sys.executable,
                str(MANAGE),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # The background worker, as `safeguard serve` runs it: it delivers the outbox (the
        # reset email) over SMTP and runs django-tasks' db_worker beside it. On SIGTERM it
        # stops its db_worker before it exits.
        worker = subprocess.Popen(
            [sys.executable, "-m", "safeguard.cli", "worker", "--interval", "0.5"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process, log_path)
        server = E2EServer(url=f"http://127.0.0.1:{port}", log_path=log_path, mailbox=mailbox)
        server.new_log()
        yield server
    finally:
        for child in (worker, process):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)
        smtp.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API keeps an asyncio loop running on this thread while it is alive.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def totp_clock() -> TotpClock:
    return TotpClock()


# Reports every Content-Security-Policy violation on every page of the context to the test.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__sgReportCsp(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} on ${location.pathname}`
  );
});
"""


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Any, e2e_server: E2EServer, problems: PageProblems) -> Iterator[Any]:
    context = browser.new_context(base_url=e2e_server.url)
    context.set_default_timeout(10_000)
    context.expose_binding("__sgReportCsp", lambda _source, text: problems.csp.append(text))
    context.add_init_script(_CSP_LISTENER)
    tab = context.new_page()

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.csp.append(f"console: {text}")
        elif "GOV.UK Frontend" in text:
            problems.js_errors.append(f"console {message.type}: {text}")
        elif message.type == "error" and "status of 404" not in text:
            problems.js_errors.append(f"console error: {text}")

    def on_response(response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.failed_assets.append(f"{response.status} {response.url}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.js_errors.append(f"page error: {error}"))

    def on_request_failed(request: Any) -> None:
        # A fetch cut short by the next navigation (ERR_ABORTED) is not a problem.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            problems.failed_assets.append(f"{request.url}: {request.failure}")

    tab.on("requestfailed", on_request_failed)
    tab.on("response", on_response)
    try:
        yield tab
    finally:
        context.close()
    server_log = e2e_server.new_log()
    assert "Traceback" not in server_log and '" 500 ' not in server_log, (
        "The server failed:\n" + server_log[-4000:]
    )
    problems.assert_none()
