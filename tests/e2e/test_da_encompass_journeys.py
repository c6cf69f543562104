"""Domestic abuse with children, and Operation Encompass, in a real browser (issue 6): an officer
records a household and two police-attended incidents, the children's voices and the DASH (with
"Calculate score", a grade below the band refused and the MARAC referral it makes); the triage
unit sees the queue by risk, then age, claims and completes the secondary assessment, and its
supervisor reads the capacity page and its forecast; the Operation Encompass desk reviews and
sends the school-age child's notification, due before the school's next school-day start; the
school's DSL reads it (the read receipt) and acknowledges it, and a partner who is not one of
the school's key adults never sees it. Every page visited is checked with axe (WCAG 2.2 AA), for
Content-Security-Policy violations and for GOV.UK Frontend having started.

Who can do what follows the permission table and the demo force (safeguard/accounts/demo.py,
safeguard/partners/demo.py): a domestic abuse incident is a case of the Domestic Abuse Triage
unit owned by the officer who records it; "triage" (an investigator of that unit) works its
queue; "encompass" (the Operation Encompass Desk) reviews and sends notifications; "partner" is
the DSL of Demo Primary School (URN 999001, school day from 08:30); "rhi" acts for Demo County
Council and is no key adult of any school.

The officer and the triage unit's supervisor are colleagues made here (as in
test_case_journeys.py), not the demo users: the officer owns the cases recorded here, which would
otherwise be in the demo officer's My work when test_journey.py (next in file order) expects it
empty; investigators may not see the capacity page (team.view), and the demo force has no
supervisor in the triage unit. The demo triage, encompass, partner and rhi users are left with no
open work of their own. The three journeys run in file order and share the household recorded by
the first; each user signs in once for the module (a TOTP code is accepted once per 30-second
step).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from safeguard.core.calendars import SchoolCalendar
from safeguard.encompass.rules.notification import Route, notification_due
from safeguard.partners.demo import DEMO_SCHOOLS, demo_term_csv
from safeguard.partners.rules import term_date_problems
from tests.e2e.conftest import E2EServer, _child_env, _manage
from tests.e2e.support import TotpClock, fill_date, fill_moment
from tests.e2e.test_case_journeys import (
    _CREATE_COLLEAGUES,
    LONDON,
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
    success_banner,
)
from tests.e2e.test_missing_journey import born, demo, summary_value, wait_for_mail, yes_no

pytestmark = pytest.mark.browser

DA_TRIAGE = "Domestic Abuse Triage"
OFFICER = Colleague(
    "da-officer", "officer", "Owen", "Okonjo", "Response Team North", "Police Constable"
)
TRIAGE_SUPERVISOR = Colleague(
    "da-triage-supervisor", "supervisor", "Sunita", "Shah", DA_TRIAGE, "Detective Sergeant"
)
TRIAGE = demo("triage")
ENCOMPASS = demo("encompass")
PARTNER = demo("partner")  # the DSL of Demo Primary School
RHI = demo("rhi")  # a partner of Demo County Council: no school's key adult

SCHOOL_URN, SCHOOL_NAME = "999001", "Demo Primary School"
SCHOOL_STARTS = next(school[6] for school in DEMO_SCHOOLS if school[0] == SCHOOL_URN)
DSL_EMAIL = "priya.patel@demo-primary.cjsm.net"
INCIDENT_URL = re.compile(r"/domestic-abuse/(\d+)/$")
NOTIFICATION_URL = re.compile(r"/encompass/notifications/(\d+)/$")
RECEIVED_URL = re.compile(r"/encompass/received/(\d+)/$")

VICTIM = Child("Hannah", "Achterberg", born(34, days_since_birthday=120), "Female")
SUSPECT = Child("Craig", "Pemberton-Vale", born(36, days_since_birthday=200), "Male")
PUPIL = Child("Maya", "Pemberton-Vale", born(9, days_since_birthday=50), "Female")
TODDLER = Child("Alfie", "Pemberton-Vale", born(2, days_since_birthday=80), "Male")
PUPIL_SAID = "Daddy was shouting at Mummy and I hid on the stairs"
PUPIL_SEEMED = "Quiet and tearful, holding her teddy"
# DASH: 14 "yes" answers (visible high risk, docs/rules.md 3.1), the other 13 "no".
DASH_YES = 14


@dataclass
class Household:
    """What the officer's journey recorded, for the journeys after it."""

    reference: str = ""  # the case of the incident with the pupil
    incident_url: str = ""
    older_reference: str = ""  # the earlier incident, with the toddler only
    attended_at: datetime | None = None
    due_at: datetime | None = None  # the pupil's Operation Encompass notification
    notification_url: str = ""
    received_url: str = ""

    def require(self, *fields: str) -> None:
        missing = [name for name in fields if not getattr(self, name)]
        if missing:
            pytest.fail(f"the officer's journey did not record {', '.join(missing)}")


@pytest.fixture(scope="module")
def household() -> Household:
    return Household()


@pytest.fixture(scope="module")
def watch() -> JourneyProblems:
    return JourneyProblems()


@pytest.fixture(scope="module")
def desks(
    browser: Browser, e2e_server: E2EServer, totp_clock: TotpClock, watch: JourneyProblems
) -> Iterator[Desks]:
    database = e2e_server.log_path.parent / "e2e.sqlite3"
    assert database.exists(), database
    rows = [
        (c.username, c.role, c.first_name, c.last_name, c.unit, c.job_title)
        for c in (OFFICER, TRIAGE_SUPERVISOR)
    ]
    _manage(_child_env(database), "shell", "-c", _CREATE_COLLEAGUES.format(rows=rows))
    opened = Desks(browser, e2e_server, totp_clock, watch)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def _checked(e2e_server: E2EServer, watch: JourneyProblems) -> Iterator[None]:
    """After each journey: nothing failed on the server, nothing went wrong in a browser."""
    e2e_server.new_log()
    yield
    failures = _server_failures(e2e_server.new_log())
    assert not failures, "The server failed:\n" + "\n".join(failures)[-4000:]
    watch.assert_none()


# --- when: the school's next school day --------------------------------------------------------


def school_day_due(attended_at: datetime) -> datetime:
    """The notification's deadline as the rules of docs/rules.md 4 give it for Demo Primary School:
    the start (08:30) of its next school day by the demo local authority's term dates."""
    terms, problems = term_date_problems(demo_term_csv(london_now().date()))
    assert not problems, problems
    calendar = SchoolCalendar(
        terms=tuple((term.first_day, term.last_day) for term in terms),
        day_starts_at=SCHOOL_STARTS,
    )
    return notification_due(
        incident_at=attended_at,
        route=Route.SCHOOL,
        calendar=calendar,
        school_starts_at=SCHOOL_STARTS,
    )


def attendance_on_the_desk(now: datetime) -> tuple[datetime, datetime]:
    """When the police attended, and when the pupil's notification is due. Two hours ago, if the
    notification then falls due before noon tomorrow (the Encompass desk lists what is due
    before tomorrow's school start); on a weekend or in a school holiday, the evening before the
    last school day, whose notification is overdue and so listed too."""
    cutoff = datetime.combine(now.date() + timedelta(days=1), time(12, 0), tzinfo=LONDON)
    attended = now - timedelta(hours=2)
    due = school_day_due(attended)
    day = now.date()
    while due > cutoff:
        day -= timedelta(days=1)
        attended = datetime.combine(day, time(19, 0), tzinfo=LONDON)
        due = school_day_due(attended)
    assert due.timetz().replace(tzinfo=None) == SCHOOL_STARTS and due.weekday() < 5, due
    return attended, due


def desk_time(moment: datetime) -> str:
    """How the Encompass lists show a moment: "Thu 26 Nov 08:30"."""
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def long_time(moment: datetime) -> str:
    """How a notification page shows a moment: "Thursday 26 November 2026, 08:30"."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"


def incident_time(moment: datetime) -> str:
    """How the incident page shows a moment: "26 November 2026 08:30"."""
    return f"{moment.day} {moment:%B %Y %H:%M}"


# --- what people do on the pages -------------------------------------------------------------


def record_person(
    page: Page, problems: JourneyProblems, person: Child, school_urn: str = ""
) -> int:
    """People, then Record a person (nobody like them is on record). Returns their record."""
    who = OFFICER.username
    service_nav(page).get_by_role("link", name="People", exact=True).click()
    expect(page.locator("h1")).to_have_text("People")
    check(page, problems, f"People [{who}]")
    page.get_by_role("link", name="Record a person").click()
    expect(page.locator("h1")).to_have_text("Record a person")
    check(page, problems, f"Record a person [{who}]")
    page.get_by_label("First names").fill(person.given_names)
    page.get_by_label("Last name").fill(person.family_name)
    fill_date(page, "Date of birth", person.date_of_birth)
    page.get_by_label("Gender").select_option(label=person.gender)
    if school_urn:
        page.get_by_label("School URN (optional)").fill(school_urn)
    page.get_by_role("button", name="Record person").click()
    expect(page.locator("h1")).to_have_text(person.full_name)
    expect(success_banner(page)).to_contain_text(f"{person.full_name} recorded")
    found = re.search(r"/people/(\d+)/$", page.url)
    assert found, page.url
    return int(found.group(1))


def relate(page: Page, problems: JourneyProblems, kind: str, other: Child, other_id: int) -> None:
    """On a person's record: "This person is <kind> <other>"."""
    page.get_by_role("link", name="Record a relationship").click()
    expect(page.locator("h1")).to_have_text("Record a relationship")
    check(page, problems, f"Record a relationship [{OFFICER.username}]")
    page.get_by_label("This person is").select_option(label=kind)
    page.get_by_label("Record number of the other person").fill(str(other_id))
    page.get_by_role("button", name="Save relationship").click()
    expect(success_banner(page)).to_contain_text("Relationship recorded")
    expect(page.locator("main").get_by_role("listitem").filter(has_text=kind)).to_contain_text(
        [other.full_name]
    )


def child_section(page: Page, index: int) -> Locator:
    return page.locator(f"#child-section-{index}")


def record_incident(
    page: Page,
    *,
    attended_at: datetime,
    account: str,
    pupil_included: bool,
) -> None:
    """The record-incident form, from the victim's record: the suspect and both children are
    offered from the victim's relationships. The pupil is in this incident or the toddler is."""
    fill_moment(page, "When the police attended", attended_at)
    page.get_by_label("Where the police attended").fill("14 Linden Close, Demo Town DM1 4QT")
    suspect = page.get_by_role("group", name="Who is the suspect?")
    suspect.get_by_label(SUSPECT.full_name, exact=True).check()
    page.get_by_role("group", name="The suspect's relationship to the victim").get_by_label(
        "Partner", exact=True
    ).check()
    page.get_by_label("Your account of the incident").fill(account)
    toddler, pupil = TODDLER.full_name, PUPIL.full_name
    if pupil_included:
        yes_no(page, f"Is {toddler} one of the children in the household?", "No")
        yes_no(page, f"Is {pupil} one of the children in the household?", "Yes")
        yes_no(page, f"Was {pupil} present?", "Yes")
        page.get_by_label(f"Where {pupil} was (optional)").fill("On the stairs")
        page.get_by_role("group", name=f"Which adult is {pupil} related to?").get_by_label(
            "Both", exact=True
        ).check()
        # Prefilled from the child's record.
        expect(page.get_by_label(f"School URN of {pupil} (optional)")).to_have_value(SCHOOL_URN)
        expect(
            page.get_by_role("group", name=f"Is {pupil} educated at home?").get_by_label("No")
        ).to_be_checked()
        yes_no(page, f"Did you speak to {pupil}?", "Yes")
        yes_no(page, f"Did you speak to {pupil} alone?", "Yes")
        page.get_by_label(f"What {pupil} said (if you spoke to them)").fill(PUPIL_SAID)
        page.get_by_label(f"How {pupil} seemed (if present)").fill(PUPIL_SEEMED)
    else:
        yes_no(page, f"Is {toddler} one of the children in the household?", "Yes")
        # Staying with his grandmother.
        yes_no(page, f"Was {toddler} present?", "No")
        page.get_by_role("group", name=f"Which adult is {toddler} related to?").get_by_label(
            "Both", exact=True
        ).check()
        yes_no(page, f"Is {pupil} one of the children in the household?", "No")
    page.get_by_role("button", name="Record incident").click()


def answer_dash(page: Page, yes: int) -> None:
    """The first `yes` of the 27 questions answered yes, the rest no."""
    questions = page.locator("main fieldset").filter(
        has=page.locator("legend", has_text=re.compile(r"^\s*\d+\. "))
    )
    expect(questions).to_have_count(27)
    for n in range(27):
        questions.nth(n).get_by_label("Yes" if n < yes else "No", exact=True).check()


def dash_choice(page: Page, group: str, label: str) -> Locator:
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


def clock_value(page: Page, title: str) -> Locator:
    return summary_value(page, "#incident-clocks", title)


def queue_rows(page: Page) -> Locator:
    return page.locator("#triage-queue tbody tr")


# --- the journeys ------------------------------------------------------------------------------


def test_officer_records_the_household_the_incident_and_the_dash(
    desks: Desks, watch: JourneyProblems, household: Household
) -> None:
    now = london_now()
    attended, due = attendance_on_the_desk(now)
    earlier = attended - timedelta(days=1)
    who = OFFICER.username

    # --- The household: the victim, the suspect, a pupil of Demo Primary School, a toddler.
    officer = desks(OFFICER)
    service_nav(officer).get_by_role("link", name="People", exact=True).click()
    officer.get_by_label("Name", exact=True).fill(VICTIM.full_name)
    officer.get_by_role("button", name="Search").click()
    expect(officer.locator("#people-empty")).to_contain_text("Nobody matches this search.")
    check(officer, watch, f"People search, nobody found [{who}]")
    suspect_id = record_person(officer, watch, SUSPECT)
    pupil_id = record_person(officer, watch, PUPIL, school_urn=SCHOOL_URN)
    expect(summary_value(officer, "#person-summary", "School URN")).to_have_text(SCHOOL_URN)
    toddler_id = record_person(officer, watch, TODDLER)
    victim_id = record_person(officer, watch, VICTIM)
    check(officer, watch, f"Person record [{who}]")
    relate(officer, watch, "Household member with", SUSPECT, suspect_id)
    relate(officer, watch, "Parent or carer of", PUPIL, pupil_id)
    relate(officer, watch, "Parent or carer of", TODDLER, toddler_id)
    check(officer, watch, f"Person record with relationships [{who}]")

    # --- An earlier incident, the toddler alone in it (too young for Operation Encompass).
    officer.get_by_role("link", name="Record domestic abuse", exact=True).click()
    expect(officer).to_have_url(re.compile(rf"/domestic-abuse/new/\?victim={victim_id}$"))
    expect(officer.locator("h1")).to_have_text("Record a domestic abuse incident")
    expect(officer.locator(".govuk-caption-l")).to_contain_text(f"Victim: {VICTIM.full_name}")
    expect(officer.locator("#no-household")).to_have_count(0)
    # The suspect is offered from the victim's relationships; the children are not.
    expect(
        officer.get_by_role("group", name="Who is the suspect?").get_by_role("radio")
    ).to_have_count(3)
    # A section per child linked to the victim (by name), and two for other children.
    expect(child_section(officer, 0).get_by_role("heading")).to_contain_text(TODDLER.full_name)
    expect(child_section(officer, 1).get_by_role("heading")).to_contain_text(PUPIL.full_name)
    expect(child_section(officer, 3).get_by_role("heading")).to_have_text("Another child")
    check(officer, watch, f"Record a domestic abuse incident [{who}]")
    record_incident(
        officer,
        attended_at=earlier,
        account="Neighbour called about shouting. Both adults calm on arrival; no injuries.",
        pupil_included=False,
    )
    expect(officer).to_have_url(INCIDENT_URL)
    expect(success_banner(officer)).to_contain_text(re.compile(r"Incident recorded: CP-\d{4}-"))
    household.older_reference = officer.locator(".govuk-caption-l").inner_text().strip()
    assert REFERENCE.match(household.older_reference), household.older_reference
    check(officer, watch, f"Domestic abuse incident, just recorded [{who}]")

    # --- Tonight's incident, the pupil present and spoken to alone. First a mistake: the
    # pupil's answers left out.
    officer.goto(f"/people/{victim_id}/")
    officer.get_by_role("link", name="Record domestic abuse", exact=True).click()
    expect(officer.locator("h1")).to_have_text("Record a domestic abuse incident")
    yes_no(officer, f"Is {TODDLER.full_name} one of the children in the household?", "No")
    yes_no(officer, f"Is {PUPIL.full_name} one of the children in the household?", "Yes")
    officer.get_by_role("button", name="Record incident").click()
    expect_error_summary(
        officer,
        "Select the suspect, or that none is identified",
        f"Select yes if {PUPIL.full_name} was present",
        f"Select which adult {PUPIL.full_name} is related to",
    )
    check(officer, watch, f"Record a domestic abuse incident, with errors [{who}]")
    record_incident(
        officer,
        attended_at=attended,
        account="Called by the victim. Suspect had left; victim had a cut lip. Pupil on stairs.",
        pupil_included=True,
    )
    expect(officer).to_have_url(INCIDENT_URL)
    household.incident_url = officer.url
    household.attended_at, household.due_at = attended, due
    expect(success_banner(officer)).to_contain_text(re.compile(r"Incident recorded: CP-\d{4}-"))
    household.reference = officer.locator(".govuk-caption-l").inner_text().strip()
    assert REFERENCE.match(household.reference), household.reference
    expect(officer.locator("h1")).to_have_text("Domestic abuse incident")
    expect(officer.locator("#triage-status")).to_have_text("Awaiting secondary assessment")
    expect(summary_value(officer, "#incident-summary", "Attended")).to_have_text(
        incident_time(attended)
    )
    expect(summary_value(officer, "#incident-summary", "Suspect")).to_have_text(SUSPECT.full_name)
    expect(summary_value(officer, "#incident-summary", "Relationship")).to_have_text("Partner")
    pupil_rows = officer.locator(f"#child-{pupil_id} + dl")
    expect(officer.locator(f"#child-{toddler_id}")).to_have_count(0)
    expect(summary_value(officer, f"#child-{pupil_id} + dl", "Present")).to_have_text(
        "Yes: On the stairs"
    )
    expect(pupil_rows).to_contain_text(f"School URN {SCHOOL_URN}")
    expect(summary_value(officer, f"#child-{pupil_id} + dl", "Voice of the child")).to_have_text(
        re.compile(rf"^Spoken to alone\s*Said: \u201c{PUPIL_SAID}\u201d\s*Seemed: {PUPIL_SEEMED}$")
    )
    # The da.* clocks: DASH within 24 hours of the attendance; triage (not yet graded: 24 h).
    dash_due = attended + timedelta(hours=24)
    expect(clock_value(officer, "DASH risk assessment completed")).to_contain_text(
        f"due {dash_due.day} {dash_due:%b %Y %H:%M}"
    )
    expect(clock_value(officer, "Secondary risk assessment (triage)")).to_contain_text("due ")
    expect(officer.locator("#incident-clocks dt")).to_have_count(2)  # no MARAC yet
    expect(officer.locator("#dash-missing")).to_have_text("Not yet completed.")
    check(officer, watch, f"Domestic abuse incident, no DASH yet [{who}]")

    # --- DASH: first the score without saving, then a grade below the band, then saved.
    officer.get_by_role("link", name="Complete the DASH assessment").click()
    expect(officer.locator("h1")).to_have_text("DASH risk assessment")
    check(officer, watch, f"DASH risk assessment [{who}]")
    answer_dash(officer, DASH_YES)
    officer.get_by_role("button", name="Calculate score").click()
    calculation = officer.locator("#dash-calculation")
    expect(calculation.get_by_role("heading")).to_have_text("Score 14: high risk")
    expect(calculation).to_contain_text("All 27 questions answered")
    expect(calculation).to_contain_text("Nothing is saved yet.")
    expect(officer.locator(".govuk-error-summary")).to_have_count(0)
    # What was answered is still there.
    expect(officer.locator("input[type=radio][value=yes]:checked")).to_have_count(DASH_YES)
    check(officer, watch, f"DASH risk assessment, score calculated [{who}]")

    dash_choice(officer, "Risk grade", "Medium").check()
    dash_choice(officer, "Refer to the MARAC on professional judgement?", "No").check()
    officer.get_by_role("button", name="Save assessment").click()
    never_lower = (
        "Professional judgement can raise the grade, never lower it: "
        "the score of 14 makes it at least high"
    )
    expect_error_summary(officer, never_lower)
    check(officer, watch, f"DASH risk assessment, grade below the band [{who}]")
    officer.get_by_role("link", name=never_lower).click()
    expect(dash_choice(officer, "Risk grade", "Standard")).to_be_focused()
    expect(officer.locator("input[type=radio][value=yes]:checked")).to_have_count(DASH_YES)

    dash_choice(officer, "Risk grade", "High").check()
    officer.get_by_role("button", name="Save assessment").click()
    expect(officer).to_have_url(household.incident_url)
    expect(success_banner(officer)).to_contain_text("DASH risk assessment recorded")
    expect(officer.locator("#dash-score")).to_have_text("14 of 27 (high band)")
    expect(summary_value(officer, "#dash", "Grade")).to_have_text("High")
    # The MARAC referral, by the visible-high-risk route only.
    expect(summary_value(officer, "#marac", "Why").get_by_role("listitem")).to_have_text(
        ["Visible high risk: DASH score 14 (14 or more)"]
    )
    expect(officer.locator("#marac-sent")).to_have_text("Not yet sent")
    expect(clock_value(officer, "DASH risk assessment completed")).to_contain_text("met")
    expect(clock_value(officer, "MARAC referral sent")).to_contain_text("due ")
    expect(officer.get_by_role("link", name="Complete the DASH assessment")).to_have_count(0)
    check(officer, watch, f"Domestic abuse incident, DASH high, MARAC to send [{who}]")

    officer.get_by_role("button", name="Mark the MARAC referral as sent").click()
    expect(success_banner(officer)).to_contain_text("MARAC referral marked as sent")
    expect(officer.locator("#marac-sent")).to_contain_text(f"by {OFFICER.name}")
    expect(clock_value(officer, "MARAC referral sent")).to_contain_text("met")
    check(officer, watch, f"Domestic abuse incident, MARAC sent [{who}]")


def test_triage_unit_works_the_queue_and_reads_the_forecast(
    desks: Desks, watch: JourneyProblems, household: Household
) -> None:
    household.require("reference", "older_reference", "incident_url")
    who = TRIAGE.username

    # --- The queue: not yet graded counts as high, so the older ungraded incident comes first.
    triage = desks(TRIAGE)
    service_nav(triage).get_by_role("link", name="Domestic abuse triage", exact=True).click()
    expect(triage.locator("h1")).to_have_text("Domestic abuse triage")
    expect(triage.locator("#queue-summary")).to_have_text("2 incidents waiting.")
    rows = queue_rows(triage)
    expect(rows.locator("th a")).to_have_text([household.older_reference, household.reference])
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("Not graded")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("High")
    expect(rows.locator("td").filter(has_text="Unclaimed")).to_have_count(2)
    # The triage unit sees its own capacity.
    expect(triage.locator("#capacity-link")).to_have_count(1)
    expect(service_nav(triage).get_by_role("link", name="Triage capacity")).to_have_count(1)
    check(triage, watch, f"Domestic abuse triage, two waiting [{who}]")

    triage.get_by_role("button", name=f"Claim {household.reference}").click()
    expect(success_banner(triage)).to_contain_text("You are assessing this incident")
    expect(rows.nth(1).locator("td").nth(3)).to_have_text(TRIAGE.name)
    expect(triage.get_by_role("button", name=f"Claim {household.reference}")).to_have_count(0)
    check(triage, watch, f"Domestic abuse triage, one claimed [{who}]")

    triage.get_by_role("link", name=f"Complete assessment of {household.reference}").click()
    expect(triage.locator("h1")).to_have_text("Complete the secondary risk assessment")
    # The grade starts at the DASH grade.
    grade = triage.get_by_role("group", name="Risk grade after the secondary assessment")
    expect(grade.get_by_label("High", exact=True)).to_be_checked()
    check(triage, watch, f"Complete the secondary risk assessment [{who}]")
    triage.get_by_role("button", name="Complete assessment").click()
    expect_error_summary(triage, "Enter the secondary assessment")
    check(triage, watch, f"Complete the secondary risk assessment, with an error [{who}]")
    triage.get_by_label("The secondary assessment").fill(
        "DASH 14, cut lip, suspect not yet arrested; pupil witnessed. High risk: MARAC sent, "
        "IDVA referral made, safety plan agreed with the victim."
    )
    triage.get_by_role("button", name="Complete assessment").click()
    expect(success_banner(triage)).to_contain_text("Secondary assessment recorded")
    expect(triage.locator("h1")).to_have_text("Domestic abuse triage")
    expect(triage.locator("#queue-summary")).to_have_text("1 incident waiting.")
    expect(rows.locator("th a")).to_have_text([household.older_reference])
    check(triage, watch, f"Domestic abuse triage, one waiting [{who}]")

    triage.goto(household.incident_url)
    expect(triage.locator("#triage-status")).to_have_text("Assessed")
    expect(summary_value(triage, "#triage", "Completed")).to_contain_text("High risk")
    expect(clock_value(triage, "Secondary risk assessment (triage)")).to_contain_text("met")
    expect(triage.locator("#incident-actions")).to_have_count(0)
    check(triage, watch, f"Domestic abuse incident, assessed [{who}]")

    # --- The unit's supervisor: capacity, the backlog now and the forecast.
    supervisor = desks(TRIAGE_SUPERVISOR)
    boss = TRIAGE_SUPERVISOR.username
    service_nav(supervisor).get_by_role("link", name="Triage capacity", exact=True).click()
    expect(supervisor.locator("h1")).to_have_text("Triage capacity and backlog forecast")
    expect(supervisor.locator("#backlog-now")).to_have_text("1")
    explanation = supervisor.locator("#forecast-explanation")
    expect(explanation).to_contain_text("Arrivals average 0.1 a day and completions 0.1 a day")
    expect(explanation).to_contain_text("It is 1 case now.")
    expect(explanation).to_contain_text("It is not expected to reach the threshold of 200 cases")
    expect(explanation).to_contain_text("9 days in 10")
    expect(supervisor.locator("#backlog-warning")).to_have_count(0)
    for chart, title in (
        ("#chart-forecast", "Expected backlog over the next 21 days"),
        ("#chart-arrivals", "Incidents arriving each day"),
        ("#chart-completions", "Secondary assessments completed each day"),
    ):
        expect(supervisor.locator(f"{chart} figcaption")).to_have_text(title)
        expect(supervisor.locator(chart).get_by_role("img", name=title)).to_be_visible()
    expect(supervisor.locator("#forecast-table tbody tr")).to_have_count(21)
    per_day = supervisor.locator("#per-day-table tbody tr")
    expect(per_day).to_have_count(28)
    expect(per_day.last.locator("td")).to_have_text(["2", "1"])  # today: 2 arrived, 1 done
    check(supervisor, watch, f"Triage capacity [{boss}]")

    supervisor.get_by_label("Warn when the backlog reaches").fill("1")
    supervisor.get_by_role("button", name="Show forecast").click()
    expect(supervisor.locator("#backlog-warning")).to_contain_text(
        "The backlog is already 1, at or above the threshold of 1."
    )
    check(supervisor, watch, f"Triage capacity, over the threshold [{boss}]")


def test_encompass_desk_notifies_the_school_and_the_dsl_acknowledges(
    desks: Desks, watch: JourneyProblems, household: Household, e2e_server: E2EServer
) -> None:
    household.require("reference", "attended_at", "due_at")
    assert household.attended_at is not None and household.due_at is not None
    due = household.due_at
    who = ENCOMPASS.username

    # --- The desk: the pupil's notification, due before the school's next school-day start.
    encompass = desks(ENCOMPASS)
    service_nav(encompass).get_by_role("link", name="Operation Encompass", exact=True).click()
    expect(encompass.locator("h1")).to_have_text("Operation Encompass")
    row = encompass.locator("#due tbody tr").filter(has_text=PUPIL.full_name)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(SCHOOL_NAME)
    expect(cells.nth(1)).to_have_text(desk_time(household.attended_at))
    expect(cells.nth(2)).to_contain_text(desk_time(due))
    on_time = due > london_now()
    expect(cells.nth(2).locator(".govuk-tag")).to_have_text(
        re.compile(r"^due in " if on_time else r"^overdue by ")
    )
    expect(cells.nth(3)).to_have_text("To review and send")
    # The toddler (aged 2) is not notified.
    expect(encompass.locator("#due")).not_to_contain_text(TODDLER.full_name)
    check(encompass, watch, f"Operation Encompass, one due [{who}]")

    row.get_by_role("link", name=PUPIL.full_name).click()
    expect(encompass).to_have_url(NOTIFICATION_URL)
    household.notification_url = encompass.url
    expect(encompass.locator("h1")).to_have_text(PUPIL.full_name)
    expect(encompass.locator("#notification-status")).to_have_text("To review and send")
    expect(summary_value(encompass, "#notification-times", "Due")).to_contain_text(
        f"{long_time(due)}, before the start of the next school day"
    )
    expect(summary_value(encompass, "#notification-recipients", "School")).to_contain_text(
        f"{SCHOOL_NAME} URN {SCHOOL_URN}"
    )
    expect(encompass.locator("#key-adults li")).to_have_text(
        [re.compile(r"^Priya Patel, "), re.compile(r"^Tom Hughes, ")]
    )
    content = "#notification-content"
    expect(summary_value(encompass, content, "Child\u2019s name")).to_have_text(PUPIL.full_name)
    expect(summary_value(encompass, content, "Date of birth")).to_have_text(
        f"{PUPIL.date_of_birth.day} {PUPIL.date_of_birth:%B %Y}"
    )
    expect(summary_value(encompass, content, "Police reference")).to_have_text(household.reference)
    expect(summary_value(encompass, content, "Was the child present?")).to_have_text(
        "Yes: On the stairs"
    )
    expect(summary_value(encompass, content, "Voice of the child")).to_have_text(
        f'Spoken to (spoken to alone). Said: "{PUPIL_SAID}". Seemed: {PUPIL_SEEMED}.'
    )
    # Written for the school by the officer: never prefilled from the officer's account.
    circumstances = encompass.get_by_label("Brief circumstances for the school")
    expect(circumstances).to_have_value("")
    check(encompass, watch, f"Operation Encompass notification, to review [{who}]")

    # Nothing written for the school is refused; then previewed, then sent.
    encompass.get_by_role("button", name="Preview what will be sent").click()
    expect_error_summary(encompass, "Enter brief circumstances for the school")
    check(encompass, watch, f"Operation Encompass notification, with an error [{who}]")
    encompass.get_by_label("Brief circumstances for the school").fill(
        "Police attended a domestic incident at home last night. Maya saw an argument between "
        "the adults. She may be tired and upset today."
    )
    encompass.get_by_role("button", name="Preview what will be sent").click()
    expect(encompass.get_by_role("heading", name="Check what will be sent")).to_be_visible()
    expect(encompass.locator("#preview-subject")).to_have_text("Operation Encompass notification")
    expect(encompass.locator("#school-view")).to_contain_text("She may be tired and upset today.")
    check(encompass, watch, f"Operation Encompass notification, preview [{who}]")
    encompass.get_by_role("button", name="Send notification").click()
    expect(success_banner(encompass)).to_contain_text(f"Notification sent to {SCHOOL_NAME}")
    expect(encompass).to_have_url(household.notification_url)
    # In the outbox until the worker delivers the email, then sent.
    expect(encompass.locator("#notification-status")).to_have_text(re.compile(r"^(Sending|Sent)$"))
    expect(summary_value(encompass, "#notification-times", "Sent to the outbox")).to_contain_text(
        f"by {ENCOMPASS.name}"
    )

    # --- The email to the DSL's secure address: a link, nothing about the child.
    mail = wait_for_mail(e2e_server, DSL_EMAIL)
    assert mail["Subject"] == "Operation Encompass notification"
    body = str(mail.get_payload())
    for detail in (
        PUPIL.given_names,
        PUPIL.family_name,
        household.reference,
        PUPIL.date_of_birth.isoformat(),
        "Linden Close",
        "stairs",
    ):
        assert detail not in body, (detail, body)
    found = re.search(r"/encompass/received/(\d+)/", body)
    assert found, body
    household.received_url = found.group(0)
    assert household.notification_url.endswith(f"/encompass/notifications/{found.group(1)}/")

    for _ in range(30):  # the worker marks it sent just after the SMTP sink takes the email
        encompass.reload()
        if encompass.locator("#notification-status").inner_text().strip() == "Sent":
            break
        encompass.wait_for_timeout(500)
    expect(encompass.locator("#notification-status")).to_have_text("Sent")
    expect(summary_value(encompass, "#notification-times", "Read receipt")).to_have_text(
        "Not yet read"
    )
    expect(summary_value(encompass, "#notification-times", "Due")).to_contain_text(
        "met" if on_time else "met late"
    )
    expect(encompass.get_by_role("button", name="Send notification")).to_have_count(0)
    expect(encompass.get_by_role("button", name="Preview what will be sent")).to_have_count(0)
    check(encompass, watch, f"Operation Encompass notification, sent [{who}]")

    encompass.get_by_role("link", name="Back to Operation Encompass").click()
    expect(encompass.locator("#due-empty")).to_contain_text(
        "No notification is due before tomorrow\u2019s school start."
    )
    unread = encompass.get_by_role("tab", name="Not yet read (1)")
    expect(unread).to_have_attribute("aria-selected", "true")
    expect(encompass.locator("#table-sent-unread tbody tr")).to_contain_text([PUPIL.full_name])
    check(encompass, watch, f"Operation Encompass, one sent unread [{who}]")

    # --- The DSL: their notifications, the notification (the read receipt), acknowledged.
    partner = desks(PARTNER)
    dsl = PARTNER.username
    service_nav(partner).get_by_role("link", name="Encompass notifications", exact=True).click()
    expect(partner.locator("h1")).to_have_text("Operation Encompass notifications")
    received = partner.locator("#received tbody tr").filter(has_text=PUPIL.full_name)
    expect(received).to_have_count(1)
    expect(received.locator("td").nth(0)).to_have_text(SCHOOL_NAME)
    expect(received.locator(".govuk-tag")).to_have_text("New")
    check(partner, watch, f"Encompass notifications, one new [{dsl}]")
    received.get_by_role("link", name=PUPIL.full_name).click()
    expect(partner).to_have_url(re.compile(re.escape(household.received_url) + "$"))
    expect(partner.locator("h1")).to_have_text(PUPIL.full_name)
    expect(partner.locator(".govuk-caption-l")).to_have_text(
        f"Operation Encompass notification for {SCHOOL_NAME}"
    )
    expect(summary_value(partner, "#notification-content", "Police reference")).to_have_text(
        household.reference
    )
    expect(summary_value(partner, "#notification-content", "Brief circumstances")).to_contain_text(
        "She may be tired and upset today."
    )
    expect(summary_value(partner, "#received-times", "First read")).to_have_text(
        re.compile(r"\d{4}, \d{2}:\d{2}$")
    )
    expect(summary_value(partner, "#received-times", "Acknowledged")).to_have_text("Not yet")
    check(partner, watch, f"Encompass notification, read [{dsl}]")

    # The desk sees the read receipt.
    encompass.reload()
    encompass.get_by_role("tab", name="Read, not acknowledged (1)").click()
    expect(encompass.locator("#table-read tbody tr")).to_contain_text([PUPIL.full_name])
    check(encompass, watch, f"Operation Encompass, one read [{who}]")

    partner.get_by_role("button", name="Acknowledge").click()
    expect(success_banner(partner)).to_contain_text("Notification acknowledged")
    expect(summary_value(partner, "#received-times", "Acknowledged")).to_have_text(
        re.compile(r"\d{4}, \d{2}:\d{2}$")
    )
    expect(partner.get_by_role("button", name="Acknowledge")).to_have_count(0)
    check(partner, watch, f"Encompass notification, acknowledged [{dsl}]")
    partner.get_by_role("link", name="Back to your notifications").click()
    expect(received.locator(".govuk-tag")).to_have_text("Acknowledged")
    check(partner, watch, f"Encompass notifications, one acknowledged [{dsl}]")

    # --- The desk: acknowledged.
    encompass.reload()
    encompass.get_by_role("tab", name="Acknowledged (1)").click()
    acknowledged = encompass.locator("#table-acknowledged tbody tr").filter(
        has_text=PUPIL.full_name
    )
    expect(acknowledged).to_have_count(1)
    expect(acknowledged.locator("td").nth(3)).not_to_have_text("Not yet")
    expect(encompass.get_by_role("tab", name="Read, not acknowledged (0)")).to_be_visible()
    check(encompass, watch, f"Operation Encompass, one acknowledged [{who}]")
    acknowledged.get_by_role("link", name=PUPIL.full_name).click()
    expect(encompass.locator("#notification-status")).to_have_text("Acknowledged")
    expect(summary_value(encompass, "#notification-times", "Read receipt")).to_contain_text(
        f"by {PARTNER.name}"
    )
    expect(summary_value(encompass, "#notification-times", "Acknowledged")).to_contain_text(
        f"by {PARTNER.name}"
    )
    check(encompass, watch, f"Operation Encompass notification, acknowledged [{who}]")

    # --- A partner who is not one of the school's key adults sees none of it.
    rhi = desks(RHI)
    service_nav(rhi).get_by_role("link", name="Encompass notifications", exact=True).click()
    expect(rhi.locator("#received-empty")).to_contain_text(
        "You have no Operation Encompass notifications"
    )
    expect(rhi.locator("main")).not_to_contain_text(PUPIL.family_name)
    check(rhi, watch, f"Encompass notifications, none [{RHI.username}]")
    watch.expected_status = 404
    try:
        response = rhi.goto(household.received_url)
        assert response is not None and response.status == 404
        expect(rhi.locator("h1")).to_have_text("Page not found")
        expect(rhi.locator("main")).not_to_contain_text(PUPIL.family_name)
        check(rhi, watch, f"Encompass notification, not disclosed [{RHI.username}]")
    finally:
        watch.expected_status = None
