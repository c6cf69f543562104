"""A backlog forecast for the triage queue: where the backlog is heading over the next weeks.

Issue 6: the queue forecasts the backlog for the next 21 days from recent arrival and completion
rates, using a queueing model the page explains, and warns when the forecast crosses a threshold.
(The force's new triage system built a backlog of nearly 500 cases in three weeks; a steady
excess of arrivals over completions shows up in the first few days.)

The model:
- Arrivals and completions are Poisson processes at their mean daily rates over the last
  `window_days` days: lambda (arrivals) and mu (completions, the unit's recent throughput).
- The expected backlog after t days is b(t) = max(0, b0 + (lambda - mu) * t): the fluid
  approximation of a queue served at its recent throughput, which cannot complete cases that
  are not there, so it never goes below zero.
- The change over t days is a difference of two Poisson counts, with variance
  (lambda + mu) * t, so an approximate 90% band is b0 + (lambda - mu) * t
  +/- 1.645 * sqrt((lambda + mu) * t), each edge clamped at zero. The band widens with t.

Why this model: it is transparent (two averages and a straight line), it can be explained in
two sentences on the page, and it can be tested exactly. Its limits, said on the page too: it
assumes recent rates carry on (a new team, a holiday or a campaign changes them), it ignores
weekday patterns (weekends and Mondays), and the band is a normal approximation that is rough
for very small rates and ignores the zero boundary's effect on the spread.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# The z-value for a two-sided 90% band (5% each side).
Z_90 = 1.645
THRESHOLD_MIN = 1
THRESHOLD_MAX = 100_000


@dataclass(frozen=True)
class DayForecast:
    day: date
    expected: float
    low: float  # the approximate 90% band
    high: float


@dataclass(frozen=True)
class Forecast:
    arrival_rate: float  # cases a day
    completion_rate: float  # cases a day
    backlog_now: int
    days: tuple[DayForecast, ...]  # tomorrow first
    crosses_on: date | None  # today if already at or above the threshold, else the first
    # forecast day whose expected backlog reaches it, else None
    threshold: int
    explanation: str  # plain English, for the page

    @property
    def warns(self) -> bool:
        return self.crosses_on is not None


def _mean(series: Sequence[int], window_days: int) -> tuple[float, int]:
    recent = list(series[-window_days:])
    if any(count < 0 for count in recent):
        raise ValueError("Daily counts cannot be negative")
    return (sum(recent) / len(recent) if recent else 0.0), len(recent)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _cases(n: int) -> str:
    return f"{n:,} case" if n == 1 else f"{n:,} cases"


def forecast_backlog(
    *,
    arrivals: Sequence[int],
    completions: Sequence[int],
    backlog_now: int,
    today: date,
    threshold: int,
    horizon_days: int = 21,
    window_days: int = 14,
) -> Forecast:
    """Forecast the backlog for each of the next `horizon_days` days from the daily arrival and
    completion counts (oldest first). Uses what data there is: with none, both rates are 0."""
    if backlog_now < 0 or horizon_days < 1 or window_days < 1:
        raise ValueError("The backlog cannot be negative, and the horizon and window are days")
    arrival_rate, arrival_days = _mean(arrivals, window_days)
    completion_rate, completion_days = _mean(completions, window_days)
    drift = arrival_rate - completion_rate
    days = []
    for t in range(1, horizon_days + 1):
        mean = backlog_now + drift * t
        spread = Z_90 * math.sqrt((arrival_rate + completion_rate) * t)
        days.append(
            DayForecast(
                day=today + timedelta(days=t),
                expected=max(0.0, mean),
                low=max(0.0, mean - spread),
                high=max(0.0, mean + spread),
            )
        )
    if backlog_now >= threshold:
        crosses_on: date | None = today
    else:
        crosses_on = next((d.day for d in days if d.expected >= threshold), None)
    could_cross_on = next((d.day for d in days if d.high >= threshold), None)
    explanation = _explain(
        arrival_rate=arrival_rate,
        completion_rate=completion_rate,
        data_days=max(arrival_days, completion_days),
        backlog_now=backlog_now,
        threshold=threshold,
        horizon_days=horizon_days,
        crosses_on=crosses_on,
        could_cross_on=could_cross_on,
        today=today,
    )
    return Forecast(
        arrival_rate=arrival_rate,
        completion_rate=completion_rate,
        backlog_now=backlog_now,
        days=tuple(days),
        crosses_on=crosses_on,
        threshold=threshold,
        explanation=explanation,
    )


def _explain(
    *,
    arrival_rate: float,
    completion_rate: float,
    data_days: int,
    backlog_now: int,
    threshold: int,
    horizon_days: int,
    crosses_on: date | None,
    could_cross_on: date | None,
    today: date,
) -> str:
    sentences = []
    if data_days == 0:
        sentences.append(
            "There are no arrival or completion counts yet, so the forecast assumes the backlog "
            "stays where it is."
        )
    else:
        drift = arrival_rate - completion_rate
        if round(abs(drift), 1) == 0:
            trend = "so the backlog stays about level"
        elif drift > 0:
            trend = f"so the backlog grows by about {drift:.1f} a day"
        else:
            trend = f"so the backlog shrinks by about {-drift:.1f} a day"
        period = "day" if data_days == 1 else f"{data_days} days"
        sentences.append(
            f"Arrivals average {arrival_rate:.1f} a day and completions {completion_rate:.1f} "
            f"a day over the last {period}, {trend}."
        )
    sentences.append(f"It is {_cases(backlog_now)} now.")
    if crosses_on == today:
        sentences.append(f"That is already at or above the threshold of {_cases(threshold)}.")
    elif crosses_on is not None:
        sentences.append(
            f"At this rate it reaches the threshold of {_cases(threshold)} on {_day(crosses_on)}."
        )
    elif could_cross_on is not None:
        sentences.append(
            f"It is not expected to reach the threshold of {_cases(threshold)} in the next "
            f"{horizon_days} days, but could by {_day(could_cross_on)} if the days run busy."
        )
    else:
        sentences.append(
            f"It is not expected to reach the threshold of {_cases(threshold)} "
            f"in the next {horizon_days} days."
        )
    sentences.append(
        "The forecast treats arrivals and completions as random at those average rates, so the "
        "range shows where the backlog should be 9 days in 10; it widens further ahead. "
        "It assumes recent rates carry on and ignores weekday patterns."
    )
    return " ".join(sentences)


THRESHOLD_OUT_OF_RANGE = "Enter a threshold from 1 to 100,000 cases"


def threshold_problems(threshold: int) -> list[tuple[str, str]]:
    """The warning threshold is a whole number of cases from 1 to 100,000."""
    if not THRESHOLD_MIN <= threshold <= THRESHOLD_MAX:
        return [("threshold", THRESHOLD_OUT_OF_RANGE)]
    return []
