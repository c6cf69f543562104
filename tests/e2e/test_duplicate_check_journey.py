"""The duplicate check with a nickname, in a real browser (issue 12, section 2): the demo
officer records Benjamin Smith; recording "Ben Smyth" with the same date of birth then offers
Benjamin Smith, with his age, current address, parents or carers, school and open cases; going
on without choosing says so; the officer chooses "this child" and lands on Benjamin's record,
with no second record made. The header's quick-find then finds him by a nickname and opens his
record by its number. Every page is checked with axe (WCAG 2.2 AA), for Content-Security-Policy
violations and for GOV.UK Frontend having started.

It records two people and no case, so it leaves nobody with work and may run in any order.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import PageProblems, TotpClock, check_page, sign_in_password, submit_code

pytestmark = pytest.mark.browser

# 29 February: no day-and-month swap, and no demo child shares it with a Smith.
DOB = date(2016, 2, 29)
RECORD_URL = re.compile(r"/people/(\d+)/$")


def sign_in(page: Page, totp_clock: TotpClock, username: str) -> None:
    page.goto("/sign-in/")
    sign_in_password(page, username)
    submit_code(page, totp_clock.code(username))
    expect(page.locator("h1")).to_have_text("My work")


def fill_date_of_birth(page: Page, born: date) -> None:
    """The browser's date input, or the GOV.UK date input (day, month, year) where it is one."""
    group = page.get_by_role("group", name="Date of birth")
    if group.count():
        group.get_by_label("Day").fill(str(born.day))
        group.get_by_label("Month").fill(str(born.month))
        group.get_by_label("Year").fill(str(born.year))
    else:
        page.get_by_label("Date of birth").fill(born.isoformat())


def fill_person(
    page: Page, given: str, family: str, *, line1: str = "", postcode: str = ""
) -> None:
    page.get_by_label("First names").fill(given)
    page.get_by_label("Last name").fill(family)
    fill_date_of_birth(page, DOB)
    if line1:
        page.get_by_label("Address line 1").fill(line1)
        page.get_by_label("Postcode").fill(postcode)


def test_ben_smyth_is_found_as_benjamin_smith(
    page: Page, problems: PageProblems, totp_clock: TotpClock
) -> None:
    sign_in(page, totp_clock, "officer")

    # Benjamin Smith is recorded first.
    page.goto("/people/new/")
    expect(page.locator("h1")).to_have_text("Record a person")
    check_page(page, problems, "Record a person [officer]")
    fill_person(page, "Benjamin", "Smith", line1="7 Quince Row", postcode="IP4 9ZZ")
    page.get_by_role("button", name="Record person").click()
    if page.locator("#possible-duplicates").count():  # a demo child alike: not him
        page.get_by_label(re.compile("^A different")).check()
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Benjamin Smith")
    found = RECORD_URL.search(page.url)
    assert found, page.url
    benjamin = found.group(1)

    # "Ben Smyth", born the same day: the duplicate check offers Benjamin Smith.
    page.goto("/people/new/")
    fill_person(page, "Ben", "Smyth")
    page.get_by_role("button", name="Record person").click()
    expect(page.locator("#possible-duplicates")).to_contain_text(
        "This child may already be recorded"
    )
    card = page.locator(f"#candidate-{benjamin}")
    expect(card.locator("h2")).to_have_text(
        re.compile(rf"^Benjamin Smith \(\d+\), record {benjamin}$")
    )
    expect(card).to_contain_text("Ben and Benjamin: one first name and the same date of birth")
    expect(card).to_contain_text("29 February 2016")
    expect(card).to_contain_text("7 Quince Row, IP4 9ZZ")
    for row in ("Parents or carers", "School", "Open cases"):
        expect(card.get_by_text(row, exact=True)).to_be_visible()
    choices = page.get_by_role("group", name=re.compile(r"^Is (this|one of these) the same child"))
    this_child = choices.get_by_label(
        re.compile(rf"^This child: Benjamin Smith.*\(record {benjamin}\)")
    )
    expect(this_child).not_to_be_checked()
    expect(choices.get_by_label("A different child: record somebody new")).not_to_be_checked()
    check_page(page, problems, "Record a person, a possible duplicate [officer]")

    # Going on without choosing is refused, at the question, and keeps what was typed.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select if this is someone already recorded")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("First names")).to_have_value("Ben")
    check_page(page, problems, "Record a person, no choice made [officer]")

    # By keyboard: the summary's link to the question, then the choice "this child".
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(this_child).to_be_focused()
    page.keyboard.press("Space")
    expect(this_child).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(rf"/people/{benjamin}/$"))
    expect(page.locator("h1")).to_have_text("Benjamin Smith")
    check_page(page, problems, "Benjamin Smith's record, chosen [officer]")

    # The quick-find box in the header: a nickname searches people; a number opens the record.
    box = page.get_by_label("Find a case reference, record number or name")
    box.fill("Ben Smyth")
    box.press("Enter")
    expect(page.locator("h1")).to_have_text("People")
    results = page.locator("#people-results")
    expect(results.locator(f'tr[data-person="{benjamin}"]')).to_contain_text(
        "7 Quince Row, IP4 9ZZ"
    )
    expect(results.get_by_role("link", name="Ben Smyth")).to_have_count(0)  # none was made
    check_page(page, problems, "People search from quick-find [officer]")
    box = page.get_by_label("Find a case reference, record number or name")
    box.fill(benjamin)
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/people/{benjamin}/$"))
