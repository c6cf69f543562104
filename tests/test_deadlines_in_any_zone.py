"""A deadline is elapsed time in UTC, whatever zone its input came in: the same instant given as
UTC and as Europe/London, either side of both 2026 clock changes, stores the same deadlines
(the case clocks and the next supervisory review). The contexts' own stored deadlines (the
return home interview, Operation Encompass, MARAC) have the same property test beside them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.cases.services import CaseInput, case_create, case_triage
from safeguard.cases.tests.builders import TRIAGED_AS
from safeguard.core.models import ClockState
from safeguard.people.services import PersonInput, person_create
from safeguard.supervision.services import case_allocate, review_record

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# 29 March 2026 01:00 UTC (clocks go forward) and 25 October 2026 01:00 UTC (they go back).
CLOCK_CHANGES = (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC))
instants = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(min_value=-36 * 60, max_value=36 * 60),
)


def _deadlines(officer, supervisor, unit, child, instant: datetime, zone) -> tuple:
    """Receive, triage, allocate and review a case, every time given in `zone`. The times are
    worked out in UTC first: adding hours to a London wall clock is the very bug this finds."""

    def at(hours: float = 0) -> datetime:
        return (instant + timedelta(hours=hours)).astimezone(zone)

    case = case_create(
        actor=officer,
        data=CaseInput(
            case_type="abuse_neglect",
            source="school",
            risk_grade="medium",
            risk_rationale="Unexplained bruising",
            received_at=at(),
            unit_id=unit.pk,
            people=((child.pk, "subject"),),
        ),
        now=at(0.5),
    )
    case_triage(**TRIAGED_AS, actor=officer, case_id=case.pk, version=1, now=at(1))
    version = Case.objects.get(pk=case.pk).version
    case_allocate(
        actor=supervisor, case_id=case.pk, version=version, owner_id=officer.user_id, now=at(2)
    )
    review_record(
        actor=supervisor,
        case_id=case.pk,
        findings="Plan agreed",
        direction="Visit the school",
        now=at(3),
    )
    stored = Case.objects.get(pk=case.pk)
    clocks = dict(
        ClockState.objects.filter(object_type="case", object_id=case.pk).values_list(
            "name", "due_at"
        )
    )
    return stored.next_review_due_at, clocks


@pytest.fixture
def cast(make_user, unit):
    officer = actor_for(make_user("investigator", units=[unit]))
    return officer, actor_for(make_user("supervisor", units=[unit])), unit


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instant=instants)
def test_the_same_instant_in_utc_or_london_stores_the_same_case_deadlines(cast, instant):
    officer, supervisor, unit = cast
    child = person_create(
        actor=officer,
        data=PersonInput("Ava", "Stone", date(2015, 5, 5)),
        confirm_new=True,
        now=instant,
    )
    in_utc = _deadlines(officer, supervisor, unit, child, instant, UTC)
    in_london = _deadlines(officer, supervisor, unit, child, instant, LONDON)
    assert in_utc == in_london
    assert in_utc[1], "the case stored no clocks"
