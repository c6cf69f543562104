"""How soon the police respond to a missing child, by APP risk grade (docs/rules.md 1.2).

The APP says what each grade demands ("high: almost always immediate deployment; a senior
manager is involved") but sets no minutes, so the minutes are force policy with these
defaults [local], changed by a force admin on the missing-children policy page.
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from safeguard.core.calendars import add_elapsed
from safeguard.missing.rules.grading import Grade

DEFAULT_ATTEND_HIGH_MINUTES = 60
DEFAULT_ATTEND_MEDIUM_MINUTES = 240
DEFAULT_ATTEND_LOW_MINUTES = 1440
DEFAULT_SUPERVISOR_REVIEW_HIGH_MINUTES = 60
DEFAULT_SUPERVISOR_REVIEW_MINUTES = 240
DEFAULT_INSPECTOR_INFORMED_MINUTES = 60
DEFAULT_RISK_REVIEW_HIGH_HOURS = 4
DEFAULT_RISK_REVIEW_MEDIUM_HOURS = 8
DEFAULT_RISK_REVIEW_LOW_HOURS = 24
DEFAULT_PREVENTION_INTERVIEW_HOURS = 72
DEFAULT_REPEAT_THRESHOLD = 3
DEFAULT_REPEAT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ResponsePolicy:
    attend_high_minutes: int = DEFAULT_ATTEND_HIGH_MINUTES
    attend_medium_minutes: int = DEFAULT_ATTEND_MEDIUM_MINUTES
    attend_low_minutes: int = DEFAULT_ATTEND_LOW_MINUTES
    supervisor_review_high_minutes: int = DEFAULT_SUPERVISOR_REVIEW_HIGH_MINUTES
    supervisor_review_minutes: int = DEFAULT_SUPERVISOR_REVIEW_MINUTES
    inspector_informed_minutes: int = DEFAULT_INSPECTOR_INFORMED_MINUTES
    risk_review_high_hours: int = DEFAULT_RISK_REVIEW_HIGH_HOURS
    risk_review_medium_hours: int = DEFAULT_RISK_REVIEW_MEDIUM_HOURS
    risk_review_low_hours: int = DEFAULT_RISK_REVIEW_LOW_HOURS
    prevention_interview_hours: int = DEFAULT_PREVENTION_INTERVIEW_HOURS
    repeat_threshold: int = DEFAULT_REPEAT_THRESHOLD
    repeat_window_days: int = DEFAULT_REPEAT_WINDOW_DAYS


# (low, high) inclusive: a force may tighten or loosen, but not switch a response off.
POLICY_RANGES = {
    "attend_high_minutes": (5, 240),
    "attend_medium_minutes": (15, 1440),
    "attend_low_minutes": (60, 4320),
    "supervisor_review_high_minutes": (10, 480),
    "supervisor_review_minutes": (30, 1440),
    "inspector_informed_minutes": (5, 480),
    "risk_review_high_hours": (1, 24),
    "risk_review_medium_hours": (1, 48),
    "risk_review_low_hours": (1, 168),
    "prevention_interview_hours": (1, 168),
    "repeat_threshold": (2, 10),
    "repeat_window_days": (7, 365),
}


def policy_problems(policy: ResponsePolicy) -> list[tuple[str, str]]:
    problems = []
    for field in fields(policy):
        low, high = POLICY_RANGES[field.name]
        value = getattr(policy, field.name)
        if not low <= value <= high:
            problems.append((field.name, f"Enter a whole number from {low} to {high}"))
    if policy.attend_high_minutes > policy.attend_medium_minutes:
        problems.append(
            ("attend_high_minutes", "High risk must be attended no later than medium risk")
        )
    return problems


def first_attendance_within(grade: Grade, policy: ResponsePolicy) -> timedelta | None:
    """None for no apparent risk: the APP asks for active monitoring, not deployment."""
    minutes = {
        Grade.HIGH: policy.attend_high_minutes,
        Grade.MEDIUM: policy.attend_medium_minutes,
        Grade.LOW: policy.attend_low_minutes,
    }.get(grade)
    return None if minutes is None else timedelta(minutes=minutes)


def supervisor_review_within(grade: Grade, policy: ResponsePolicy) -> timedelta:
    if grade == Grade.HIGH:
        return timedelta(minutes=policy.supervisor_review_high_minutes)
    return timedelta(minutes=policy.supervisor_review_minutes)


def risk_review_every(grade: Grade, policy: ResponsePolicy) -> timedelta:
    hours = {
        Grade.HIGH: policy.risk_review_high_hours,
        Grade.MEDIUM: policy.risk_review_medium_hours,
    }.get(grade, policy.risk_review_low_hours)
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Grading:
    """One grade given to an episode, when, and whether a supervisor made or agreed it."""

    grade: Grade
    at: datetime
    by_supervisor: bool


def first_attendance_due(gradings: list[Grading], policy: ResponsePolicy) -> datetime | None:
    """The earliest deadline any grading set: regrading upwards tightens it from that moment,
    and regrading downwards never lets a deadline already running slip."""
    dues = [
        add_elapsed(g.at, within)
        for g in gradings
        if (within := first_attendance_within(g.grade, policy)) is not None
    ]
    return min(dues) if dues else None


def supervisor_review_due(
    gradings: list[Grading], policy: ResponsePolicy
) -> tuple[datetime, datetime]:
    """(started, due) for the latest grading: each change of grade needs a supervisor's review."""
    latest = gradings[-1]
    return latest.at, add_elapsed(latest.at, supervisor_review_within(latest.grade, policy))


def inspector_informed_due(high_at: datetime, policy: ResponsePolicy) -> datetime:
    return add_elapsed(high_at, timedelta(minutes=policy.inspector_informed_minutes))


def first_high_at(gradings: list[Grading]) -> datetime | None:
    """When the episode first became high risk: the duty inspector must then be told."""
    return next((g.at for g in gradings if g.grade == Grade.HIGH), None)


def next_risk_review(
    *, last_reviewed_at: datetime, grade: Grade, policy: ResponsePolicy
) -> datetime:
    return add_elapsed(last_reviewed_at, risk_review_every(grade, policy))


def prevention_interview_due(found_at: datetime, policy: ResponsePolicy) -> datetime:
    return add_elapsed(found_at, timedelta(hours=policy.prevention_interview_hours))


# Case risk grade (cases.Case.Grade) that an APP grade maps to, so the case lists, the
# high-risk flag on clocks and the duty inspector's view treat a missing child alike.
CASE_GRADE = {
    Grade.HIGH: "high",
    Grade.MEDIUM: "medium",
    Grade.LOW: "standard",
    Grade.NO_APPARENT_RISK: "standard",
}
