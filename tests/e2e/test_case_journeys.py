"""Case journeys in a real browser, as people in the demo force do them: record a case for a
child through the duplicate check; record a decision and the voice of the child; triage,
allocation, investigation, a supervisory review and the approval of closure. Every page visited
is checked with axe (WCAG 2.2 AA), for Content-Security-Policy violations and for GOV.UK
Frontend having started.

Who can do what follows the permission table and the demo force (safeguard/accounts/demo.py):
an officer of Response Team North records a referral for the Child Abuse Investigation Unit
(recording reaches every unit of the force) and owns it, seeing only the cases they own, until a
supervisor of that unit allocates it to one of the unit's investigators; the unit's supervisor
and investigator see all of its cases.

The journeys are done by colleagues of the demo officer, investigator and supervisor: same
roles, same units and job titles, made here the way conftest.py makes its new starter. The demo
users themselves must keep an empty My work for test_journey.py, which runs after this module in
the same server; the cases recorded here would otherwise be theirs.

Each user signs in once for the whole module, in their own browser context: a TOTP code is
accepted once per 30-second step, so signing the same user in again would wait for the next.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import _CSP_LISTENER, E2EServer, _child_env, _manage
from tests.e2e.support import (
    AXE_SUMMARY,
    PageProblems,
    TotpClock,
    check_page,
    fill_date,
    fill_moment,
    sign_in_password,
    submit_code,
)

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")  # the service's TIME_ZONE: what a user types is London time
REFERENCE = re.compile(r"^CP-\d{4}-\d{6}$")
ERROR_TITLE = re.compile(r"^Error: ")
CAIU = "Child Abuse Investigation Unit"
# A log record starts with its time: "2026-01-05 10:11:12,345 LEVEL logger message", or
# "[05/Jan/2026 10:11:12]" for runserver's request lines.
_LOG_RECORD = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} |\[)", re.MULTILINE)


@dataclass(frozen=True)
class Colleague:
    username: str
    role: str
    first_name: str
    last_name: str
    unit: str
    job_title: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


OFFICER = Colleague(
    "cases-officer", "officer", "Oscar", "Osei", "Response Team North", "Police Constable"
)
INVESTIGATOR = Colleague(
    "cases-investigator", "investigator", "Imogen", "Ives", CAIU, "Detective Constable"
)
SUPERVISOR = Colleague(
    "cases-supervisor", "supervisor", "Simon", "Stroud", CAIU, "Detective Sergeant"
)
# The demo password and TOTP key are derived from the username, so support.py's sign-in
# helpers and TotpClock work for these colleagues as for the demo users.
_CREATE_COLLEAGUES = """
from safeguard.accounts import services
from safeguard.accounts.demo import demo_force, demo_password, demo_totp_key_hex
from safeguard.accounts.models import Unit
force = demo_force()
for username, role, first_name, last_name, unit, job_title in {rows!r}:
    user = services.staff_create(
        actor=None, force=force, username=username, password=demo_password(username),
        first_name=first_name, last_name=last_name, email=f"{{username}}@demo.police.example",
        roles=[role], units=[Unit.objects.get(force=force, name=unit)], job_title=job_title,
    )
    services.totp_device_create_confirmed(user=user, key_hex=demo_totp_key_hex(username))
"""


# --- signed-in users, one browser context each ---------------------------------------------


class JourneyProblems(PageProblems):
    """PageProblems, plus the one HTTP error status a step expects (a refused page)."""

    expected_status: int | None = None


def _wire(page: Page, problems: JourneyProblems) -> None:
    """The same listeners as the conftest's `page` fixture."""

    def on_console(message: Any) -> None:
        text = message.text
        expected = problems.expected_status
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.csp.append(f"console: {text}")
        elif "GOV.UK Frontend" in text:
            problems.js_errors.append(f"console {message.type}: {text}")
        elif expected is not None and f"status of {expected}" in text:
            pass
        elif message.type == "error" and "status of 404" not in text:
            problems.js_errors.append(f"console error: {text}")

    def on_response(response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.failed_assets.append(f"{response.status} {response.url}")

    def on_request_failed(request: Any) -> None:
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            problems.failed_assets.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.js_errors.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


@dataclass
class Desks:
    """A signed-in tab per colleague, opened (and signed in) on first use."""

    browser: Browser
    server: E2EServer
    totp_clock: TotpClock
    problems: JourneyProblems

    def __post_init__(self) -> None:
        self.contexts: list[Any] = []
        self.pages: dict[str, Page] = {}

    def __call__(self, colleague: Colleague) -> Page:
        if colleague.username not in self.pages:
            context = self.browser.new_context(base_url=self.server.url)
            self.contexts.append(context)
            context.set_default_timeout(10_000)
            context.expose_binding(
                "__sgReportCsp", lambda _source, text: self.problems.csp.append(text)
            )
            context.add_init_script(_CSP_LISTENER)
            page = context.new_page()
            _wire(page, self.problems)
            self._sign_in(page, colleague)
            self.pages[colleague.username] = page
        return self.pages[colleague.username]

    def _sign_in(self, page: Page, colleague: Colleague) -> None:
        page.goto("/")
        expect(page.locator("h1")).to_have_text("Sign in to Safeguard")
        check_page(page, self.problems, "Sign in")
        sign_in_password(page, colleague.username)
        expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
        check_page(page, self.problems, "Code page")
        submit_code(page, self.totp_clock.code(colleague.username))
        # Signing in leads to the role's main page; My work is one link away for every role.
        expect(page.locator("h1")).not_to_have_text("Enter the code from your authenticator app")
        page.goto("/")
        expect(page.locator("h1")).to_have_text("My work")
        expect(page.locator(".sg-signed-in-as")).to_have_text(colleague.name)
        check_page(page, self.problems, f"My work [{colleague.role}]")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def watch() -> JourneyProblems:
    return JourneyProblems()


@pytest.fixture(scope="module")
def desks(
    browser: Browser, e2e_server: E2EServer, totp_clock: TotpClock, watch: JourneyProblems
) -> Iterator[Desks]:
    # The server's own database, as conftest.py lays it out beside the server's log.
    database = e2e_server.log_path.parent / "e2e.sqlite3"
    assert database.exists(), database
    rows = [
        (c.username, c.role, c.first_name, c.last_name, c.unit, c.job_title)
        for c in (OFFICER, INVESTIGATOR, SUPERVISOR)
    ]
    _manage(_child_env(database), "shell", "-c", _CREATE_COLLEAGUES.format(rows=rows))
    opened = Desks(browser, e2e_server, totp_clock, watch)
    try:
        yield opened
    finally:
        opened.close()


def _server_failures(log: str) -> list[str]:
    """Log records that show a server failure. A refused page (403) is logged by Django with
    its exception; that is the expected answer, not a failure."""
    starts = [match.start() for match in _LOG_RECORD.finditer(log)] or [0]
    records = [log[a:b] for a, b in zip(starts, [*starts[1:], len(log)], strict=True)]
    if starts[0] > 0:
        records.insert(0, log[: starts[0]])
    return [
        record
        for record in records
        if ("Traceback" in record or '" 500 ' in record)
        and "django.request Forbidden (Permission denied)" not in record
    ]


@pytest.fixture(autouse=True)
def _checked(e2e_server: E2EServer, watch: JourneyProblems) -> Iterator[None]:
    """After each journey: nothing failed on the server, nothing went wrong in a browser."""
    e2e_server.new_log()
    yield
    failures = _server_failures(e2e_server.new_log())
    assert not failures, "The server failed:\n" + "\n".join(failures)[-4000:]
    watch.assert_none()


# --- what people do on the pages -------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    given_names: str
    family_name: str
    date_of_birth: date
    gender: str = "Not known"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"


def london_now() -> datetime:
    return datetime.now(LONDON).replace(second=0, microsecond=0)


def local_input(moment: datetime) -> str:
    """How a datetime-local input holds a moment."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime) -> str:
    """How the case page shows a moment: "5 January 2026 09:00"."""
    return f"{moment.day} {moment:%B %Y %H:%M}"


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    return (london_now() - timedelta(days=1)).replace(hour=hour, minute=minute)


def check(page: Page, problems: PageProblems, name: str) -> None:
    """support.check_page on every page reached. Axe runs once per page state (`name` names
    the page, the state it is in and whose view it is): a state scanned already in this session
    gets every other check, not a second axe run, which keeps the module near a minute."""
    if name not in AXE_SUMMARY:
        check_page(page, problems, name)
        return
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    problems.assert_none()


def service_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def case_actions(page: Page) -> Locator:
    return page.locator("#case-actions")


def status_tag(page: Page) -> Locator:
    """The case's status: the first tag under the heading."""
    return page.locator("#main-content p.govuk-body").first.locator(".govuk-tag").first


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def summary_row(page: Page, key: str) -> Locator:
    """The value of a row of the case summary."""
    row = page.locator("#case-summary .govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$"))
    )
    return row.locator("dd")


def expect_error_summary(page: Page, *messages: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page).to_have_title(ERROR_TITLE)


def open_cases(page: Page, problems: PageProblems, who: str) -> None:
    service_nav(page).get_by_role("link", name="Cases", exact=True).click()
    expect(page.locator("h1")).to_have_text("Cases")
    check(page, problems, f"Cases [{who}]")


def open_case(page: Page, problems: PageProblems, who: str, reference: str, status: str) -> None:
    """Find a case by its reference with the list's filter, as a colleague told of it would."""
    open_cases(page, problems, who)
    page.get_by_label("Reference", exact=True).fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("h1")).to_have_text(reference)
    expect(status_tag(page)).to_have_text(status)
    check(page, problems, f"Case page, {status.lower()} [{who}]")


def start_new_case(page: Page, problems: PageProblems, who: str) -> None:
    open_cases(page, problems, who)
    page.get_by_role("link", name="Record a new case").click()
    expect(page.locator("h1")).to_have_text("Record a new case")
    check(page, problems, f"Record a new case [{who}]")


def fill_child(page: Page, child: Child, date_of_birth: date | None = None) -> None:
    page.get_by_label("First names").fill(child.given_names)
    page.get_by_label("Last name").fill(child.family_name)
    fill_date(page, "Date of birth", date_of_birth or child.date_of_birth)
    page.get_by_label("Gender").select_option(label=child.gender)


def fill_referral(
    page: Page,
    *,
    received_at: datetime,
    case_type: str = "Child abuse or neglect",
    source: str = "School or college",
    grade: str = "Medium",
) -> None:
    """The referral, sent to the Child Abuse Investigation Unit."""
    page.get_by_label("Type of case").select_option(label=case_type)
    page.get_by_label("Where the referral came from").select_option(label=source)
    fill_moment(page, "Referral received", received_at)
    page.get_by_label("Unit", exact=True).select_option(label=CAIU)
    page.get_by_role("group", name="Risk grade").get_by_label(grade, exact=True).check()
    page.get_by_label("Why this risk grade").fill(
        "Bruising seen by the class teacher; the child said an adult at home did it."
    )
    page.get_by_label("Summary of the concern").fill(
        "Designated safeguarding lead reported bruising to the upper arm."
    )


def expect_case_recorded(page: Page, problems: PageProblems, who: str) -> str:
    heading = page.locator("h1")
    expect(heading).to_have_text(REFERENCE)
    reference = heading.inner_text()
    expect(success_banner(page)).to_contain_text(f"Case {reference} recorded")
    expect(status_tag(page)).to_have_text("Received")
    expect(summary_row(page, "Unit")).to_have_text(CAIU)
    check(page, problems, f"Case page, just recorded [{who}]")
    return reference


def record_case(
    page: Page, problems: PageProblems, who: str, child: Child, *, received_at: datetime
) -> str:
    """A case for a child nobody has recorded yet: straight through, no duplicate check."""
    start_new_case(page, problems, who)
    fill_child(page, child)
    fill_referral(page, received_at=received_at)
    page.get_by_role("button", name="Record case").click()
    return expect_case_recorded(page, problems, who)


def child_record_id(page: Page, child: Child) -> int:
    """The record number of the child in this case, from the link to their record."""
    link = page.locator("#case-people").get_by_role("link", name=child.full_name, exact=True)
    href = link.get_attribute("href") or ""
    found = re.search(r"/people/(\d+)/$", href)
    assert found, f"no link to the child's record: {href!r}"
    return int(found.group(1))


def press_case_button(
    page: Page, problems: PageProblems, who: str, name: str, done: str, status: str
) -> None:
    """A lifecycle step that is one button on the case page (triage, start investigation)."""
    case_actions(page).get_by_role("button", name=name).click()
    expect(success_banner(page)).to_contain_text(done)
    expect(status_tag(page)).to_have_text(status)
    check(page, problems, f"Case page, {status.lower()} [{who}]")


def triage(page: Page, problems: PageProblems, who: str) -> None:
    """Mark as triaged: the referral decision and its reason, on their own page."""
    case_actions(page).get_by_role("link", name="Mark as triaged").click()
    expect(page.locator("h1")).to_have_text("Triage the referral")
    check(page, problems, f"Triage the referral [{who}]")
    page.get_by_label("Section 47: strategy discussion and enquiries").check()
    page.get_by_label("Reason for the decision").fill("Bruising the child could not explain")
    page.get_by_role("button", name="Record decision and mark as triaged").click()
    expect(success_banner(page)).to_contain_text("Case triaged")
    expect(status_tag(page)).to_have_text("Triaged")
    check(page, problems, f"Case page, triaged [{who}]")


def allocate(page: Page, problems: PageProblems, who: str, to: Colleague) -> None:
    case_actions(page).get_by_role("link", name="Allocate", exact=True).click()
    expect(page.locator("h1")).to_have_text("Allocate the case")
    check(page, problems, f"Allocate the case [{who}]")
    page.get_by_label("Allocate to").select_option(label=to.name)
    page.get_by_role("button", name="Allocate").click()
    expect(success_banner(page)).to_contain_text("Case allocated")
    expect(status_tag(page)).to_have_text("Allocated")
    expect(summary_row(page, "Owner")).to_have_text(to.name)
    check(page, problems, f"Case page, allocated [{who}]")


def record_voice_not_seen(page: Page, problems: PageProblems, who: str) -> None:
    page.get_by_role("link", name="Record the voice of the child").click()
    expect(page.locator("h1")).to_have_text("Record the voice of the child")
    check(page, problems, f"Record the voice of the child [{who}]")
    page.get_by_role("group", name="Was the child seen?").get_by_label("No").check()
    page.get_by_role("group", name="Was the child spoken to?").get_by_label("No").check()
    page.get_by_label("If the child was not seen or not spoken to, why not?").fill(
        "The family moved to a refuge out of force; the local police saw the child there."
    )
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text("Voice of the child recorded")
    expect(page.locator("#first-seen")).to_have_text("Not yet seen")
    check(page, problems, f"Case page, voice recorded [{who}]")


def request_closure(page: Page, problems: PageProblems, who: str) -> None:
    case_actions(page).get_by_role("link", name="Request closure").click()
    expect(page.locator("h1")).to_have_text("Ask a supervisor to close this case")
    check(page, problems, f"Request closure [{who}]")
    page.get_by_label("Reason").fill("Strategy discussion: no further police action; CSC lead.")
    page.get_by_role("button", name="Request closure").click()
    expect(success_banner(page)).to_contain_text("Closure requested")
    expect(status_tag(page)).to_have_text("Awaiting closure approval")
    check(page, problems, f"Case page, awaiting closure approval [{who}]")


# --- 1. a case for a new child, through the duplicate check ---------------------------------


def test_new_case_goes_through_the_duplicate_check(desks: Desks, watch: JourneyProblems) -> None:
    officer = desks(OFFICER)
    child = Child("Marigold", "Featherstonehaugh", date(2014, 5, 17), "Female")
    received = yesterday_at(9)

    # Bad input: a date of birth in the future. The error summary, and nothing saved.
    start_new_case(officer, watch, "officer")
    # The officer records for any unit of the force; the select starts on one of them.
    unit = officer.get_by_label("Unit", exact=True)
    expect(unit.locator("option", has_text=CAIU)).to_have_count(1)
    fill_child(officer, child, date_of_birth=london_now().date() + timedelta(days=3))
    fill_referral(officer, received_at=received)
    officer.get_by_role("button", name="Record case").click()
    expect_error_summary(officer, "Date of birth must be today or in the past")
    expect(officer.locator("#possible-duplicates")).to_have_count(0)
    check(officer, watch, "Record a new case with an error [officer]")
    # The summary's link takes the keyboard to the field; what was typed is still there.
    officer.locator(".govuk-error-summary").get_by_role("link").first.click()
    # The date of birth is a GOV.UK date input: the link focuses its first box, the day.
    date_of_birth = officer.get_by_role("group", name="Date of birth", exact=True)
    expect(date_of_birth.get_by_label("Day", exact=True)).to_be_focused()
    expect(officer.get_by_label("Last name")).to_have_value(child.family_name)
    expect(unit.locator("option:checked")).to_have_text(CAIU)

    service_nav(officer).get_by_role("link", name="People", exact=True).click()
    expect(officer.locator("h1")).to_have_text("People")
    check(officer, watch, "People [officer]")
    officer.get_by_label("Name", exact=True).fill(child.full_name)
    officer.get_by_role("button", name="Search").click()
    expect(officer.locator("#people-empty")).to_contain_text("Nobody matches this search.")
    check(officer, watch, "People search, nobody found [officer]")

    # The first case: nobody like this child is recorded, so no duplicate check is shown.
    first_reference = record_case(officer, watch, "officer", child, received_at=received)
    first_child = child_record_id(officer, child)

    # The same name and date of birth again: the service asks before making a new record.
    start_new_case(officer, watch, "officer")
    fill_child(officer, child)
    fill_referral(officer, received_at=received)
    officer.get_by_role("button", name="Record case").click()
    expect(officer.locator("#possible-duplicates")).to_have_text(
        re.compile("This child may already be recorded")
    )
    choices = officer.get_by_role(
        "group", name=re.compile(r"^Is (this|one of these) the same child")
    )
    expect(choices.get_by_role("radio")).to_have_count(2)
    # Nothing is chosen for the user (GOV.UK radios are never pre-selected)...
    expect(choices.get_by_label(f"(record {first_child})")).not_to_be_checked()
    check(officer, watch, "Record a new case, one possible duplicate [officer]")
    # ...and going on without choosing says so, in the error summary and at the question.
    officer.get_by_role("button", name="Continue").click()
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Select if this is someone already recorded, or a different child or person"
    )
    summary.get_by_role("link").first.click()
    expect(choices.get_by_role("radio").first).to_be_focused()
    check(officer, watch, "Record a new case, no choice made [officer]")
    choices.get_by_label("A different child: record somebody new").check()
    officer.get_by_role("button", name="Continue").click()
    second_reference = expect_case_recorded(officer, watch, "officer")
    second_child = child_record_id(officer, child)
    assert second_reference != first_reference
    assert second_child != first_child

    # And a third time: now both records are offered; this referral is about the first child.
    start_new_case(officer, watch, "officer")
    fill_child(officer, child)
    fill_referral(
        officer,
        received_at=received + timedelta(hours=3),
        case_type="Missing child",
        source="999 call",
    )
    officer.get_by_role("button", name="Record case").click()
    choices = officer.get_by_role(
        "group", name=re.compile(r"^Is (this|one of these) the same child")
    )
    expect(choices.get_by_role("radio")).to_have_count(3)
    expect(choices.get_by_label(f"(record {second_child})")).to_be_visible()
    check(officer, watch, "Record a new case, two possible duplicates [officer]")
    choices.get_by_label(f"(record {first_child})").check()
    officer.get_by_role("button", name="Continue").click()
    third_reference = expect_case_recorded(officer, watch, "officer")
    assert child_record_id(officer, child) == first_child
    assert len({first_reference, second_reference, third_reference}) == 3

    # The first child's chronology spans both of their cases, and not the other child's.
    officer.get_by_role("link", name=f"chronology of {child.full_name}").click()
    expect(officer.locator("h1")).to_have_text(child.full_name)
    chronology = officer.locator("#chronology")
    expect(chronology.get_by_role("link", name=first_reference)).not_to_have_count(0)
    expect(chronology.get_by_role("link", name=third_reference)).not_to_have_count(0)
    expect(chronology.get_by_role("link", name=second_reference)).to_have_count(0)
    check(officer, watch, "Child chronology, open cases [officer]")


# --- 2. a decision and the voice of the child -----------------------------------------------


def test_decision_and_voice_of_the_child(desks: Desks, watch: JourneyProblems) -> None:
    officer = desks(OFFICER)
    child = Child("Tobias", "Quartermaine", date(2012, 11, 3), "Male")
    received = yesterday_at(9)
    reference = record_case(officer, watch, "officer", child, received_at=received)
    child_id = child_record_id(officer, child)
    expect(officer.locator("#first-seen")).to_have_text("Not yet seen")
    expect(officer.locator("#voice-empty")).to_be_visible()

    # A decision without a rationale is refused, and the page says why.
    officer.get_by_role("link", name="Record a decision").click()
    expect(officer.locator("h1")).to_have_text("Record a decision")
    expect(officer.locator(".govuk-caption-l")).to_contain_text(reference)
    check(officer, watch, "Record a decision [officer]")
    decision = "Joint visit with children's social care today; child to be seen at school."
    officer.get_by_label("Decision", exact=True).fill(decision)
    officer.get_by_role("button", name="Record decision").click()
    expect_error_summary(officer, "Enter the rationale for this decision")
    check(officer, watch, "Record a decision with an error [officer]")
    officer.get_by_role("link", name="Enter the rationale for this decision").click()
    rationale = officer.get_by_label("Rationale")
    expect(rationale).to_be_focused()
    expect(officer.get_by_label("Decision", exact=True)).to_have_value(decision)
    rationale.fill("Injury consistent with the account; a sibling under five lives at home.")
    officer.get_by_role("button", name="Record decision").click()
    expect(success_banner(officer)).to_contain_text("Decision recorded")
    check(officer, watch, "Case page, decision recorded [officer]")
    decisions = officer.locator(".govuk-summary-card").filter(has_text=decision)
    expect(decisions).to_have_count(1)  # the refused attempt saved nothing
    expect(decisions).to_contain_text("a sibling under five lives at home")
    expect(decisions.get_by_role("heading")).to_contain_text(OFFICER.name)

    # The voice of the child: seen before the referral came in is refused.
    officer.get_by_role("link", name="Record the voice of the child").click()
    expect(officer.locator("h1")).to_have_text("Record the voice of the child")
    check(officer, watch, "Record the voice of the child [officer]")
    expect(officer.get_by_label("Child", exact=True)).to_have_value(str(child_id))
    officer.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    fill_moment(officer, "When were they seen?", received - timedelta(hours=20))
    officer.get_by_role("group", name="Was the child spoken to?").get_by_label("Yes").check()
    officer.get_by_role("group", name="Were they spoken to alone?").get_by_label("Yes").check()
    officer.get_by_label("What did the child say?").fill(
        "\u201cDad grabbed my arm when I spilled my drink.\u201d"
    )
    officer.get_by_label("How did the child seem?").fill("Quiet, made little eye contact.")
    officer.get_by_role("button", name="Save").click()
    expect_error_summary(
        officer, "The date the child was seen must be on or after the referral was received"
    )
    check(officer, watch, "Record the voice of the child with an error [officer]")

    seen_at = received + timedelta(hours=6, minutes=30)
    fill_moment(officer, "When were they seen?", seen_at)
    officer.get_by_role("button", name="Save").click()
    expect(success_banner(officer)).to_contain_text("Voice of the child recorded")
    expect(officer.locator("#first-seen")).to_have_text(shown(seen_at))
    voices = officer.locator(".govuk-summary-card").filter(has_text="Dad grabbed my arm")
    expect(voices).to_have_count(1)  # the refused attempt saved nothing
    expect(voices).to_contain_text(f"Yes, {shown(seen_at)}")
    expect(voices).to_contain_text("Yes, alone")
    expect(officer.locator("#voice-empty")).to_have_count(0)
    check(officer, watch, "Case page, seen and heard [officer]")


# --- 3. triage, allocation, investigation, supervisory review, closure ---------------------


def test_supervisor_reviews_and_approves_closure(desks: Desks, watch: JourneyProblems) -> None:
    officer = desks(OFFICER)
    supervisor = desks(SUPERVISOR)
    investigator = desks(INVESTIGATOR)
    child = Child("Elowen", "Pendlebury", date(2016, 2, 29), "Female")

    # The officer records the referral for the unit and triages it; allocating is not theirs.
    reference = record_case(officer, watch, "officer", child, received_at=yesterday_at(8, 15))
    expect(case_actions(officer).get_by_role("link", name="Allocate", exact=True)).to_have_count(0)
    triage(officer, watch, "officer")

    # The unit's supervisor finds it and allocates it to the unit's investigator.
    open_case(supervisor, watch, "supervisor", reference, "Triaged")
    allocate(supervisor, watch, "supervisor", INVESTIGATOR)

    # The investigator finds it in My work and starts the investigation.
    service_nav(investigator).get_by_role("link", name="My work", exact=True).click()
    my_cases = investigator.locator("#my-cases")
    expect(my_cases).to_contain_text(reference)
    check(investigator, watch, "My work with a case [investigator]")
    my_cases.get_by_role("link", name=reference).click()
    expect(investigator.locator("h1")).to_have_text(reference)
    check(investigator, watch, "Case page, allocated [investigator]")
    press_case_button(
        investigator,
        watch,
        "investigator",
        "Start investigation",
        "Investigation started",
        "Investigating",
    )

    # Closure cannot be asked for before the voice of the child is on the record.
    case_actions(investigator).get_by_role("link", name="Request closure").click()
    expect(investigator.locator("h1")).to_have_text("Ask a supervisor to close this case")
    check(investigator, watch, "Request closure [investigator]")
    investigator.get_by_label("Reason").fill("No further action.")
    investigator.get_by_role("button", name="Request closure").click()
    expect_error_summary(
        investigator, f"Record the voice of the child for {child.full_name} before closure"
    )
    check(investigator, watch, "Request closure with an error [investigator]")
    investigator.get_by_role("link", name="Back to the case").click()
    expect(status_tag(investigator)).to_have_text("Investigating")
    check(investigator, watch, "Case page, investigating [investigator]")
    record_voice_not_seen(investigator, watch, "investigator")
    request_closure(investigator, watch, "investigator")
    expect(investigator.get_by_role("link", name="Review and approve closure")).to_have_count(0)

    # The investigator cannot approve: the approval page refuses them.
    watch.expected_status = 403
    try:
        # As if following a link sent by a colleague: the case's address, then approve-closure/.
        response = investigator.goto(investigator.url + "approve-closure/")
        assert response is not None and response.status == 403
        expect(investigator.locator("h1")).to_have_text(
            "You do not have permission to see this page"
        )
        check(investigator, watch, "Permission refused [investigator]")
    finally:
        watch.expected_status = None

    # The supervisor, still on the case page, refreshes it: closure is awaiting approval.
    supervisor.reload()
    expect(status_tag(supervisor)).to_have_text("Awaiting closure approval")
    check(supervisor, watch, "Case page, awaiting closure approval [supervisor]")

    # A supervisory review: an empty one is refused, then it is recorded.
    case_actions(supervisor).get_by_role("link", name="Record a supervisory review").click()
    expect(supervisor.locator("h1")).to_have_text("Record a supervisory review")
    check(supervisor, watch, "Record a supervisory review [supervisor]")
    supervisor.get_by_role("button", name="Record review").click()
    expect_error_summary(
        supervisor, "Enter your findings", "Enter your direction to the investigator"
    )
    check(supervisor, watch, "Record a supervisory review with an error [supervisor]")
    findings = "Strategy discussion held within 24 hours; the child's account is recorded."
    supervisor.get_by_label("Findings").fill(findings)
    supervisor.get_by_label("Direction to the investigator").fill(
        "Confirm the refuge address with children's social care before closure."
    )
    supervisor.get_by_role("button", name="Record review").click()
    expect(success_banner(supervisor)).to_contain_text("Review recorded")
    expect(supervisor.locator(".govuk-summary-card").filter(has_text=findings)).to_have_count(1)
    check(supervisor, watch, "Case page, review recorded [supervisor]")

    # And approves closure.
    case_actions(supervisor).get_by_role("link", name="Review and approve closure").click()
    expect(supervisor.locator("h1")).to_have_text("Review and approve closure")
    check(supervisor, watch, "Review and approve closure [supervisor]")
    supervisor.get_by_label("Closure review findings").fill(
        "Voice of the child recorded; actions complete; no further police action."
    )
    supervisor.get_by_role("button", name="Approve closure").click()
    expect(success_banner(supervisor)).to_contain_text("Closure approved. The case is closed.")
    expect(status_tag(supervisor)).to_have_text("Closed")
    expect(case_actions(supervisor).get_by_role("link", name="Reopen")).to_be_visible()
    check(supervisor, watch, "Case page, closed [supervisor]")

    # The child's chronology: everything that happened, newest first.
    supervisor.get_by_role("link", name=f"chronology of {child.full_name}").click()
    expect(supervisor.locator("h1")).to_have_text(child.full_name)
    check(supervisor, watch, "Child chronology, closed case [supervisor]")
    items = supervisor.locator("#chronology .moj-timeline__item")
    titles = [title.strip() for title in items.locator(".moj-timeline__title").all_inner_texts()]
    times = items.locator("time").evaluate_all(
        "nodes => nodes.map(node => Date.parse(node.getAttribute('datetime')))"
    )
    assert times == sorted(times, reverse=True), f"not newest first: {titles}"
    expected = [
        f"{reference}: Approve closure: now closed",
        f"{reference}: Closure review",
        f"{reference}: Review at allocation",
        f"{reference}: Request closure: now awaiting closure approval",
        f"{reference}: {child.full_name} not seen",
        f"{reference}: Start investigation: now investigating",
        f"{reference}: Allocate: now allocated",
        # Triage records the referral decision; the timeline names it.
        f"{reference}: Triaged: Section 47: strategy discussion and enquiries",
        # The record is made today; the referral came in yesterday, and is placed then.
        "Person recorded",
        f"{reference}: Referral received: Child abuse or neglect",
    ]
    assert titles == expected


def test_supervisor_cannot_approve_closure_of_a_case_they_investigated(
    desks: Desks, watch: JourneyProblems
) -> None:
    supervisor = desks(SUPERVISOR)
    child = Child("Caspian", "Thistlewood", date(2010, 8, 21), "Male")
    # A supervisor may record and work a case of their unit, and allocate it to themselves.
    record_case(supervisor, watch, "supervisor", child, received_at=yesterday_at(7))
    triage(supervisor, watch, "supervisor")
    allocate(supervisor, watch, "supervisor", SUPERVISOR)
    press_case_button(
        supervisor,
        watch,
        "supervisor",
        "Start investigation",
        "Investigation started",
        "Investigating",
    )
    record_voice_not_seen(supervisor, watch, "supervisor")
    request_closure(supervisor, watch, "supervisor")

    # Then they cannot approve its closure: another supervisor must.
    case_actions(supervisor).get_by_role("link", name="Review and approve closure").click()
    check(supervisor, watch, "Review and approve closure [supervisor]")
    supervisor.get_by_label("Closure review findings").fill("All done.")
    supervisor.get_by_role("button", name="Approve closure").click()
    expect_error_summary(
        supervisor,
        "You investigated this case, so another supervisor must approve its closure",
    )
    check(supervisor, watch, "Review and approve closure, refused [supervisor]")
    supervisor.get_by_role("link", name="Back to the case").click()
    expect(status_tag(supervisor)).to_have_text("Awaiting closure approval")
    expect(supervisor.get_by_text("No supervisory reviews yet.")).to_be_visible()
    check(supervisor, watch, "Case page, awaiting closure approval [supervisor]")
