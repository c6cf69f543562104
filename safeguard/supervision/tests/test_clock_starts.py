"""Each case clock starts at the event docs/clocks.md names, not when the form was saved; and
the child-seen clock waits for every subject child.

- case.triage and case.child_seen: when the referral was RECEIVED (`received_at`), even when
  the referral is entered 9 hours later, and whatever zone the time was typed in;
- supervision.initial_review: when the case is allocated;
- supervision.periodic_review: at the previous review.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safeguard.cases.models import Case
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.services import (
    case_add_person,
    case_record_child_seen,
    case_triage,
    voice_record,
)
from safeguard.cases.tests.builders import TRIAGED_AS, a_case, a_person, heard, make_cast
from safeguard.core.calendars import add_working_days
from safeguard.core.models import ClockState, TimelineEvent
from safeguard.supervision.services import case_allocate, review_record

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
# Saved on Wednesday 8 July 2026 at 07:38 London (06:38 UTC, BST); the referral came in at
# 22:38 London the evening before: 9 hours earlier, typed on the page in London time.
SAVED = datetime(2026, 7, 8, 6, 38, tzinfo=UTC)
RECEIVED_LONDON = (SAVED - 9 * H).astimezone(LONDON)
Status = ClockState.Status


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def officer(cast):
    return cast.actor(cast.officer)


def clock(case: Case, name: str) -> ClockState:
    return ClockState.objects.get(object_type="case", object_id=case.pk, name=name)


def _backdated_case(cast, grade: str = "high") -> Case:
    child = a_person(cast.actor(cast.officer), now=SAVED - timedelta(days=30))
    return a_case(
        cast.actor(cast.officer),
        cast.unit,
        child,
        received_at=RECEIVED_LONDON,
        risk_grade=grade,
        now=SAVED,
    )


def test_clock_start_case_triage_is_the_referral_received_not_the_save(cast):
    case = _backdated_case(cast)
    triage = clock(case, "case.triage")
    assert triage.started_at == SAVED - 9 * H
    assert triage.due_at == add_working_days(SAVED - 9 * H, 1)
    received = TimelineEvent.objects.get(case_id=case.pk, kind="case.received")
    assert received.at == SAVED - 9 * H


def test_clock_start_case_child_seen_is_the_referral_received_not_the_save(cast):
    case = _backdated_case(cast, grade="high")
    seen = clock(case, "case.child_seen")
    # High risk: 24 elapsed hours from the referral, so 15 hours are left at the save.
    assert (seen.started_at, seen.due_at) == (SAVED - 9 * H, SAVED + 15 * H)
    assert seen.status == Status.RUNNING


def test_clock_start_supervision_initial_review_is_the_allocation(cast):
    case = _backdated_case(cast)
    case = case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=SAVED + H,
    )
    allocated_at = SAVED + 2 * H
    case_allocate(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        version=case.version,
        owner_id=cast.investigator.pk,
        now=allocated_at,
    )
    initial = clock(case, "supervision.initial_review")
    assert (initial.started_at, initial.due_at) == (allocated_at, allocated_at + 24 * H)


def test_clock_start_supervision_periodic_review_is_the_previous_review(cast):
    case = _backdated_case(cast)
    case = case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=SAVED + H,
    )
    case = case_allocate(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        version=case.version,
        owner_id=cast.investigator.pk,
        now=SAVED + 2 * H,
    )
    reviewed_at = SAVED + 5 * H
    review_record(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        findings="Plan agreed",
        direction="See the child at school",
        now=reviewed_at,
    )
    periodic = clock(case, "supervision.periodic_review")
    assert (periodic.started_at, periodic.due_at) == (reviewed_at, reviewed_at + 28 * 24 * H)
    case.refresh_from_db()
    assert case.next_review_due_at == reviewed_at + 28 * 24 * H


def test_a_directed_review_date_is_due_at_the_end_of_that_day_in_london(cast):
    case = _backdated_case(cast)
    case = case_triage(
        **TRIAGED_AS,
        actor=cast.actor(cast.officer),
        case_id=case.pk,
        version=case.version,
        now=SAVED + H,
    )
    case = case_allocate(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        version=case.version,
        owner_id=cast.investigator.pk,
        now=SAVED + 2 * H,
    )
    review_record(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        findings="Plan agreed",
        direction="Review after the strategy meeting",
        next_review_on=datetime(2026, 7, 15).date(),
        now=SAVED + 5 * H,
    )
    case.refresh_from_db()
    # 23:59 on 15 July in London (BST) is 22:59 UTC.
    assert case.next_review_due_at == datetime(2026, 7, 15, 22, 59, tzinfo=UTC)


# --- the child-seen clock waits for every subject child ----------------------------------------


def _seen(at: datetime) -> VoiceInput:
    return heard(seen_at=at)


def test_the_child_seen_clock_is_met_when_every_subject_child_is_seen_at_the_later_time(cast):
    officer = cast.actor(cast.officer)
    received = SAVED - 9 * H
    ava = a_person(officer, "Ava", "Hale", now=received - timedelta(days=1))
    ben = a_person(officer, "Ben", "Hale", now=received - timedelta(days=1))
    cara = a_person(officer, "Cara", "Hale", now=received - timedelta(days=1))
    case = a_case(officer, cast.unit, ava, received_at=received, risk_grade="medium", now=SAVED)
    case_add_person(actor=officer, case_id=case.pk, person_id=ben.pk, role="subject", now=SAVED)
    # A sibling (not a subject) seen first does not count.
    case_add_person(actor=officer, case_id=case.pk, person_id=cara.pk, role="sibling", now=SAVED)
    voice_record(
        actor=officer, case_id=case.pk, child_id=cara.pk, voice=_seen(SAVED), now=SAVED + H
    )
    assert clock(case, "case.child_seen").met_at is None

    # Ben is seen later than Ava, but recorded first.
    voice_record(
        actor=officer,
        case_id=case.pk,
        child_id=ben.pk,
        voice=_seen(SAVED + 3 * H),
        now=SAVED + 4 * H,
    )
    assert clock(case, "case.child_seen").met_at is None
    voice_record(
        actor=officer, case_id=case.pk, child_id=ava.pk, voice=_seen(SAVED + H), now=SAVED + 5 * H
    )
    seen = clock(case, "case.child_seen")
    assert (seen.met_at, seen.status) == (SAVED + 3 * H, Status.MET)
    case.refresh_from_db()
    assert case.subjects_seen_at == SAVED + 3 * H


def test_a_new_subject_child_reopens_the_clock_and_a_found_missing_child_counts_as_seen(cast):
    officer = cast.actor(cast.officer)
    received = SAVED - 9 * H
    ava = a_person(officer, "Ava", "Hale", now=received - timedelta(days=1))
    ben = a_person(officer, "Ben", "Hale", now=received - timedelta(days=1))
    dan = a_person(officer, "Dan", "Hale", now=received - timedelta(days=1))
    case = a_case(officer, cast.unit, ava, received_at=received, risk_grade="medium", now=SAVED)
    case_add_person(actor=officer, case_id=case.pk, person_id=ben.pk, role="subject", now=SAVED)
    for child in (ava, ben):
        voice_record(
            actor=officer, case_id=case.pk, child_id=child.pk, voice=_seen(SAVED), now=SAVED + H
        )
    assert clock(case, "case.child_seen").met_at == SAVED

    # A third subject child: the clock runs again until they are seen too.
    case_add_person(
        actor=officer, case_id=case.pk, person_id=dan.pk, role="subject", now=SAVED + 2 * H
    )
    reopened = clock(case, "case.child_seen")
    assert (reopened.met_at, reopened.status) == (None, Status.RUNNING)
    case.refresh_from_db()
    assert case.subjects_seen_at is None

    # Dan was missing; found with his condition recorded, he has been seen.
    found_at = SAVED + 6 * H
    case_record_child_seen(
        actor=officer,
        case_id=case.pk,
        child_id=dan.pk,
        seen_at=found_at,
        how="Found at a friend's address; condition recorded",
        now=SAVED + 7 * H,
    )
    met = clock(case, "case.child_seen")
    assert (met.met_at, met.status) == (found_at, Status.MET)
    case.refresh_from_db()
    assert case.subjects_seen_at == found_at
