"""Records named by reference and subject, people by full name; work lists sorted as they say;
the overdue filters are real checkboxes; triage records a decision (issue 12, sections 3, 5)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safeguard.cases.models import Case, Decision
from safeguard.cases.rules.naming import Subject, record_name
from safeguard.cases.selectors import case_names
from safeguard.cases.services import case_add_person
from safeguard.cases.tests.builders import a_case, a_person, make_cast
from safeguard.core.calendars import london_date
from safeguard.core.clocks import Recipient, clocks_sweep
from safeguard.core.models import AuditEntry, OutboxMessage, TimelineEvent
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
CASE_ID = re.compile(r"\b[Cc]ase \d+\b")
NOT_A_NAME = re.compile(r"\bcase \d+\b", re.IGNORECASE)


def test_a_record_is_named_by_reference_first_subject_and_age():
    one = [Subject("Benjamin Smith", 12)]
    assert record_name("CP-2026-000376", one) == "CP-2026-000376 Benjamin Smith (12)"
    three = [*one, Subject("Amy Smith", 9), Subject("Baby Smith", None)]
    assert record_name("CP-2026-000376", three) == "CP-2026-000376 Benjamin Smith (12) + 2 more"
    assert record_name("CP-2026-000376", [Subject("Baby Smith", None)]) == (
        "CP-2026-000376 Baby Smith"
    )
    assert record_name("CP-2026-000376", []) == "CP-2026-000376"


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


def client_of(user) -> Client:
    return sign_in(Client(), user)


def age_today(person) -> int:
    return person.age(london_date(timezone.now()))


def test_work_lists_name_the_case_child_owner_and_risk(cast, unit, make_user):
    officer = cast.actor(cast.officer)
    child = a_person(officer, "Benjamin", "Smith")
    sister = a_person(officer, "Amy", "Smith")
    case = a_case(officer, unit, child, risk_grade=Case.Grade.HIGH)
    case_add_person(
        actor=officer, case_id=case.pk, person_id=sister.pk, role="subject", now=timezone.now()
    )
    name = f"{case.reference} Benjamin Smith ({age_today(child)}) + 1 more"
    assert case_names([case.pk])[case.pk].display_name == name
    owner = cast.officer.get_full_name()

    pages = {
        "/": client_of(cast.officer),
        "/cases/": client_of(cast.officer),
        "/team/": client_of(cast.supervisor),
        "/duty/": client_of(make_user("duty_inspector")),
    }
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        shown = response.content.decode()
        assert name in shown, path
        assert owner in shown, path
        assert "High" in shown, path
        assert not NOT_A_NAME.search(shown), path
        assert cast.officer.username not in shown.split("<main")[1], path


def test_the_case_list_sorts_as_it_says(cast, unit):
    officer = cast.actor(cast.officer)
    now = timezone.now()
    old = a_case(
        officer,
        unit,
        a_person(officer, "Olive", "Old"),
        received_at=now - timedelta(days=3),
        now=now,
    )
    new = a_case(
        officer,
        unit,
        a_person(officer, "Nina", "New"),
        received_at=now - timedelta(hours=1),
        now=now,
    )
    high = a_case(
        officer,
        unit,
        a_person(officer, "Hal", "High"),
        received_at=now - timedelta(days=2),
        risk_grade=Case.Grade.HIGH,
        now=now,
    )
    client = client_of(cast.officer)

    def order(sort: str) -> list[str]:
        shown = client.get(f"/cases/?sort={sort}").content.decode()
        return re.findall(r"(Olive Old|Nina New|Hal High)", shown.split('id="case-list"')[1])

    assert order("newest") == ["Nina New", "Hal High", "Olive Old"]
    assert order("oldest") == ["Olive Old", "Hal High", "Nina New"]
    assert order("risk")[0] == "Hal High"
    assert order("reference") == [
        n
        for _, n in sorted(
            [
                (old.reference, "Olive Old"),
                (new.reference, "Nina New"),
                (high.reference, "Hal High"),
            ]
        )
    ]
    assert "newest referral first" in client.get("/cases/").content.decode()


def test_my_work_lists_cases_review_due_soonest_then_none(cast, unit):
    from safeguard.cases.tests.builders import allocated

    officer = cast.actor(cast.officer)
    now = timezone.now()
    later = allocated(
        cast,
        a_case(officer, unit, a_person(officer, "Lara", "Later"), now=now),
        to=cast.investigator,
        now=now,
    )
    sooner = allocated(
        cast,
        a_case(officer, unit, a_person(officer, "Sam", "Sooner"), now=now - timedelta(hours=5)),
        to=cast.investigator,
        now=now - timedelta(hours=5),
    )
    assert later.next_review_due_at > sooner.next_review_due_at
    # A case the investigator owns with no review due (made by them, not yet allocated).
    a_case(cast.actor(cast.investigator), unit, a_person(officer, "Nora", "None"), now=now)
    shown = client_of(cast.investigator).get("/").content.decode()
    table = shown.split('id="my-cases"')[1].split("</table>")[0]
    assert re.findall(r"(Lara Later|Sam Sooner|Nora None)", table) == [
        "Sam Sooner",
        "Lara Later",
        "Nora None",
    ]
    assert "review due soonest first" in shown


CHECKBOX = re.compile(
    r'<div class="govuk-checkboxes[^"]*" data-module="govuk-checkboxes">\s*'
    r'<div class="govuk-checkboxes__item">\s*'
    r'<input class="govuk-checkboxes__input" id="[^"]+" name="overdue" type="checkbox" '
    r'value="1"( checked)?>'
)


def test_only_overdue_is_a_real_checkbox_that_filters(cast, unit, make_user):
    officer = cast.actor(cast.officer)
    now = timezone.now()
    # Received two days ago: its one-working-day triage deadline has passed (or will soon).
    stale = a_case(
        officer,
        unit,
        a_person(officer, "Olly", "Overdue"),
        received_at=now - timedelta(days=6),
        risk_grade=Case.Grade.HIGH,
        now=now,
    )
    fresh = a_case(
        officer,
        unit,
        a_person(officer, "Fern", "Fresh"),
        received_at=now - timedelta(minutes=5),
        risk_grade=Case.Grade.HIGH,
        now=now,
    )
    clients = {
        "/team/": client_of(cast.supervisor),
        "/duty/": client_of(make_user("duty_inspector")),
    }
    for path, supervisor in clients.items():
        shown = supervisor.get(path).content.decode()
        found = CHECKBOX.search(shown)
        assert found and not found.group(1), path
        ticked = supervisor.get(f"{path}?overdue=1").content.decode()
        found = CHECKBOX.search(ticked)
        assert found and found.group(1) == " checked", path
        assert stale.reference in ticked and fresh.reference not in ticked, path
    assert fresh.reference in clients["/duty/"].get("/duty/").content.decode()
    listed = client_of(cast.officer).get("/cases/").content.decode()
    assert CHECKBOX.search(listed)
    assert 'class="govuk-input govuk-checkboxes__input"' not in listed
    ticked = client_of(cast.officer).get("/cases/?overdue=1").content.decode()
    assert CHECKBOX.search(ticked).group(1) == " checked"


def test_mark_as_triaged_asks_for_the_decision_and_its_reason(cast, unit):
    officer = cast.actor(cast.officer)
    case = a_case(officer, unit, a_person(officer))
    client = client_of(cast.officer)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/triage/"' in detail
    form = client.get(f"/cases/{case.pk}/triage/").content.decode()
    assert 'type="radio"' in form and "Section 47: strategy discussion and enquiries" in form
    assert "Early help" in form and "No further action" in form

    refused = client.post(f"/cases/{case.pk}/triage/", {"version": case.version})
    shown = refused.content.decode()
    assert refused.status_code == 200 and "govuk-error-summary" in shown
    assert "Choose the referral decision" in shown
    assert "Enter the reason for the referral decision" in shown
    assert Case.objects.get(pk=case.pk).status == "received"
    assert not Decision.objects.filter(case=case).exists()

    done = client.post(
        f"/cases/{case.pk}/triage/",
        {"version": case.version, "decision": "early_help", "reason": "Family asking for help"},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.referral_decision, case.referral_reason) == (
        "triaged",
        "early_help",
        "Family asking for help",
    )
    decision = Decision.objects.get(case=case)
    assert decision.decision == "Referral decision: Early help"
    assert decision.rationale == "Family asking for help"
    event = TimelineEvent.objects.get(case_id=case.pk, kind="case.triage")
    assert event.title == "Triaged: Early help" and event.description == "Family asking for help"
    entry = AuditEntry.objects.filter(
        object_type="case", object_id=str(case.pk), reason_code="triage"
    ).get()
    assert {"status", "referral_decision", "referral_reason", "decisions"} <= set(
        entry.changed_fields
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Family asking for help" in page and "Early help" in page
    # The timeline says who by full name, not username.
    timeline = client.get(f"/cases/{case.pk}/timeline/").content.decode()
    assert f"by {cast.officer.get_full_name()}" in timeline
    assert f"by {cast.officer.username}" not in timeline


def test_reallocating_through_the_page_keeps_the_status(cast, unit):
    from safeguard.cases.tests.builders import investigating

    officer = cast.actor(cast.officer)
    case = investigating(cast, a_case(officer, unit, a_person(officer)), now=timezone.now())
    client = client_of(cast.supervisor)
    assert "Re-allocate" in client.get(f"/cases/{case.pk}/").content.decode()
    done = client.post(
        f"/cases/{case.pk}/allocate/", {"owner": cast.officer_2.pk, "version": case.version}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.owner_id) == ("investigating", cast.officer_2.pk)


def test_escalation_alerts_and_emails_name_the_record(cast, unit):
    officer = cast.actor(cast.officer)
    child = a_person(officer, "Benjamin", "Smith")
    now = timezone.now()
    case = a_case(officer, unit, child, received_at=now - timedelta(days=6), now=now)
    clocks_sweep(
        now=now,
        resolve=lambda row, who: [Recipient(cast.officer.pk, "officer@police.example")],
    )
    messages = list(OutboxMessage.objects.filter(recipient_user_id=cast.officer.pk))
    assert messages
    name = f"{case.reference} Benjamin Smith ({age_today(child)})"
    for message in messages:
        assert name in message.subject and name in message.body
        assert not CASE_ID.search(message.body) and f"case {case.pk}" not in message.body
    shown = client_of(cast.officer).get("/alerts/").content.decode()
    assert name in shown
