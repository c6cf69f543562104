"""Password reset end to end: the page writes the email to the outbox, and the worker process
(`python -m safeguard.cli worker`) delivers it over SMTP."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RESETTER, RESETTER_EMAIL, E2EServer
from tests.e2e.support import PageProblems, check_page, sign_in_password

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-fresh-passphrase-from-the-email-link"


def wait_for_mail(server: E2EServer, to: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in server.mailbox:
            if message["To"] == to:
                return str(message.get_payload())
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} within {timeout} s")


def test_reset_email_from_the_worker_lets_the_user_choose_a_new_password(
    page: Page, problems: PageProblems, e2e_server: E2EServer
) -> None:
    page.goto("/password-reset/")
    page.get_by_label("Email").fill(RESETTER_EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")

    body = wait_for_mail(e2e_server, RESETTER_EMAIL)
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/\S+/)", body)
    assert link is not None, body
    page.goto(link.group(1))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    check_page(page, problems, "Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("h1")).to_have_text("Your password has been changed")

    page.goto("/sign-in/")
    sign_in_password(page, RESETTER, NEW_PASSWORD)
    # The new password is accepted; the second factor is still required.
    expect(page).to_have_url(re.compile(r"/sign-in/set-up-authenticator/$"))
