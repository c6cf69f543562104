"""Dates of a missing episode, the return home interview, and the repeat-missing trigger."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from safeguard.core.calendars import add_elapsed
from safeguard.missing.rules.grading import Indicator

FOUND_BEFORE_MISSING = "The time found must be after the child went missing"
FOUND_IN_FUTURE = "The time found must be now or in the past"
MISSING_IN_FUTURE = "The time last seen must be now or in the past"
RHI_BEFORE_RETURN = "The return home interview must be after the child returned"

# DfE statutory guidance (2014) on children who run away or go missing: an independent
# return home interview is offered within 72 hours of the child's return (docs/rules.md 1.3).
RHI_OFFER_WITHIN = timedelta(hours=72)


def episode_problems(
    *, last_seen_at: datetime, found_at: datetime | None, now: datetime
) -> list[tuple[str, str]]:
    problems = []
    if last_seen_at > now:
        problems.append(("last_seen_at", MISSING_IN_FUTURE))
    if found_at is not None:
        if found_at > now:
            problems.append(("found_at", FOUND_IN_FUTURE))
        elif found_at < last_seen_at:
            problems.append(("found_at", FOUND_BEFORE_MISSING))
    return problems


def return_interview_problems(
    *, returned_at: datetime, interview_at: datetime
) -> list[tuple[str, str]]:
    return [("interview_at", RHI_BEFORE_RETURN)] if interview_at < returned_at else []


def return_interview_due(returned_at: datetime) -> datetime:
    """When the offer is due: 72 elapsed hours after the return, in UTC whatever zone the
    time came in (a page's time is Europe/London), so a clock change neither gains nor loses
    an hour."""
    return add_elapsed(returned_at, RHI_OFFER_WITHIN)


# Force policy defaults [local]: 3 or more episodes in 90 days (issue 5).
REPEAT_THRESHOLD = 3
REPEAT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Trigger:
    """Why a child's missing history calls for an exploitation response, in plain words."""

    kind: str  # "repeat" | "indicators"
    reason: str


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def repeat_trigger(
    episode_starts: Iterable[datetime],
    *,
    latest: datetime,
    threshold: int = REPEAT_THRESHOLD,
    window_days: int = REPEAT_WINDOW_DAYS,
) -> Trigger | None:
    """Fires when the latest episode is at least the `threshold`-th within `window_days`:
    e.g. "3rd episode in 90 days: 2 Mar, 20 Mar, 1 May"."""
    window_start = latest - timedelta(days=window_days)
    recent = sorted({start for start in episode_starts if window_start <= start <= latest})
    if latest not in recent:
        recent = sorted({*recent, latest})
    if len(recent) < threshold:
        return None
    dates = ", ".join(_day(start) for start in recent)
    return Trigger("repeat", f"{_ordinal(len(recent))} episode in {window_days} days: {dates}")


def indicator_trigger(indicators: Iterable[Indicator]) -> Trigger | None:
    """Fires when an episode records any exploitation indicator, naming them."""
    found = sorted(set(indicators), key=list(Indicator).index)
    if not found:
        return None
    return Trigger("indicators", "Exploitation indicators: " + "; ".join(i.label for i in found))
