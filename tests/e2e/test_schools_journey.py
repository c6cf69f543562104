"""The schools directory in a real browser (issue 6): the demo force admin uploads a GIAS CSV
with problems (every problem listed, nothing imported), then a good one (the report of what was
added and updated), finds a school by postcode, sets its start time, adds a key adult (after an
empty try shows the error summary) and removes them; an officer reads the school page with no
way to change it. Every page is checked with axe (WCAG 2.2 AA), for Content-Security-Policy
violations and for GOV.UK Frontend having started.

It adds two schools to the directory and leaves no one with work, so it may run before or after
the other journeys.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from safeguard.partners.tests.gias_csv import gias_csv, school_row
from tests.e2e.support import PageProblems, TotpClock, check_page, sign_in_password, submit_code

pytestmark = pytest.mark.browser

SCHOOL_URL = re.compile(r"/schools/(\d+)/$")


def sign_in(page: Page, totp_clock: TotpClock, username: str) -> None:
    page.goto("/sign-in/")
    sign_in_password(page, username)
    submit_code(page, totp_clock.code(username))
    # Signing in leads to the role's main page; My work is one link away for every role.
    expect(page.locator("h1")).not_to_have_text("Enter the code from your authenticator app")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("My work")


def upload(page: Page, content: bytes) -> None:
    page.get_by_label("GIAS establishment fields CSV").set_input_files(
        {"name": "edubasealldata.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import schools").click()


def test_a_force_admin_imports_schools_and_manages_key_adults(
    page: Page, problems: PageProblems, totp_clock: TotpClock
) -> None:
    sign_in(page, totp_clock, "admin")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()
    expect(page.locator("h1")).to_have_text("Schools")
    expect(page.locator("#school-list")).to_contain_text("Demo Primary School")
    check_page(page, problems, "Schools [admin]")

    page.get_by_role("link", name="Import from GIAS").click()
    expect(page.locator("h1")).to_have_text("Import schools from GIAS")
    check_page(page, problems, "Import schools from GIAS")
    # Nothing chosen.
    page.get_by_role("button", name="Import schools").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the GIAS CSV file")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, problems, "Import schools, no file")

    rows = [
        school_row("990001", "Journey Primary School", postcode="JY1 1AA"),
        school_row("99000X", "Bad URN School"),
        school_row("990001", "Journey Primary School again"),
    ]
    upload(page, gias_csv(rows, junk_columns=40))
    expect(page.locator(".govuk-error-summary")).to_contain_text("it has 2 problems")
    problems_list = page.locator("#import-problems")
    expect(problems_list).to_contain_text("line 3: URN '99000X' is not a URN")
    expect(problems_list).to_contain_text("line 4: URN 990001 is already on line 2")
    check_page(page, problems, "Import schools, problems listed")

    good = [
        school_row("990001", "Journey Primary School", postcode="JY1 1AA"),
        school_row("990002", "Journey Academy", phase="Secondary", postcode="JY2 2BB"),
    ]
    upload(page, gias_csv(good, junk_columns=40))
    expect(page.locator("#import-done")).to_contain_text("Schools imported")
    expect(page.locator("#report-added")).to_have_text("2")
    check_page(page, problems, "Import schools, the report")
    good[1]["EstablishmentStatus (name)"] = "Closed"
    page.get_by_role("link", name="Go to the schools directory").click()
    page.get_by_role("link", name="Import from GIAS").click()
    upload(page, gias_csv(good, junk_columns=40))
    expect(page.locator("#report-updated")).to_have_text("1: status (1)")
    expect(page.locator("#report-unchanged")).to_have_text("1")
    expect(page.locator("#report-not-in-file")).to_contain_text("left alone")

    page.get_by_role("link", name="Go to the schools directory").click()
    page.get_by_label("Name, URN or postcode").fill("jy1")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#school-list tbody tr")).to_have_count(1)
    check_page(page, problems, "Schools, searched")
    page.get_by_role("link", name="Journey Primary School").click()
    expect(page).to_have_url(SCHOOL_URL)
    expect(page.locator("#key-adults-none")).to_be_visible()
    check_page(page, problems, "School page, no key adult")

    page.get_by_role("link", name="Change start time").click()
    page.get_by_label("The school day starts at").fill("09:10")
    check_page(page, problems, "School start time")
    page.get_by_role("button", name="Save start time").click()
    expect(page.locator("#school-start")).to_have_text("09:10")

    page.get_by_role("link", name="Add a key adult").click()
    check_page(page, problems, "Add a key adult")
    page.get_by_role("button", name="Add key adult").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the key adult's name")
    expect(summary).to_contain_text("Enter the key adult's secure email address")
    check_page(page, problems, "Add a key adult, errors")
    page.get_by_label("Full name").fill("Jamie Journey")
    page.get_by_label("Designated safeguarding lead").check()
    page.get_by_label("Secure email address").fill("jamie.journey@journey-primary.cjsm.net")
    page.get_by_role("button", name="Add key adult").click()
    expect(page.locator("#key-adults")).to_contain_text("jamie.journey@journey-primary.cjsm.net")
    check_page(page, problems, "School page, a key adult")
    page.get_by_role("button", name="Remove Jamie Journey").click()
    expect(page.locator("#key-adults-none")).to_be_visible()
    expect(page.locator("#key-adults-removed")).to_contain_text("Removed key adults (1)")
    check_page(page, problems, "School page, a key adult removed")


def test_an_officer_reads_a_school_and_its_key_adults(
    page: Page, problems: PageProblems, totp_clock: TotpClock
) -> None:
    sign_in(page, totp_clock, "officer")
    page.goto("/schools/999001/")
    expect(page.locator("h1")).to_have_text("Demo Primary School")
    expect(page.locator("#key-adults")).to_contain_text("Priya Patel")
    expect(page.locator("#terms")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    expect(page.get_by_role("link", name="Add a key adult")).to_have_count(0)
    check_page(page, problems, "School page [officer]")
