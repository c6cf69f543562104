"""Force administration in a real browser (issue 12): the demo force admin adds a person (after
an empty try shows the error summary); the person chooses a password from the email the worker
sends over real SMTP, signs in, and sets up an authenticator app by scanning a QR code. The
import and unit pages are checked too. Every page is checked with axe (WCAG 2.2 AA), for
Content-Security-Policy violations and for GOV.UK Frontend having started.

It adds one officer with no work, so it may run before or after the other journeys.
"""

import base64
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2EServer
from tests.e2e.support import PageProblems, TotpClock, check_page, sign_in_password, submit_code
from tests.e2e.test_password_reset_email import wait_for_mail

pytestmark = pytest.mark.browser

USERNAME = "pjourney"
EMAIL = "priya.journey@demo.police.example"
PASSWORD = "priya-chose-this-passphrase-2026"


def test_a_force_admin_adds_a_person_who_signs_in_and_enrols(
    page: Page, problems: PageProblems, totp_clock: TotpClock, e2e_server: E2EServer
) -> None:
    page.goto("/sign-in/")
    sign_in_password(page, "admin")
    submit_code(page, totp_clock.code("admin"))
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))

    page.goto("/staff/")
    expect(page.locator("h1")).to_have_text("Staff")
    check_page(page, problems, "Staff list (force admin)")

    page.goto("/staff/import/")
    expect(page.get_by_role("link", name="Download an example file (CSV)")).to_be_visible()
    check_page(page, problems, "Import staff from a CSV file")

    page.goto("/units/new/")
    page.get_by_role("button", name="Add unit").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page, problems, "Add a unit with errors")

    page.goto("/staff/")
    page.get_by_role("button", name="Add a person").click()
    expect(page.locator("h1")).to_have_text("Add a person")
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a username")
    check_page(page, problems, "Add a person with errors")

    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Journey")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Officer", exact=True).check()
    page.get_by_label("Response Team North", exact=True).check()
    page.get_by_role("button", name="Add person").click()
    expect(page.locator("h1")).to_have_text("Priya Journey")
    expect(page.locator(".govuk-notification-banner, .moj-alert").first).to_contain_text(
        "Priya Journey was added"
    )
    check_page(page, problems, "Staff record of the new person")

    # The new person, in a browser of their own (no cookies of the admin's).
    page.context.clear_cookies()
    body = wait_for_mail(e2e_server, EMAIL)
    assert "Your username is pjourney" in body, body
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/\S+/)", body)
    assert link is not None, body
    page.goto(link.group(1))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("h1")).to_have_text("Your password has been changed")

    page.goto("/sign-in/")
    sign_in_password(page, USERNAME, PASSWORD)
    expect(page).to_have_url(re.compile(r"/sign-in/set-up-authenticator/$"))
    expect(
        page.get_by_role("img", name="QR code for setting up your authenticator app")
    ).to_be_visible()
    check_page(page, problems, "Set up your authenticator app (new person)")
    secret = page.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your authenticator app").fill(totp_clock.code(USERNAME, key))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator("h1")).to_have_text("My work")
