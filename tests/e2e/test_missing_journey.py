"""A missing child, from report to return home interview, in a real browser (issue 5): the demo
officer records the child and reports them missing, with the grade the service suggests; they
record first attendance, that the child is found, and the prevention interview; the duty
inspector sees the child on the active-missing board while they are missing; the responsible
local authority's user records the return home interview, and a partner outside that authority
never sees the task. Every page visited is checked with axe (WCAG 2.2 AA), for
Content-Security-Policy violations and for GOV.UK Frontend having started.

Who can do what follows the permission table and the demo force (safeguard/accounts/demo.py,
safeguard/partners/demo.py): the officer owns the missing case they report; the duty inspector
sees every case of the force; "rhi" is a member of Demo County Council, so the return home
interview task of a child that authority is responsible for is disclosed to them; "partner" (a
school DSL) may record return home interviews too, but only those disclosed to them: none.

These are the demo users themselves, not colleagues made for the test: this module leaves
them with work, so it must run after test_journey.py (which expects every demo user's My work
to be empty) in the same server, as it does in file order. Each user signs in once, in their
own browser context (a TOTP code is accepted once per 30-second step).
"""

import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from safeguard.accounts.demo import DEMO_USERS
from tests.e2e.conftest import E2EServer
from tests.e2e.support import TotpClock, fill_date, fill_moment
from tests.e2e.test_case_journeys import (
    REFERENCE,
    Child,
    Colleague,
    Desks,
    JourneyProblems,
    _server_failures,
    check,
    expect_error_summary,
    london_now,
    service_nav,
    shown,
    success_banner,
)

pytestmark = pytest.mark.browser

LOCAL_AUTHORITY = "Demo County Council"  # rhi is its member; partner is not
EPISODE_URL = re.compile(r"/missing/(\d+)/$")
TASK_URL = re.compile(r"/return-interviews/(\d+)/$")


def demo(username: str) -> Colleague:
    user = next(user for user in DEMO_USERS if user.username == username)
    # `role` only names the pages Desks checks: the two partners by their organisation.
    role = f"{user.role}, {user.organisation}" if user.organisation else str(user.role)
    return Colleague(
        user.username, role, user.first_name, user.last_name, user.unit, user.job_title
    )


OFFICER = demo("officer")
INSPECTOR = demo("inspector")
RHI = demo("rhi")
PARTNER = demo("partner")


@pytest.fixture(scope="module")
def watch() -> JourneyProblems:
    return JourneyProblems()


@pytest.fixture(scope="module")
def desks(
    browser: Browser, e2e_server: E2EServer, totp_clock: TotpClock, watch: JourneyProblems
) -> Iterator[Desks]:
    opened = Desks(browser, e2e_server, totp_clock, watch)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def _checked(e2e_server: E2EServer, watch: JourneyProblems) -> Iterator[None]:
    """After the journey: nothing failed on the server, nothing went wrong in a browser."""
    e2e_server.new_log()
    yield
    failures = _server_failures(e2e_server.new_log())
    assert not failures, "The server failed:\n" + "\n".join(failures)[-4000:]
    watch.assert_none()


# --- what people do on the pages -------------------------------------------------------------


def born(years_ago: int, days_since_birthday: int) -> date:
    """A date of birth: `years_ago` years old today, their birthday that many days ago."""
    today = london_now().date()
    try:
        birthday = today.replace(year=today.year - years_ago)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years_ago, day=28)
    return birthday - timedelta(days=days_since_birthday)


def record_person(page: Page, problems: JourneyProblems, child: Child) -> int:
    """Look the child up on People; nobody matches, so record them. Returns their record."""
    service_nav(page).get_by_role("link", name="People", exact=True).click()
    expect(page.locator("h1")).to_have_text("People")
    check(page, problems, "People [officer]")
    page.get_by_label("Name", exact=True).fill(child.full_name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#people-empty")).to_contain_text("Nobody matches this search.")
    check(page, problems, "People search, nobody found [officer]")

    page.get_by_role("link", name="Record a person").click()
    expect(page.locator("h1")).to_have_text("Record a person")
    check(page, problems, "Record a person [officer]")
    page.get_by_label("First names").fill(child.given_names)
    page.get_by_label("Last name").fill(child.family_name)
    fill_date(page, "Date of birth", child.date_of_birth)
    page.get_by_label("Gender").select_option(label=child.gender)
    page.get_by_role("button", name="Record person").click()
    expect(page.locator("h1")).to_have_text(child.full_name)
    expect(success_banner(page)).to_contain_text(f"{child.full_name} recorded")
    check(page, problems, "Person record [officer]")
    found = re.search(r"/people/(\d+)/$", page.url)
    assert found, page.url
    return int(found.group(1))


def yes_no(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def fill_report(
    page: Page, *, reported_at: datetime, last_seen_at: datetime, placement: str
) -> None:
    """A 14-year-old gone from their care placement, out of character: nothing that makes the
    suggestion high, and the care placement makes it medium."""
    page.get_by_label("How the report came in").select_option(label="Children's social care")
    fill_moment(page, "Reported at", reported_at)
    page.get_by_label("Reported by", exact=True).fill("Marcus Bell")
    page.get_by_label("Their relationship to the child (optional)").fill("Residential key worker")
    page.get_by_role("group", name="Missing from").get_by_label("A care placement").check()
    page.get_by_label("Care placement (if missing from care)").fill(placement)
    page.get_by_label("Responsible local authority").select_option(label=LOCAL_AUTHORITY)
    fill_moment(page, "Last seen at", last_seen_at)
    page.get_by_label("Where last seen").fill("Bus station, Market Street")
    page.get_by_label("Circumstances", exact=True).fill(
        "Left the home after tea saying she was going to a friend's; not answering her phone."
    )
    page.get_by_label("Description (clothing, appearance)").fill(
        "Grey hooded top, black jeans, white trainers; shoulder-length dark hair."
    )
    yes_no(page, "Is there a risk of self-harm or suicide?", "No")
    yes_no(page, "Does the child urgently need medication or care?", "No")
    yes_no(page, "Might the child be the victim of a crime?", "No")
    yes_no(page, "Is going missing out of character?", "Yes")


def grade_choice(page: Page, grade: str) -> Locator:
    return page.get_by_role("group", name="Risk grade").get_by_label(grade, exact=True)


def summary_value(page: Page, section: str, key: str) -> Locator:
    """The value of a row of a summary list (`section` is the list's selector)."""
    row = page.locator(f"{section} .govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$"))
    )
    return row.locator("dd")


def episode_action(page: Page, name: str) -> Locator:
    return page.locator("#episode-actions").get_by_role("link", name=name, exact=True)


def wait_for_mail(server: E2EServer, to: str, timeout: float = 15) -> Any:
    """The first email the worker delivered to `to` over SMTP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in server.mailbox:
            if message["To"] == to:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} within {timeout} s")


def inspector_sees_the_board(
    inspector: Page, problems: JourneyProblems, child: Child, episode_url: str, placement: str
) -> None:
    """The active-missing board lists the child with their grade, and leads to the episode."""
    service_nav(inspector).get_by_role("link", name="Missing children", exact=True).click()
    expect(inspector).to_have_url(re.compile(r"/missing/$"))
    expect(inspector.locator("h1")).to_have_text("Children missing now")
    row = inspector.locator("#board tbody tr").filter(has_text=child.full_name)
    expect(row).to_have_count(1)
    # Cells after the child (a row header): case, owner, risk, missing for, missing from.
    risk, missing_from = row.locator("td").nth(2), row.locator("td").nth(4)
    expect(risk).to_have_text("Medium")
    expect(missing_from).to_have_text(f"A care placement: {placement}")
    # Medium risk: nothing for the duty inspector to acknowledge.
    expect(row.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
    check(inspector, problems, "Children missing now [inspector]")
    row.get_by_role("link", name=child.full_name, exact=True).click()
    expect(inspector).to_have_url(episode_url)
    expect(inspector.locator("h1")).to_have_text(f"{child.full_name} is missing")
    check(inspector, problems, "Missing episode, attended [inspector]")


# --- the journey -----------------------------------------------------------------------------


def test_missing_child_from_report_to_return_home_interview(
    desks: Desks, watch: JourneyProblems, e2e_server: E2EServer
) -> None:
    now = london_now()  # what a user types is London time, the service's TIME_ZONE
    last_seen = now - timedelta(hours=3)
    reported = now - timedelta(hours=2, minutes=30)
    attended = now - timedelta(hours=2)
    found_at = now - timedelta(hours=1)
    interviewed = now - timedelta(minutes=45)
    rhi_offered = now - timedelta(minutes=30)
    rhi_held = now - timedelta(minutes=15)
    child = Child("Saoirse", "Featherington-Kaur", born(14, days_since_birthday=40), "Female")
    placement = "Oakwood Children's Home"

    # --- 1. The officer finds no record of the child, records them, and reports them missing.
    officer = desks(OFFICER)
    person_id = record_person(officer, watch, child)
    officer.get_by_role("link", name="Report missing", exact=True).click()
    expect(officer).to_have_url(re.compile(rf"/missing/report/\?person={person_id}$"))
    expect(officer.locator("h1")).to_have_text("Report a missing child")
    expect(officer.locator(".govuk-caption-l")).to_contain_text(child.full_name)
    check(officer, watch, "Report a missing child [officer]")

    fill_report(officer, reported_at=reported, last_seen_at=last_seen, placement=placement)
    officer.get_by_role("button", name="Suggest a grade").click()
    suggestion = officer.locator("#suggestion")
    expect(suggestion.get_by_role("heading")).to_have_text("Suggested grade: Medium")
    expect(suggestion.get_by_role("listitem")).to_have_text(["missing from a care placement"])
    expect(officer.locator(".govuk-error-summary")).to_have_count(0)
    # Nothing was saved, and what was typed is still there.
    expect(officer).to_have_url(re.compile(r"/missing/report/\?person=\d+$"))
    expect(officer.get_by_label("Care placement (if missing from care)")).to_have_value(placement)
    check(officer, watch, "Report a missing child, grade suggested [officer]")

    # Lower than suggested: only a supervisor may choose that.
    grade_choice(officer, "Low").check()
    officer.get_by_label("Rationale for the risk grade").fill(
        "She has gone to the same friend's house before and came back by herself."
    )
    officer.get_by_role("button", name="Report missing").click()
    expect_error_summary(
        officer,
        "A grade lower than the suggested medium needs a supervisor's agreement and rationale",
    )
    expect(officer.locator(".govuk-error-summary")).to_contain_text("needs a supervisor")
    check(officer, watch, "Report a missing child, grade too low [officer]")
    # The summary's link takes the keyboard to the question.
    officer.locator(".govuk-error-summary").get_by_role("link").first.click()
    expect(grade_choice(officer, "No apparent risk (absent)")).to_be_focused()

    grade_choice(officer, "Medium").check()
    officer.get_by_label("Rationale for the risk grade").fill(
        "Looked-after child missing from placement, out of character; no other risk known."
    )
    officer.get_by_role("button", name="Report missing").click()
    expect(officer).to_have_url(EPISODE_URL)
    episode_url = officer.url
    banner = success_banner(officer)
    expect(banner).to_contain_text(re.compile(r"Reported missing: CP-\d{4}-\d{6}"))
    reference = officer.locator(".govuk-caption-l").inner_text().strip()
    assert REFERENCE.match(reference), reference
    expect(officer.locator("h1")).to_have_text(f"{child.full_name} is missing")
    expect(officer.locator("#episode-status")).to_have_text("Missing")
    clocks = officer.locator("#episode-clocks")
    expect(clocks.locator("dt", has_text="First attendance")).to_have_count(1)
    expect(summary_value(officer, "#episode-clocks", "First attendance")).to_have_text(
        re.compile(r"^due in ")
    )
    expect(summary_value(officer, "#episode-report", "Missing from")).to_have_text(
        f"A care placement: {placement}"
    )
    expect(summary_value(officer, "#episode-report", "Last seen")).to_have_text(
        f"{shown(last_seen)}, Bus station, Market Street"
    )
    expect(summary_value(officer, "#episode-report", "Responsible local authority")).to_have_text(
        LOCAL_AUTHORITY
    )
    expect(officer.locator("#grade-history tbody tr")).to_have_count(1)  # the refusal saved none
    check(officer, watch, "Missing episode, just reported [officer]")

    # --- 2a. First attendance.
    episode_action(officer, "Record first attendance").click()
    expect(officer.locator("h1")).to_have_text("Record first attendance")
    check(officer, watch, "Record first attendance [officer]")
    fill_moment(officer, "Attended at", attended)
    officer.get_by_role("button", name="Record attendance").click()
    expect(success_banner(officer)).to_contain_text("First attendance recorded")
    expect(summary_value(officer, "#episode-report", "First attendance")).to_have_text(
        shown(attended)
    )
    expect(summary_value(officer, "#episode-clocks", "First attendance")).to_have_text(
        re.compile(r"^met at ")
    )
    expect(episode_action(officer, "Record first attendance")).to_have_count(0)
    check(officer, watch, "Missing episode, attended [officer]")

    # --- 3. While the child is missing (the board lists only children missing now), the duty
    # inspector sees them on it.
    inspector_sees_the_board(desks(INSPECTOR), watch, child, episode_url, placement)

    # --- 2b. Found: first with a time before the child went missing, which is refused.
    episode_action(officer, "Record found or returned").click()
    expect(officer.locator("h1")).to_have_text("Record that the child is found or has returned")
    check(officer, watch, "Record found or returned [officer]")
    fill_moment(officer, "Found or returned at", last_seen - timedelta(hours=1))
    officer.get_by_label("Where", exact=True).fill("Her friend's flat, Canal Walk")
    officer.get_by_label("Found by", exact=True).fill("PC Olivia Okafor")
    officer.get_by_label("The child's condition").fill("Tired and hungry; no injuries seen.")
    officer.get_by_role("button", name="Record found").click()
    expect_error_summary(officer, "The time found must be after the child went missing")
    check(officer, watch, "Record found or returned, found before missing [officer]")
    officer.get_by_role("link", name="The time found must be after the child went missing").click()
    found_group = officer.get_by_role("group", name="Found or returned at", exact=True)
    expect(found_group.get_by_label("Day", exact=True)).to_be_focused()
    expect(officer.get_by_label("Where", exact=True)).to_have_value("Her friend's flat, Canal Walk")

    fill_moment(officer, "Found or returned at", found_at)
    officer.get_by_role("button", name="Record found").click()
    expect(success_banner(officer)).to_contain_text("Recorded as found")
    expect(officer.locator("h1")).to_have_text(f"{child.full_name} \u2013 found or returned")
    expect(summary_value(officer, "#episode-found", "When and where")).to_have_text(
        f"{shown(found_at)}, Her friend's flat, Canal Walk"
    )
    due = found_at + timedelta(hours=72)
    expect(officer.locator("#return-interview")).to_have_text(
        f"Due by {shown(due)} ({LOCAL_AUTHORITY})"
    )
    expect(summary_value(officer, "#episode-found", "Prevention interview")).to_have_text(
        "Not yet recorded"
    )
    check(officer, watch, "Missing episode, found [officer]")

    # --- 2c. The prevention interview (safe and well).
    episode_action(officer, "Record the prevention interview").click()
    expect(officer.locator("h1")).to_have_text("Record the prevention interview")
    check(officer, watch, "Record the prevention interview [officer]")
    fill_moment(officer, "Interview held at", interviewed)
    yes_no(officer, "Was the child spoken to alone?", "Yes")
    officer.get_by_label("Harm suffered").fill("None")
    officer.get_by_label("Why the child went, in their words").fill(
        "I had an argument with staff and wanted to be with my friend"
    )
    officer.get_by_role("button", name="Record interview").click()
    expect(success_banner(officer)).to_contain_text("Prevention interview recorded")
    expect(
        summary_value(officer, "#episode-found", "Prevention interview").locator("li")
    ).to_have_text(
        [
            f"{shown(interviewed)}, spoken to alone",
            "Why they went: I had an argument with staff and wanted to be with my friend",
            "Harm: None",
        ]
    )
    expect(episode_action(officer, "Record the prevention interview")).to_have_count(0)
    check(officer, watch, "Missing episode, prevention interview recorded [officer]")

    # --- 4. The local authority is told by email, with nothing about the child in it...
    mail = wait_for_mail(e2e_server, f"{RHI.username}@demo.police.example")
    assert mail["Subject"] == "A return home interview is due"
    body = str(mail.get_payload())
    assert child.given_names not in body and child.family_name not in body, body

    # ...and records the return home interview from its task list.
    rhi = desks(RHI)
    service_nav(rhi).get_by_role("link", name="Return interviews", exact=True).click()
    expect(rhi).to_have_url(re.compile(r"/return-interviews/$"))
    expect(rhi.locator("h1")).to_have_text("Return home interviews")
    task = rhi.locator("#interview-tasks tbody tr").filter(has_text=child.full_name)
    expect(task).to_have_count(1)
    expect(task).to_contain_text(f"{due.day} {due:%b %Y %H:%M}")  # the offer is due in 72 hours
    expect(task).to_contain_text("To do")
    check(rhi, watch, "Return home interviews, one to do [rhi]")
    task.get_by_role("link", name=child.full_name).click()
    expect(rhi).to_have_url(TASK_URL)
    task_url = rhi.url
    expect(rhi.locator("h1")).to_have_text(child.full_name)
    expect(rhi.locator("#task-summary")).to_contain_text(shown(found_at))
    check(rhi, watch, "Return home interview [rhi]")

    # Offered before the child returned: refused, and the page says why.
    fill_moment(rhi, "Interview offered at", found_at - timedelta(hours=2))
    rhi.get_by_role("group", name="Outcome").get_by_label("Interview completed").check()
    fill_moment(rhi, "Interview held at (if completed)", rhi_held)
    rhi.get_by_label("Interviewer (optional)").fill(RHI.name)
    rhi.get_by_label("Summary (optional)").fill(
        "Spoke with her at the placement; she agreed a plan with her key worker."
    )
    rhi.get_by_role("button", name="Record interview").click()
    expect_error_summary(rhi, "The return home interview must be after the child returned")
    check(rhi, watch, "Return home interview, offered before the return [rhi]")
    rhi.get_by_role(
        "link", name="The return home interview must be after the child returned"
    ).click()
    offered_group = rhi.get_by_role("group", name="Interview offered at", exact=True)
    expect(offered_group.get_by_label("Day", exact=True)).to_be_focused()

    fill_moment(rhi, "Interview offered at", rhi_offered)
    rhi.get_by_role("button", name="Record interview").click()
    expect(success_banner(rhi)).to_contain_text("Return home interview recorded")
    expect(rhi).to_have_url(re.compile(r"/return-interviews/$"))
    expect(task).to_contain_text("Recorded Interview completed")
    check(rhi, watch, "Return home interviews, one recorded [rhi]")
    task.get_by_role("link", name=child.full_name).click()
    expect(summary_value(rhi, "#task-recorded", "Outcome")).to_have_text("Interview completed")
    expect(summary_value(rhi, "#task-recorded", "Offered")).to_have_text(shown(rhi_offered))
    expect(summary_value(rhi, "#task-recorded", "Interview held")).to_have_text(shown(rhi_held))
    expect(rhi.get_by_role("button", name="Record interview")).to_have_count(0)
    check(rhi, watch, "Return home interview, recorded [rhi]")

    # The officer's episode page now shows the outcome.
    officer.goto(episode_url)
    expect(officer.locator("#return-interview")).to_have_text(
        f"Interview completed; offered {shown(rhi_offered)} ({LOCAL_AUTHORITY})"
    )
    expect(officer.locator("#episode-actions")).not_to_contain_text("return home interview")
    check(officer, watch, "Missing episode, return home interview recorded [officer]")

    # --- A school's DSL may record return home interviews too, but only those disclosed to
    # them: this task is not among them, and its page is not theirs to open.
    partner = desks(PARTNER)
    service_nav(partner).get_by_role("link", name="Return interviews", exact=True).click()
    expect(partner).to_have_url(re.compile(r"/return-interviews/$"))
    expect(partner.locator("#no-tasks")).to_contain_text(
        "You have no return home interviews to record"
    )
    expect(partner.locator("main")).not_to_contain_text(child.family_name)
    check(partner, watch, "Return home interviews, none [partner]")
    watch.expected_status = 404
    try:
        response = partner.goto(task_url)
        assert response is not None and response.status == 404
        expect(partner.locator("h1")).to_have_text("Page not found")
        expect(partner.locator("main")).not_to_contain_text(child.family_name)
        check(partner, watch, "Return home interview, not disclosed [partner]")
    finally:
        watch.expected_status = None
