"""Missing-child rules without a database: grading, dates, the return interview, repeats."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.missing.rules.episodes import (
    FOUND_BEFORE_MISSING,
    FOUND_IN_FUTURE,
    MISSING_IN_FUTURE,
    RHI_BEFORE_RETURN,
    episode_problems,
    indicator_trigger,
    repeat_trigger,
    return_interview_due,
    return_interview_problems,
)
from safeguard.missing.rules.grading import (
    LOWER_NEEDS_SUPERVISOR,
    RATIONALE_REQUIRED,
    Grade,
    Indicator,
    MissingFrom,
    RiskFactors,
    grade_problems,
    suggest_grade,
)

NOW = datetime(2026, 5, 1, 23, 10, tzinfo=UTC)
TEEN = RiskFactors(age_years=15, missing_from=MissingFrom.HOME)


@pytest.mark.parametrize(
    ("factors", "grade", "reason"),
    [
        (TEEN, Grade.NO_APPARENT_RISK, "no risk factor recorded"),
        (RiskFactors(15, MissingFrom.HOME, out_of_character=True), Grade.LOW, "out of character"),
        (RiskFactors(15, MissingFrom.CARE), Grade.MEDIUM, "missing from a care placement"),
        (
            RiskFactors(15, MissingFrom.HOME, indicators=frozenset({Indicator.PHONES})),
            Grade.MEDIUM,
            "exploitation indicator: multiple or secret phones",
        ),
        (
            RiskFactors(15, MissingFrom.HOME, episodes_in_last_90_days=2),
            Grade.MEDIUM,
            "2 earlier episodes in 90 days",
        ),
        (RiskFactors(11, MissingFrom.HOME), Grade.HIGH, "aged 11"),
        (
            RiskFactors(16, MissingFrom.HOME, self_harm_or_suicide_risk=True),
            Grade.HIGH,
            "risk of self-harm or suicide",
        ),
        (
            RiskFactors(16, MissingFrom.SCHOOL, urgent_medication_or_health_need=True),
            Grade.HIGH,
            "urgent medication or health need",
        ),
        (
            RiskFactors(16, MissingFrom.HOME, suspected_victim_of_crime=True),
            Grade.HIGH,
            "may be the victim of a crime",
        ),
        (
            RiskFactors(
                14,
                MissingFrom.HOME,
                indicators=frozenset({Indicator.MONEY_OR_GIFTS, Indicator.OLDER_ASSOCIATES}),
            ),
            Grade.HIGH,
            "2 exploitation indicators",
        ),
    ],
)
def test_the_suggested_grade_and_its_reasons(factors, grade, reason):
    suggestion = suggest_grade(factors)
    assert suggestion.grade == grade
    assert reason in suggestion.reasons


@given(
    age=st.integers(0, 17),
    where=st.sampled_from(list(MissingFrom)),
    flags=st.tuples(*[st.booleans()] * 4),
    indicators=st.frozensets(st.sampled_from(list(Indicator))),
    episodes=st.integers(0, 10),
)
def test_more_risk_never_lowers_the_suggestion(age, where, flags, indicators, episodes):
    """Adding any risk factor to any answers never suggests a lower grade."""
    harm, health, crime, odd = flags
    base = RiskFactors(age, where, harm, health, crime, odd, indicators, episodes)
    worse = RiskFactors(
        max(age - 1, 0), MissingFrom.CARE, True, health, crime, True, indicators, episodes + 1
    )
    assert suggest_grade(worse).grade.rank >= suggest_grade(base).grade.rank
    assert suggest_grade(base).reasons


@pytest.mark.parametrize("suggested", list(Grade))
@pytest.mark.parametrize("chosen", list(Grade))
@pytest.mark.parametrize("agreed", [True, False])
def test_choosing_a_grade_against_the_suggestion(suggested, chosen, agreed):
    problems = dict(
        grade_problems(
            suggested=suggested, chosen=chosen, rationale="Seen on CCTV", supervisor_agreed=agreed
        )
    )
    lower = chosen.rank < suggested.rank
    if lower and not agreed:
        assert problems == {
            "grade": LOWER_NEEDS_SUPERVISOR.format(suggested=suggested.label.lower())
        }
    else:
        assert problems == {}


def test_a_grade_always_needs_a_rationale():
    problems = grade_problems(
        suggested=Grade.HIGH, chosen=Grade.HIGH, rationale=" ", supervisor_agreed=True
    )
    assert problems == [("rationale", RATIONALE_REQUIRED)]


def test_found_before_going_missing_is_refused():
    seen = NOW - timedelta(hours=5)
    assert episode_problems(last_seen_at=seen, found_at=seen - timedelta(minutes=1), now=NOW) == [
        ("found_at", FOUND_BEFORE_MISSING)
    ]
    assert episode_problems(last_seen_at=seen, found_at=NOW + timedelta(minutes=1), now=NOW) == [
        ("found_at", FOUND_IN_FUTURE)
    ]
    assert episode_problems(last_seen_at=NOW + timedelta(hours=1), found_at=None, now=NOW) == [
        ("last_seen_at", MISSING_IN_FUTURE)
    ]
    assert episode_problems(last_seen_at=seen, found_at=seen, now=NOW) == []


def test_the_return_interview_is_after_the_return_and_due_within_72_hours():
    returned = NOW
    assert return_interview_due(returned) == returned + timedelta(hours=72)
    assert return_interview_problems(
        returned_at=returned, interview_at=returned - timedelta(hours=1)
    ) == [("interview_at", RHI_BEFORE_RETURN)]
    assert return_interview_problems(returned_at=returned, interview_at=returned) == []


def _d(day: str) -> datetime:
    return datetime.strptime(f"2026 {day} 12:00", "%Y %d %b %H:%M").replace(tzinfo=UTC)


def test_the_repeat_trigger_names_the_episodes_in_plain_words():
    trigger = repeat_trigger([_d("2 Mar"), _d("20 Mar")], latest=_d("1 May"))
    assert trigger is not None and trigger.kind == "repeat"
    assert trigger.reason == "3rd episode in 90 days: 2 Mar, 20 Mar, 1 May"


@pytest.mark.parametrize(
    ("earlier", "fires"),
    [
        ([], False),
        ([_d("20 Mar")], False),  # 2 episodes: below the threshold
        ([_d("30 Jan"), _d("20 Mar")], False),  # 30 Jan is 91 days before 1 May: outside
        ([_d("31 Jan"), _d("20 Mar")], True),  # exactly 90 days before: inside
    ],
)
def test_the_repeat_trigger_at_its_edges(earlier, fires):
    assert (repeat_trigger(earlier, latest=_d("1 May")) is not None) is fires


def test_a_force_can_set_its_own_threshold():
    assert repeat_trigger([_d("20 Apr")], latest=_d("1 May"), threshold=2) is not None
    assert repeat_trigger([_d("2 Mar"), _d("20 Mar")], latest=_d("1 May"), threshold=4) is None


def test_exploitation_indicators_trigger_with_their_names():
    assert indicator_trigger([]) is None
    trigger = indicator_trigger([Indicator.OLDER_ASSOCIATES, Indicator.MONEY_OR_GIFTS])
    assert trigger is not None and trigger.reason == (
        "Exploitation indicators: unexplained money or gifts; "
        "older or unknown associates, or a new peer group"
    )
