"""The demo's emails can be read: a password reset request sends an email through the worker
to the demo's mail sink, and the force admin reads it on the Demo mailbox page."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2EServer
from tests.e2e.support import PageProblems, TotpClock, check_page, sign_in_password, submit_code

pytestmark = pytest.mark.browser

ASKER = "analyst@demo.police.example"


def _wait_for_mail(server: E2EServer, to: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(message["To"] == to for message in server.mailbox):
            return
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} within {timeout} s")


def test_a_reset_email_appears_in_the_demo_mailbox(
    page: Page, problems: PageProblems, e2e_server: E2EServer, totp_clock: TotpClock
) -> None:
    page.goto("/password-reset/")
    page.get_by_label("Email").fill(ASKER)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    _wait_for_mail(e2e_server, ASKER)

    page.goto("/sign-in/")
    sign_in_password(page, "admin")
    submit_code(page, totp_clock.code("admin"))
    page.get_by_role("link", name="Demo mailbox").first.click()
    expect(page.locator("h1")).to_have_text("Demo mailbox")
    check_page(page, problems, "Demo mailbox")

    row = page.locator("#demo-mailbox tbody tr").filter(has_text=ASKER).first
    expect(row).to_be_visible()
    # The body is behind the subject; opening it shows the reset link the user was sent.
    row.locator(".govuk-details__summary").click()
    expect(row.locator(".govuk-details__text")).to_contain_text(
        re.compile(r"/password-reset/\S+/\S+/")
    )
    expect(row.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    check_page(page, problems, "Demo mailbox, an email opened")
