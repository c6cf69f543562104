"""Every demo role, through the real pages in a real browser: sign in with password and code,
My work, every link of the service navigation, sign out. Each page is checked with axe, for
Content-Security-Policy violations and for GOV.UK Frontend having started."""

import base64
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from safeguard.accounts.demo import DEMO_USERS
from safeguard.core.permissions import ROLE_PERMISSIONS
from safeguard.frontend.navigation import NAVIGATION
from tests.e2e.conftest import NEW_STARTER, NEW_STARTER_PASSWORD
from tests.e2e.support import (
    PageProblems,
    TotpClock,
    assert_skip_link_first_tab_stop,
    check_page,
    sign_in_password,
    submit_code,
)

pytestmark = pytest.mark.browser

SIGN_IN = re.compile(r"/sign-in/(\?.*)?$")
CODE = re.compile(r"/sign-in/code/$")
MY_WORK = re.compile(r"/$")


def expected_navigation(username: str) -> list[tuple[str, str]]:
    role = next(user.role for user in DEMO_USERS if user.username == username)
    return [
        (item.text, reverse(item.url_name))
        for item in NAVIGATION
        if item.permission in ROLE_PERMISSIONS[role]
    ]


def service_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def explore(page: Page, problems: PageProblems, text: str, username: str) -> None:
    """What a person does on each page the navigation leads to, checking each page reached."""
    if text == "Units":
        page.locator("table a.govuk-link").first.click()
        expect(page.locator("h2", has_text="Members")).to_be_visible()
        check_page(page, problems, f"Unit detail [{username}]")
    elif text == "Staff":
        first = page.locator("table a.govuk-link").first
        name = first.inner_text()
        first.click()
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator(".govuk-caption-l")).to_have_text("Staff record")
        check_page(page, problems, f"Staff detail [{username}]")
        sections = page.get_by_role("navigation", name="Sections of this staff record")
        if sections.count():  # the Activity tab is there for those who may search the audit log
            sections.get_by_role("link", name="Activity").click()
            expect(page.locator("h2")).to_have_text("Activity, newest first")
            expect(sections.get_by_role("link", name="Activity")).to_have_attribute(
                "aria-current", "page"
            )
            check_page(page, problems, f"Staff activity [{username}]")
    elif text == "Audit log":
        page.get_by_label("Username of the person who acted").fill(username)
        page.get_by_role("button", name="Search").click()
        expect(page.locator("table caption")).to_contain_text("entries, newest first")
        expect(page.locator("table tbody")).to_contain_text(username)
        check_page(page, problems, f"Audit log with results [{username}]")
    elif text == "API tokens":
        page.get_by_label("Token name").fill(f"e2e script for {username}")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#new-token")).to_have_text(re.compile(r"^sgpat_\S+$"))
        expect(page.locator("table")).to_contain_text(f"e2e script for {username}")
        check_page(page, problems, f"API tokens after creating one [{username}]")


@pytest.mark.parametrize("username", [user.username for user in DEMO_USERS])
def test_role_journey(
    page: Page, problems: PageProblems, totp_clock: TotpClock, username: str
) -> None:
    # Not signed in: the service sends you to sign in.
    page.goto("/")
    expect(page).to_have_url(SIGN_IN)
    expect(page.locator("h1")).to_have_text("Sign in to Safeguard")
    check_page(page, problems, "Sign in")
    assert_skip_link_first_tab_stop(page)

    sign_in_password(page, username)
    expect(page).to_have_url(CODE)
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    check_page(page, problems, "Code page")

    # A mistyped code: the error summary, without spending a real attempt on the device.
    submit_code(page, "12ab")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, problems, "Code page with an error")

    submit_code(page, totp_clock.code(username))
    # Signing in leads to the role's main page (frontend.views.landing_url); My work is in
    # the navigation for every role.
    expect(page).not_to_have_url(CODE)
    page.goto("/")
    expect(page).to_have_url(MY_WORK)
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator("#my-work-empty")).to_contain_text("You have no work assigned")
    check_page(page, problems, f"My work [{username}]")
    page.reload()  # a fresh load, so focus starts at the top of the document
    assert_skip_link_first_tab_stop(page)

    # The navigation shows exactly what the role may open; follow each link.
    links = service_nav(page).get_by_role("link")
    expected = expected_navigation(username)
    assert [(link.inner_text(), link.get_attribute("href")) for link in links.all()] == expected
    for text, href in expected:
        service_nav(page).get_by_role("link", name=text, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(href) + r"$"))
        current = service_nav(page).get_by_role("link", name=text, exact=True)
        expect(current).to_have_attribute("aria-current", "page")
        expect(page.locator("h1")).to_be_visible()
        check_page(page, problems, f"{text} [{username}]")
        explore(page, problems, text, username)

    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    check_page(page, problems, f"Page not found, signed in [{username}]")

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(SIGN_IN)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    check_page(page, problems, "Sign in after signing out")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=%2F$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    problems.assert_none()


def test_wrong_password_shows_the_error_summary(page: Page, problems: PageProblems) -> None:
    page.goto("/sign-in/")
    sign_in_password(page, "nobody-here", "not the right passphrase at all")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password.")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    check_page(page, problems, "Sign in with an error summary")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Username")).to_be_focused()


def test_skip_link_is_the_first_tab_stop(page: Page, problems: PageProblems) -> None:
    page.goto("/sign-in/")
    assert_skip_link_first_tab_stop(page)
    problems.assert_none()


def test_password_reset_pages(page: Page, problems: PageProblems) -> None:
    page.goto("/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    check_page(page, problems, "Password reset")

    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page, problems, "Password reset with an error summary")

    page.get_by_label("Email").fill("officer@demo.police.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    check_page(page, problems, "Password reset sent")


def test_page_not_found(page: Page, problems: PageProblems) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    check_page(page, problems, "Page not found")


def test_set_up_authenticator(page: Page, problems: PageProblems, totp_clock: TotpClock) -> None:
    page.goto("/sign-in/")
    sign_in_password(page, NEW_STARTER, NEW_STARTER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/sign-in/set-up-authenticator/$"))
    expect(
        page.get_by_role("img", name="QR code for setting up your authenticator app")
    ).to_be_visible()
    check_page(page, problems, "Set up your authenticator app")

    page.get_by_label("Code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page, problems, "Set up your authenticator app with an error")

    secret = page.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your authenticator app").fill(totp_clock.code(NEW_STARTER, key))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator("#my-work-empty")).to_contain_text("You have no work assigned")
    check_page(page, problems, "My work after setting up the app")
