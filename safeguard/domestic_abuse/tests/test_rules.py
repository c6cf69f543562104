"""Domestic abuse rules without a database: DASH scoring, MARAC routes, the backlog forecast."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.domestic_abuse.rules.dash import (
    HIGH_THRESHOLD,
    MEDIUM_FROM,
    QUESTIONS,
    Answer,
    DashGrade,
    dash_band,
    dash_problems,
    dash_score,
)
from safeguard.domestic_abuse.rules.forecast import (
    THRESHOLD_OUT_OF_RANGE,
    forecast_backlog,
    threshold_problems,
)
from safeguard.domestic_abuse.rules.marac import (
    ESCALATION_INCIDENTS,
    ESCALATION_WINDOW_DAYS,
    JUDGEMENT_NEEDS_REASON,
    REPEAT_WINDOW_DAYS,
    MaracFacts,
    Route,
    judgement_problems,
    marac_routes,
)


def _answers(yes: int) -> dict[int, Answer]:
    """All 27 questions answered: the first `yes` of them yes, the rest a mix of the others."""
    others = [Answer.NO, Answer.DONT_KNOW, Answer.DECLINED]
    return {n: Answer.YES if n <= yes else others[n % 3] for n in range(1, 28)}


# DASH (docs/rules.md 3.1)


def test_there_are_27_police_questions_and_four_answers_with_labels():
    assert len(QUESTIONS) == 27
    assert QUESTIONS[0] == "Has the current incident resulted in an injury?"
    assert all(q.endswith("?") for q in QUESTIONS)
    assert [a.label for a in Answer] == ["Yes", "No", "Don't know", "Declined to answer"]
    assert [(g.label, g.rank) for g in DashGrade] == [("Standard", 0), ("Medium", 1), ("High", 2)]
    assert (MEDIUM_FROM, HIGH_THRESHOLD) == (10, 14)


@pytest.mark.parametrize("yes", [0, 1, 9, 10, 13, 14, 27])
def test_the_score_counts_yes_only(yes):
    assert dash_score(_answers(yes)) == yes


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, DashGrade.STANDARD),
        (1, DashGrade.STANDARD),
        (9, DashGrade.STANDARD),
        (10, DashGrade.MEDIUM),
        (13, DashGrade.MEDIUM),
        (14, DashGrade.HIGH),
        (27, DashGrade.HIGH),
    ],
)
def test_the_bands_at_their_edges(score, band):
    assert dash_band(score) == band


def test_a_negative_score_is_a_bug():
    with pytest.raises(ValueError):
        dash_band(-1)


@pytest.mark.parametrize(("yes", "grade"), [(9, DashGrade.STANDARD), (13, DashGrade.MEDIUM)])
def test_the_grade_the_score_makes_needs_no_rationale(yes, grade):
    assert dash_problems(answers=_answers(yes), grade=grade, rationale="") == []


@pytest.mark.parametrize(
    ("yes", "grade"),
    [(9, DashGrade.MEDIUM), (9, DashGrade.HIGH), (13, DashGrade.HIGH), (0, DashGrade.HIGH)],
)
def test_judgement_raises_the_grade_only_with_a_rationale(yes, grade):
    assert dash_problems(answers=_answers(yes), grade=grade, rationale=" ") == [
        ("rationale", "Enter why professional judgement raises the grade")
    ]
    assert dash_problems(answers=_answers(yes), grade=grade, rationale="Strangled last week") == []


@pytest.mark.parametrize(
    ("yes", "grade", "message"),
    [
        (14, DashGrade.MEDIUM, "the score of 14 makes it at least high"),
        (14, DashGrade.STANDARD, "the score of 14 makes it at least high"),
        (10, DashGrade.STANDARD, "the score of 10 makes it at least medium"),
    ],
)
def test_judgement_never_lowers_the_grade_even_with_a_rationale(yes, grade, message):
    assert dash_problems(answers=_answers(yes), grade=grade, rationale="Seems fine") == [
        ("grade", "Professional judgement can raise the grade, never lower it: " + message)
    ]


def test_every_question_must_be_answered():
    answers = _answers(3)
    del answers[1], answers[27]
    assert dash_problems(answers=answers, grade=DashGrade.STANDARD, rationale="") == [
        ("q1", "Answer question 1: Has the current incident resulted in an injury?"),
        ("q27", f"Answer question 27: {QUESTIONS[26]}"),
    ]
    assert len(dash_problems(answers={}, grade=DashGrade.STANDARD, rationale="")) == 27


def test_unknown_question_numbers_are_refused_and_not_scored():
    answers = _answers(13) | {0: Answer.YES, 28: Answer.YES}
    assert dash_problems(answers=answers, grade=DashGrade.MEDIUM, rationale="") == [
        ("answers", "DASH questions are numbered 1 to 27: remove the answers numbered 0, 28")
    ]


# MARAC routes (docs/rules.md 3.2)

INCIDENT = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)


BASE = MaracFacts(
    score=5,
    judgement_referral=False,
    judgement_reason="",
    incident_at=INCIDENT,
    earlier_incidents_same_victim=(),
    last_marac_referral_at=None,
)


def _facts(**changes) -> MaracFacts:
    return replace(BASE, **changes)


def test_no_route_applies_to_a_standard_first_incident():
    assert marac_routes(_facts()) == []


@pytest.mark.parametrize(("score", "applies"), [(13, False), (14, True), (27, True)])
def test_visible_high_risk_at_14(score, applies):
    routes = marac_routes(_facts(score=score))
    expected = [(Route.VISIBLE_HIGH_RISK, f"DASH score {score} (14 or more)")]
    assert routes == (expected if applies else [])


def test_professional_judgement_is_a_route_on_its_own_with_its_reason():
    facts = _facts(score=3, judgement_referral=True, judgement_reason=" Non-fatal strangulation ")
    assert marac_routes(facts) == [(Route.PROFESSIONAL_JUDGEMENT, "Non-fatal strangulation")]
    assert judgement_problems(judgement_referral=True, reason="  ") == [
        ("judgement_reason", JUDGEMENT_NEEDS_REASON)
    ]
    assert judgement_problems(judgement_referral=True, reason="Threats to kill") == []
    assert judgement_problems(judgement_referral=False, reason="") == []


def test_escalation_names_the_incidents_in_plain_words():
    earlier = (datetime(2026, 6, 20, 9, tzinfo=UTC), datetime(2026, 3, 2, 14, tzinfo=UTC))
    assert marac_routes(_facts(earlier_incidents_same_victim=earlier)) == [
        (
            Route.POTENTIAL_ESCALATION,
            "3rd incident in 12 months with the same victim: 2 Mar, 20 Jun, 1 Dec",
        )
    ]


def test_escalation_reads_dates_on_the_london_calendar():
    # 23:30 UTC on 1 Jul is 00:30 on 2 Jul in British Summer Time.
    earlier = (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 14, tzinfo=UTC))
    [(_, reason)] = marac_routes(_facts(earlier_incidents_same_victim=earlier))
    assert reason.endswith(": 2 Mar, 2 Jul, 1 Dec")


EDGE = INCIDENT - timedelta(days=ESCALATION_WINDOW_DAYS)


@pytest.mark.parametrize(
    ("earlier", "applies"),
    [
        ((), False),
        ((INCIDENT - timedelta(days=30),), False),  # 2 incidents: below 3
        ((INCIDENT - timedelta(days=30), EDGE), True),  # exactly 365 days before: inside
        ((INCIDENT - timedelta(days=30), EDGE - timedelta(seconds=1)), False),  # just outside
        ((INCIDENT - timedelta(days=30), EDGE - timedelta(days=1)), False),  # 366 days: outside
        ((INCIDENT - timedelta(days=30), INCIDENT + timedelta(days=1)), False),  # later: ignored
        ((INCIDENT - timedelta(days=30), INCIDENT), False),  # the same incident counts once
        ((INCIDENT - timedelta(days=30), INCIDENT - timedelta(days=1)), True),
    ],
)
def test_escalation_at_its_edges(earlier, applies):
    routes = [route for route, _ in marac_routes(_facts(earlier_incidents_same_victim=earlier))]
    assert (Route.POTENTIAL_ESCALATION in routes) is applies
    assert ESCALATION_INCIDENTS == 3


def test_escalation_counts_every_incident_in_the_window():
    earlier = tuple(INCIDENT - timedelta(days=d) for d in (10, 20, 30, 40))
    [(_, reason)] = marac_routes(_facts(earlier_incidents_same_victim=earlier))
    assert reason.startswith("5th incident in 12 months with the same victim: ")


@pytest.mark.parametrize(
    ("last", "applies"),
    [
        (None, False),
        (INCIDENT - timedelta(days=REPEAT_WINDOW_DAYS), True),  # exactly 12 months: inside
        (INCIDENT - timedelta(days=REPEAT_WINDOW_DAYS, seconds=1), False),  # just outside
        (INCIDENT - timedelta(days=REPEAT_WINDOW_DAYS + 1), False),
        (INCIDENT - timedelta(days=1), True),
        (INCIDENT, True),
        (INCIDENT + timedelta(days=1), False),  # a referral after the incident is no repeat
    ],
)
def test_repeat_referral_at_its_edges(last, applies):
    routes = [route for route, _ in marac_routes(_facts(last_marac_referral_at=last))]
    assert (Route.REPEAT_REFERRAL in routes) is applies


def test_repeat_referral_names_the_last_referral():
    facts = _facts(last_marac_referral_at=datetime(2026, 1, 4, 10, tzinfo=UTC))
    assert marac_routes(facts) == [
        (Route.REPEAT_REFERRAL, "New incident within 12 months of the MARAC referral on 4 Jan 2026")
    ]


def test_every_route_that_applies_is_given_in_order():
    facts = _facts(
        score=15,
        judgement_referral=True,
        judgement_reason="Stalking",
        earlier_incidents_same_victim=(datetime(2026, 3, 2, tzinfo=UTC),) * 2
        + (datetime(2026, 6, 20, tzinfo=UTC),),
        last_marac_referral_at=datetime(2026, 1, 4, 10, tzinfo=UTC),
    )
    assert marac_routes(facts) == [
        (Route.VISIBLE_HIGH_RISK, "DASH score 15 (14 or more)"),
        (Route.PROFESSIONAL_JUDGEMENT, "Stalking"),
        (
            Route.POTENTIAL_ESCALATION,
            "3rd incident in 12 months with the same victim: 2 Mar, 20 Jun, 1 Dec",
        ),
        (
            Route.REPEAT_REFERRAL,
            "New incident within 12 months of the MARAC referral on 4 Jan 2026",
        ),
    ]
    assert [route.label for route in Route] == [
        "Visible high risk",
        "Professional judgement",
        "Potential escalation",
        "Repeat referral",
    ]


# The backlog forecast (issue 6)

TODAY = date(2026, 5, 1)  # a Friday


def test_constant_growth_crosses_the_threshold_on_the_right_day():
    # 34 arrivals and 28 completions a day: +6 a day from 400 reaches 500 after 17 days
    # (400 + 6 * 16 = 496, 400 + 6 * 17 = 502).
    forecast = forecast_backlog(
        arrivals=[34] * 14, completions=[28] * 14, backlog_now=400, today=TODAY, threshold=500
    )
    assert (forecast.arrival_rate, forecast.completion_rate) == (34.0, 28.0)
    assert len(forecast.days) == 21
    assert forecast.days[0].day == date(2026, 5, 2)
    assert forecast.days[-1].day == date(2026, 5, 22)
    assert forecast.days[16].expected == 502.0
    assert forecast.crosses_on == date(2026, 5, 18)
    assert forecast.warns
    assert forecast.explanation.startswith(
        "Arrivals average 34.0 a day and completions 28.0 a day over the last 14 days, "
        "so the backlog grows by about 6.0 a day. It is 400 cases now. "
        "At this rate it reaches the threshold of 500 cases on Mon 18 May."
    )


def test_only_the_last_window_of_days_sets_the_rates():
    # A quiet month, then two busy weeks: the rates are the busy weeks'.
    forecast = forecast_backlog(
        arrivals=[5] * 30 + [34] * 14,
        completions=[5] * 30 + [28] * 14,
        backlog_now=0,
        today=TODAY,
        threshold=500,
    )
    assert (forecast.arrival_rate, forecast.completion_rate) == (34.0, 28.0)


def test_a_balanced_queue_forecasts_a_flat_backlog_with_a_widening_band():
    forecast = forecast_backlog(
        arrivals=[20] * 14, completions=[20] * 14, backlog_now=100, today=TODAY, threshold=500
    )
    assert {d.expected for d in forecast.days} == {100.0}
    assert forecast.crosses_on is None and not forecast.warns
    # +/- 1.645 * sqrt(40 t): about 10.4 after a day, 47.6 after 21 days.
    assert forecast.days[0].high - 100 == pytest.approx(1.645 * 40**0.5)
    assert forecast.days[-1].high - 100 == pytest.approx(1.645 * (40 * 21) ** 0.5)
    widths = [d.high - d.low for d in forecast.days]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert "so the backlog stays about level" in forecast.explanation
    assert "It is not expected to reach the threshold of 500 cases in the next 21 days." in (
        forecast.explanation
    )


def test_the_band_can_warn_before_the_expected_backlog_does():
    forecast = forecast_backlog(
        arrivals=[30] * 14, completions=[30] * 14, backlog_now=470, today=TODAY, threshold=500
    )
    assert forecast.crosses_on is None
    assert "but could by " in forecast.explanation


def test_a_draining_queue_clamps_at_zero():
    forecast = forecast_backlog(
        arrivals=[10] * 14, completions=[30] * 14, backlog_now=100, today=TODAY, threshold=500
    )
    expected = [d.expected for d in forecast.days]
    assert expected[:5] == [80.0, 60.0, 40.0, 20.0, 0.0]
    assert set(expected[5:]) == {0.0}
    assert all(d.low >= 0 and d.high >= 0 for d in forecast.days)
    assert "so the backlog shrinks by about 20.0 a day" in forecast.explanation


def test_no_data_forecasts_the_backlog_where_it_is():
    forecast = forecast_backlog(
        arrivals=[], completions=[], backlog_now=12, today=TODAY, threshold=500
    )
    assert (forecast.arrival_rate, forecast.completion_rate) == (0.0, 0.0)
    assert {(d.expected, d.low, d.high) for d in forecast.days} == {(12.0, 12.0, 12.0)}
    assert forecast.explanation.startswith(
        "There are no arrival or completion counts yet, so the forecast assumes the backlog "
        "stays where it is. It is 12 cases now."
    )


def test_a_short_series_uses_what_there_is():
    forecast = forecast_backlog(
        arrivals=[10, 20, 30], completions=[5], backlog_now=0, today=TODAY, threshold=100
    )
    assert (forecast.arrival_rate, forecast.completion_rate) == (20.0, 5.0)
    assert "over the last 3 days" in forecast.explanation
    assert forecast.crosses_on == date(2026, 5, 8)  # 15 a day: 105 after 7 days


def test_a_backlog_already_over_the_threshold_warns_today():
    forecast = forecast_backlog(
        arrivals=[1] * 14, completions=[2] * 14, backlog_now=500, today=TODAY, threshold=500
    )
    assert forecast.crosses_on == TODAY
    assert "already at or above the threshold of 500 cases" in forecast.explanation


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        forecast_backlog(arrivals=[-1], completions=[], backlog_now=0, today=TODAY, threshold=1)
    with pytest.raises(ValueError):
        forecast_backlog(arrivals=[], completions=[], backlog_now=-1, today=TODAY, threshold=1)


@pytest.mark.parametrize(
    ("threshold", "ok"), [(0, False), (1, True), (100_000, True), (100_001, False)]
)
def test_the_threshold_is_from_1_to_100000(threshold, ok):
    assert threshold_problems(threshold) == ([] if ok else [("threshold", THRESHOLD_OUT_OF_RANGE)])


counts = st.lists(st.integers(0, 500), max_size=40)


@given(
    arrivals=counts,
    completions=counts,
    backlog=st.integers(0, 5_000),
    threshold=st.integers(1, 100_000),
    window=st.integers(1, 28),
)
def test_the_forecast_is_never_negative_and_the_band_holds_it(
    arrivals, completions, backlog, threshold, window
):
    forecast = forecast_backlog(
        arrivals=arrivals,
        completions=completions,
        backlog_now=backlog,
        today=TODAY,
        threshold=threshold,
        window_days=window,
    )
    for d in forecast.days:
        assert 0 <= d.low <= d.expected <= d.high
    highs = [d.high - d.low for d in forecast.days if d.low > 0]
    assert highs == sorted(highs)  # away from zero, the band only widens
    if forecast.crosses_on is not None and forecast.crosses_on != TODAY:
        first = next(d for d in forecast.days if d.day == forecast.crosses_on)
        assert first.expected >= threshold


@given(yes=st.integers(0, 27), grade=st.sampled_from(list(DashGrade)))
def test_a_grade_below_the_score_is_always_refused(yes, grade):
    problems = dict(dash_problems(answers=_answers(yes), grade=grade, rationale="Reason"))
    assert ("grade" in problems) is (grade.rank < dash_band(yes).rank)
