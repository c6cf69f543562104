"""The four case clocks through the real services: when each falls due, what meets it, what
cancels it; and where people see them: the API, the case page, My work, Team and Duty."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from safeguard.cases.models import Case
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.services import case_request_closure, case_triage, voice_record
from safeguard.cases.tests.builders import (
    NOW,
    RECEIVED,
    TRIAGED_AS,
    a_case,
    a_person,
    allocated,
    awaiting_closure,
    heard,
    investigating,
    make_cast,
)
from safeguard.core.models import ClockState
from safeguard.supervision.selectors import policy_for
from safeguard.supervision.services import (
    PolicyInput,
    closure_approve,
    policy_update,
    review_record,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

Status = ClockState.Status
H = timedelta(hours=1)
# Tuesday 10 March 2026, 09:00 UTC (GMT): a working week with no bank holiday.
TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def child(cast):
    return a_person(cast.actor(cast.officer), now=TUESDAY - timedelta(days=30))


def _new_case(cast, child, received: datetime = TUESDAY, grade: str = "medium", **changes):
    return a_case(
        cast.actor(cast.officer),
        cast.unit,
        child,
        now=received + H,
        received_at=received,
        risk_grade=grade,
        **changes,
    )


def clock(case: Case, name: str) -> ClockState:
    return ClockState.objects.get(object_type="case", object_id=case.pk, name=name)


def names(case: Case) -> set[str]:
    return set(
        ClockState.objects.filter(object_type="case", object_id=case.pk).values_list(
            "name", flat=True
        )
    )


# --- when they fall due -----------------------------------------------------------------------


def test_a_new_case_has_the_triage_and_child_seen_clocks(cast, child) -> None:
    case = _new_case(cast, child)
    assert names(case) == {"case.triage", "case.child_seen"}
    triage = clock(case, "case.triage")
    assert triage.due_at == TUESDAY + timedelta(days=1)  # 1 working day
    assert triage.started_at == TUESDAY
    assert (triage.status, triage.met_at) == (Status.RUNNING, None)
    assert triage.owner_id == cast.officer.pk
    assert triage.unit_id == cast.unit.pk
    assert triage.force_id == cast.officer.force_id
    assert triage.high_risk is False
    assert triage.next_escalation_at == triage.due_at - 2 * H


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # A Friday referral is due on Monday at the same time.
        (datetime(2026, 3, 13, 10, 0, tzinfo=UTC), datetime(2026, 3, 16, 10, 0, tzinfo=UTC)),
        # Thursday before Easter (BST): Good Friday and Easter Monday are skipped.
        (datetime(2026, 4, 2, 9, 0, tzinfo=UTC), datetime(2026, 4, 7, 9, 0, tzinfo=UTC)),
        # Christmas Eve 2026 (Thursday): Christmas Day, the weekend, Boxing Day substitute.
        (datetime(2026, 12, 24, 15, 0, tzinfo=UTC), datetime(2026, 12, 29, 15, 0, tzinfo=UTC)),
        # A Saturday referral: the whole of Monday, so due Tuesday 00:00 London.
        (datetime(2026, 3, 14, 11, 0, tzinfo=UTC), datetime(2026, 3, 17, 0, 0, tzinfo=UTC)),
    ],
)
def test_triage_is_due_one_working_day_later(cast, child, received, due) -> None:
    case = _new_case(cast, child, received=received)
    assert clock(case, "case.triage").due_at == due


@pytest.mark.parametrize(
    ("grade", "due"),
    [
        ("high", TUESDAY + timedelta(hours=24)),
        ("medium", datetime(2026, 3, 13, 9, 0, tzinfo=UTC)),  # 3 working days: Friday
        ("standard", datetime(2026, 3, 17, 9, 0, tzinfo=UTC)),  # 5 working days: next Tuesday
    ],
)
def test_child_seen_is_due_by_grade(cast, child, grade, due) -> None:
    case = _new_case(cast, child, grade=grade)
    seen = clock(case, "case.child_seen")
    assert seen.due_at == due
    assert seen.high_risk is (grade == "high")


def test_a_policy_change_changes_the_next_derivation(cast, child) -> None:
    admin = cast.actor(cast.admin)
    policy_update(
        actor=admin,
        version=policy_for(admin.force_id).version,
        data=PolicyInput(
            initial_review_hours=24,
            periodic_review_days=28,
            child_seen_high_hours=8,
            child_seen_medium_days=1,
            child_seen_standard_days=10,
        ),
        now=TUESDAY - H,
    )
    high = _new_case(cast, child, grade="high")
    medium = _new_case(cast, child, grade="medium")
    standard = _new_case(cast, child, grade="standard")
    assert clock(high, "case.child_seen").due_at == TUESDAY + 8 * H
    assert clock(medium, "case.child_seen").due_at == TUESDAY + timedelta(days=1)
    assert clock(standard, "case.child_seen").due_at == datetime(2026, 3, 24, 9, tzinfo=UTC)


# --- what meets them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "status"),
    [(timedelta(hours=23), Status.MET), (timedelta(hours=24), Status.MET), (25 * H, "met_late")],
)
def test_triage_meets_the_triage_clock(cast, child, after, status) -> None:
    case = _new_case(cast, child)
    case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=TUESDAY + after,
    )
    triage = clock(case, "case.triage")
    assert (triage.met_at, triage.status) == (TUESDAY + after, status)
    assert triage.next_escalation_at is None
    assert clock(case, "case.child_seen").met_at is None


def test_triage_under_time_machine_meets_it_late(cast, child) -> None:
    case = _new_case(cast, child)
    with time_machine.travel(TUESDAY + timedelta(days=2), tick=False):
        from django.utils import timezone

        case_triage(
            **TRIAGED_AS,
            actor=cast.actor(cast.officer),
            case_id=case.pk,
            version=case.version,
            now=timezone.now(),
        )
    assert clock(case, "case.triage").status == Status.MET_LATE


@pytest.mark.parametrize(
    ("seen_after", "status"), [(5 * H, Status.MET), (timedelta(days=4), Status.MET_LATE)]
)
def test_seeing_the_child_meets_the_child_seen_clock(cast, child, seen_after, status) -> None:
    case = investigating(cast, _new_case(cast, child), now=TUESDAY + 2 * H)
    seen_at = TUESDAY + seen_after
    voice_record(
        actor=cast.actor(cast.investigator),
        case_id=case.pk,
        child_id=child.pk,
        voice=heard(seen_at=seen_at),
        now=seen_at + H,
    )
    seen = clock(case, "case.child_seen")
    assert (seen.met_at, seen.status, seen.next_escalation_at) == (seen_at, status, None)


def test_a_child_not_seen_leaves_the_clock_running(cast, child) -> None:
    case = investigating(cast, _new_case(cast, child), now=TUESDAY + 2 * H)
    voice = heard()
    not_seen = type(voice)(
        seen=False,
        seen_at=None,
        spoken_to=False,
        spoken_to_alone=False,
        child_said="",
        demeanour="",
        not_seen_reason="Family not at home; card left",
    )
    voice_record(
        actor=cast.actor(cast.investigator),
        case_id=case.pk,
        child_id=child.pk,
        voice=not_seen,
        now=TUESDAY + 5 * H,
    )
    assert clock(case, "case.child_seen").met_at is None


def test_allocation_starts_the_initial_review_and_a_review_meets_it(cast, child) -> None:
    allocated_at = TUESDAY + 2 * H
    case = allocated(cast, _new_case(cast, child), now=allocated_at)
    initial = clock(case, "supervision.initial_review")
    assert (initial.started_at, initial.due_at) == (allocated_at, allocated_at + 24 * H)
    assert initial.status == Status.RUNNING
    assert initial.owner_id == cast.investigator.pk  # the new owner
    assert clock(case, "case.triage").owner_id == cast.investigator.pk
    assert "supervision.periodic_review" not in names(case)

    reviewed_at = allocated_at + 30 * H
    review_record(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        findings="Plan is sound",
        direction="See the child at school this week",
        now=reviewed_at,
    )
    initial = clock(case, "supervision.initial_review")
    assert (initial.met_at, initial.status) == (reviewed_at, Status.MET_LATE)
    periodic = clock(case, "supervision.periodic_review")
    assert periodic.started_at == reviewed_at
    assert periodic.due_at == reviewed_at + timedelta(days=28)
    assert periodic.met_at is None

    # The next review restarts the periodic clock from itself.
    second = reviewed_at + timedelta(days=10)
    review_record(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        findings="Progressing",
        direction="Strategy meeting next week",
        now=second,
    )
    periodic = clock(case, "supervision.periodic_review")
    assert (periodic.started_at, periodic.due_at) == (second, second + timedelta(days=28))
    assert clock(case, "supervision.initial_review").met_at == reviewed_at


def test_a_review_within_the_interval_meets_the_initial_review(cast, child) -> None:
    case = allocated(cast, _new_case(cast, child), now=TUESDAY + 2 * H)
    review_record(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        findings="Plan is sound",
        direction="Carry on",
        now=TUESDAY + 3 * H,
    )
    assert clock(case, "supervision.initial_review").status == Status.MET


def test_closing_cancels_the_unmet_clocks(cast, child) -> None:
    at = NOW  # awaiting_closure records the child seen at RECEIVED + 3 h
    case = awaiting_closure(cast, _new_case(cast, child, RECEIVED, "high"), child, now=at)
    closure_approve(
        actor=cast.actor(cast.supervisor_2),
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        findings="Child seen and heard; safety plan agreed",
        direction="",
        now=at + H,
    )
    statuses = {
        row.name: row.status
        for row in ClockState.objects.filter(object_type="case", object_id=case.pk)
    }
    assert statuses["case.triage"] == Status.MET_LATE  # triaged 2 days after referral
    assert statuses["case.child_seen"] == Status.MET
    assert statuses["supervision.initial_review"] == Status.MET  # by the closure review
    assert statuses["supervision.periodic_review"] in (Status.MET, Status.CANCELLED)
    assert not ClockState.objects.filter(
        object_type="case", object_id=case.pk, next_escalation_at__isnull=False
    ).exists()


def test_closing_cancels_an_unmet_review_clock(cast, child) -> None:
    """Allocated, never reviewed before closure: the closure review meets the first review
    clock; the child-seen clock was met by the voice; nothing is left to escalate."""
    at = NOW
    case = awaiting_closure(cast, _new_case(cast, child, RECEIVED), child, now=at)
    assert clock(case, "supervision.initial_review").met_at is None
    closure_approve(
        actor=cast.actor(cast.supervisor_2),
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        findings="Done",
        direction="",
        now=at + H,
    )
    open_rows = ClockState.objects.filter(
        object_type="case", object_id=case.pk, status__in=(Status.RUNNING, Status.BREACHED)
    )
    assert not open_rows.exists()


def _not_seen():
    return VoiceInput(
        seen=False,
        seen_at=None,
        spoken_to=False,
        spoken_to_alone=False,
        child_said="",
        demeanour="",
        not_seen_reason="Family moved abroad before a visit could be made",
    )


def test_closing_with_the_child_not_seen_cancels_the_child_seen_clock(cast, child) -> None:
    case = investigating(cast, _new_case(cast, child, RECEIVED), now=NOW)
    owner = cast.actor(cast.investigator)
    voice_record(actor=owner, case_id=case.pk, child_id=child.pk, voice=_not_seen(), now=NOW)
    case = case_request_closure(
        actor=owner,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        reason="No further police action",
        now=NOW,
    )
    closure_approve(
        actor=cast.actor(cast.supervisor_2),
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        findings="Referred to the receiving authority",
        direction="",
        now=NOW + H,
    )
    seen = clock(case, "case.child_seen")
    assert (seen.status, seen.met_at, seen.next_escalation_at) == (Status.CANCELLED, None, None)


# --- where people see them --------------------------------------------------------------------


def _client(user) -> Client:
    return sign_in(Client(), user)


def test_the_api_lists_the_clocks(cast, child, make_api_client) -> None:
    case = _new_case(cast, child, grade="high")
    case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=TUESDAY + 2 * H,
    )
    with time_machine.travel(TUESDAY + 30 * H, tick=False):
        response = make_api_client(cast.officer).get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200, response.content
    clocks = {c["name"]: c for c in response.json()["clocks"]}
    assert set(clocks) == {"case.triage", "case.child_seen"}
    assert all(set(c) == {"name", "due_at", "met_at", "status"} for c in clocks.values())
    for c in clocks.values():  # ISO 8601 with an offset ("Z" or "+00:00")
        assert re.search(r"(Z|[+-]\d\d:\d\d)$", c["due_at"]), c["due_at"]
    triage, seen = clocks["case.triage"], clocks["case.child_seen"]
    assert datetime.fromisoformat(triage["due_at"]) == datetime(2026, 3, 11, 9, tzinfo=UTC)
    assert datetime.fromisoformat(triage["met_at"]) == TUESDAY + 2 * H
    assert triage["status"] == "met"
    assert datetime.fromisoformat(seen["due_at"]) == datetime(2026, 3, 11, 9, tzinfo=UTC)
    assert seen["met_at"] is None
    assert seen["status"] == "breached"  # running in the table, but past its due time


def test_the_case_page_shows_the_tags(cast, child) -> None:
    case = _new_case(cast, child, grade="high")
    case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=TUESDAY + 2 * H,
    )
    with time_machine.travel(TUESDAY + timedelta(hours=24, minutes=40), tick=False):
        page = _client(cast.officer).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="case-clocks"' in html
    assert "Referral decision" in html and "Child seen and spoken to" in html
    assert "overdue by 40 minutes" in html
    assert ">met<" in html


def test_my_work_fragment_lists_only_my_clocks(cast, child) -> None:
    mine = _new_case(cast, child)
    theirs = a_case(
        cast.actor(cast.officer_2),
        cast.unit,
        child,
        now=TUESDAY + H,
        received_at=TUESDAY,
    )
    with time_machine.travel(TUESDAY + 22 * H, tick=False):
        response = _client(cast.officer).get("/?fragment=clocks")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment: the rows only
    assert f"/cases/{mine.pk}/" in html
    assert f"/cases/{theirs.pk}/" not in html
    assert "due in 2 hours" in html  # the triage clock
    with time_machine.travel(TUESDAY + 22 * H, tick=False):
        empty = _client(cast.investigator).get("/?fragment=clocks")
    assert "Nothing is due." in empty.content.decode()


def test_my_work_page_lists_my_clocks_soonest_first(cast, child) -> None:
    case = _new_case(cast, child, grade="standard")
    with time_machine.travel(TUESDAY + 2 * H, tick=False):
        html = _client(cast.officer).get("/").content.decode()
    assert html.index("Referral decision") < html.index("Child seen and spoken to")
    assert f"/cases/{case.pk}/" in html
    assert "data-live-src" in html


def test_team_shows_my_units_overdue_and_due_soon_only(cast, child, make_user) -> None:
    soon = _new_case(cast, child)  # triage due in under a day
    later = _new_case(cast, child, received=TUESDAY - timedelta(days=20))  # overdue
    elsewhere = a_case(
        cast.actor(cast.officer), cast.other_unit, child, now=TUESDAY + H, received_at=TUESDAY
    )
    with time_machine.travel(TUESDAY + 2 * H, tick=False):
        html = _client(cast.supervisor).get("/team/").content.decode()
        other = _client(cast.other_unit_supervisor).get("/team/").content.decode()
    assert f"/cases/{soon.pk}/" in html and f"/cases/{later.pk}/" in html
    assert f"/cases/{elsewhere.pk}/" not in html
    assert "overdue by" in html
    assert html.index(f"/cases/{later.pk}/") < html.index(f"/cases/{soon.pk}/")
    # The standard child-seen clock of `soon` (5 working days away) is not due soon.
    assert html.count(f"/cases/{soon.pk}/") == 1
    assert f"/cases/{elsewhere.pk}/" in other and f"/cases/{soon.pk}/" not in other


def test_duty_shows_high_risk_force_wide_overdue_first(
    cast, child, make_user, foreign_unit
) -> None:
    inspector = make_user("duty_inspector", units=[])
    low = _new_case(cast, child, grade="standard")
    fresh = _new_case(cast, child, grade="high")
    old = a_case(
        cast.actor(cast.officer),
        cast.other_unit,
        child,
        now=TUESDAY + H,
        received_at=TUESDAY - timedelta(days=3),
        risk_grade="high",
    )
    foreign_officer = make_user("officer", force=foreign_unit.force, units=[foreign_unit])
    foreign_actor = cast.actor(foreign_officer)
    foreign_child = a_person(foreign_actor, "Bea", "Other", now=TUESDAY - timedelta(days=30))
    foreign = a_case(
        foreign_actor,
        foreign_unit,
        foreign_child,
        now=TUESDAY + H,
        received_at=TUESDAY - timedelta(days=3),
        risk_grade="high",
    )
    with time_machine.travel(TUESDAY + 2 * H, tick=False):
        response = _client(inspector).get("/duty/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/cases/{fresh.pk}/" in html and f"/cases/{old.pk}/" in html
    assert f"/cases/{low.pk}/" not in html
    assert f"/cases/{foreign.pk}/" not in html
    assert html.index(f"/cases/{old.pk}/") < html.index(f"/cases/{fresh.pk}/")
    assert html.index("overdue by") < html.index("due in")
