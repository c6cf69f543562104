"""What the browser tests share: TOTP codes, signing in through the pages, and page checks
(axe, Content-Security-Policy, GOV.UK Frontend initialised)."""

import re
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from safeguard.accounts.demo import demo_password, demo_totp_key_hex

TOTP_STEP = 30
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
# Page name -> number of axe violations, printed at the end of the session.
AXE_SUMMARY: dict[str, int] = {}
_AXE = Axe()


@dataclass
class PageProblems:
    """What the browser reported while a test ran; every list must stay empty."""

    csp: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        # Each problem is reported once: taken out of the lists before failing.
        csp, self.csp = self.csp, []
        js_errors, self.js_errors = self.js_errors, []
        failed_assets, self.failed_assets = self.failed_assets, []
        assert not csp, "Content-Security-Policy violations:\n" + "\n".join(csp)
        assert not js_errors, "JavaScript errors:\n" + "\n".join(js_errors)
        assert not failed_assets, "Static files failed:\n" + "\n".join(failed_assets)


class TotpClock:
    """Codes as an authenticator app computes them. django-otp accepts a time step only once
    per device, so a second sign-in of the same user within one step waits for the next step."""

    def __init__(self) -> None:
        self.last_step: dict[str, int] = {}

    def code(self, username: str, key: bytes | None = None) -> str:
        if key is None:
            key = bytes.fromhex(demo_totp_key_hex(username))
        step = int(time.time() // TOTP_STEP)
        last = self.last_step.get(username)
        if last is not None and step <= last:
            time.sleep((last + 1) * TOTP_STEP - time.time() + 0.2)
            step = int(time.time() // TOTP_STEP)
        self.last_step[username] = step
        totp = TOTP(key, step=TOTP_STEP, digits=6)
        totp.time = step * TOTP_STEP + 1
        return f"{totp.token():06d}"


def _violation_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {', '.join(map(str, node['target']))}")
            lines.append(f"    html:   {node.get('html', '')[:200]}")
    return "\n".join(lines)


def check_axe(page: Page, name: str) -> None:
    """Run axe (the WCAG 2.2 AA rule set) on the page as it is now; fail on any violation."""
    results = _AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    AXE_SUMMARY[name] = len(violations)
    assert not violations, f"axe found violations on {name} ({page.url}):\n" + (
        _violation_report(violations)
    )


def check_page(page: Page, problems: PageProblems, name: str) -> None:
    """Every page: GOV.UK Frontend initialised, no CSP violation or JS error, axe clean."""
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    # initAll() marks each component it starts; the skip link is on every page.
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    problems.assert_none()
    check_axe(page, name)
    problems.assert_none()


def assert_skip_link_first_tab_stop(page: Page) -> None:
    """Keyboard only: the first Tab lands on the skip link, and Enter moves focus to main."""
    assert page.evaluate("() => document.activeElement === document.body"), "focus has moved"
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_have_class(re.compile(r"\bgovuk-skip-link\b"))
    page.keyboard.press("Enter")
    expect(page.locator("main:focus")).to_have_id("main-content")
    # Drop the #main-content the link added: a form posted from here would carry it through
    # the redirect, and the browser would then move focus away from an error summary.
    page.evaluate("() => history.replaceState(null, '', location.pathname + location.search)")


def sign_in_password(page: Page, username: str, password: str | None = None) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or demo_password(username))
    page.get_by_role("button", name="Continue").click()


def submit_code(page: Page, code: str) -> None:
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()


def fill_date(page: Any, legend: str, day: Any) -> None:
    """Type a date into a GOV.UK date input (day, month, year), found by its legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def fill_moment(page: Any, legend: str, moment: Any) -> None:
    """Type a London date and time into a date input with its time box (docs/forms.md)."""
    local = moment.astimezone(ZoneInfo("Europe/London")) if moment.tzinfo else moment
    fill_date(page, legend, local)
    page.get_by_role("group", name=legend, exact=True).get_by_label("Time", exact=True).fill(
        f"{local:%H:%M}"
    )
