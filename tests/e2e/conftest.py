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
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP

from safeguard.accounts.demo import demo_password, demo_totp_key_hex

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
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
TOTP_STEP = 30
# A user with a password but no authenticator app yet, to reach the set-up page.
NEW_STARTER = "newstarter"
NEW_STARTER_PASSWORD = "newstarter-demo-passphrase-2026"
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
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last: while Playwright's sync API is alive, the main thread has a
    running asyncio loop, and Django refuses ORM calls from other tests in that state."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- the server -----------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    log_path: Path
    process: subprocess.Popen[bytes]
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
    # The child never uses the suite's database (it may be PostgreSQL): its own SQLite file.
    env["DATABASE_URL"] = f"sqlite:///{db_path}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DEBUG"] = "false"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
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
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"The server did not answer /healthz in 30 s:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = _child_env(tmp / "e2e.sqlite3")
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    _manage(env, "shell", "-c", _CREATE_NEW_STARTER)
    port = _free_port()
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        # --insecure: the staticfiles runserver serves /static/ from the finders with DEBUG
        # off, so no collectstatic into var/ and no settings change are needed.
        process = subprocess.Popen(  # noqa: S603
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
    server = LiveServer(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        _wait_healthy(server.url, process, log_path)
        server.new_log()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
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
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Reports each Content-Security-Policy violation to the test, on every page of the context.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__sgReportCsp({
    page: location.href,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
  });
});
"""


@dataclass
class PageProblems:
    csp: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(
    browser: Any, live_server_url: LiveServer, problems: PageProblems
) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server_url.url)
    context.set_default_timeout(10_000)
    context.expose_binding(
        "__sgReportCsp", lambda _source, report: problems.csp.append(str(report))
    )
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.csp.append(f"console: {text}")
        elif message.type == "error" and "status of 404" not in text:
            problems.js_errors.append(f"console error: {text}")
        elif "GOV.UK Frontend" in text:
            problems.js_errors.append(f"console {message.type}: {text}")

    def on_response(response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.failed_assets.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.js_errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.failed_assets.append(
        f"failed {request.url}: {request.failure}"
    ))
    page.on("response", on_response)
    try:
        yield page
    finally:
        context.close()
    server_log = live_server_url.new_log()
    server_errors = [
        line for line in server_log.splitlines() if "Traceback" in line or '" 500 ' in line
    ]
    assert not problems.csp, "Content-Security-Policy violations:\n" + "\n".join(problems.csp)
    assert not problems.js_errors, "JavaScript errors:\n" + "\n".join(problems.js_errors)
    assert not problems.failed_assets, "Static files failed:\n" + "\n".join(
        problems.failed_assets
    )
    assert not server_errors, "The server failed:\n" + server_log[-4000:]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not AXE_SUMMARY:
        return
    total = sum(AXE_SUMMARY.values())
    terminalreporter.section("axe (WCAG 2.2 AA)")
    for name, count in sorted(AXE_SUMMARY.items()):
        terminalreporter.write_line(f"{count:3d}  {name}")
    terminalreporter.write_line(f"axe: {len(AXE_SUMMARY)} pages, {total} violations")


__all__ = ["NEW_STARTER", "NEW_STARTER_PASSWORD", "check_axe", "demo_password"]
