"""The force's domestic abuse times (docs/rules.md 3.4): when the DASH is completed, when the
triage unit completes the secondary assessment, when a MARAC referral is sent, and how many
incidents in 12 months make a potential escalation. No national rule sets the times, so each
force sets its own; these are the defaults, and the ranges a force may choose within.

Pure: the clocks and the MARAC decision pass the force's policy in. Hour rules are elapsed UTC
time; working days skip weekends and England and Wales bank holidays (core.calendars).
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from safeguard.core.calendars import add_elapsed, add_working_days
from safeguard.domestic_abuse.rules.dash import DashGrade

# docs/rules.md 3.4: DASH before the attending officer goes off duty, 24 hours [local].
DEFAULT_DASH_HOURS = 24
# docs/rules.md 3.4: triage 24 hours for high risk (or not yet graded); 3 and 5 working days.
DEFAULT_TRIAGE_HIGH_HOURS = 24
DEFAULT_TRIAGE_MEDIUM_WORKING_DAYS = 3
DEFAULT_TRIAGE_STANDARD_WORKING_DAYS = 5
# docs/rules.md 3.2 and 3.4: a MARAC referral within 1 working day of the decision.
DEFAULT_MARAC_REFERRAL_WORKING_DAYS = 1
# docs/rules.md 3.2: potential escalation is 3 or more incidents in 12 months; some areas use 5
# call-outs (SafeLives). The force chooses one of the two.
DEFAULT_ESCALATION_INCIDENTS = 3
ESCALATION_CHOICES = (3, 5)


@dataclass(frozen=True)
class DaPolicy:
    dash_hours: int = DEFAULT_DASH_HOURS
    triage_high_hours: int = DEFAULT_TRIAGE_HIGH_HOURS
    triage_medium_working_days: int = DEFAULT_TRIAGE_MEDIUM_WORKING_DAYS
    triage_standard_working_days: int = DEFAULT_TRIAGE_STANDARD_WORKING_DAYS
    marac_referral_working_days: int = DEFAULT_MARAC_REFERRAL_WORKING_DAYS
    escalation_incidents: int = DEFAULT_ESCALATION_INCIDENTS


# (low, high) inclusive: a force may tighten or loosen a time, but not switch it off.
POLICY_RANGES = {
    "dash_hours": (1, 72),
    "triage_high_hours": (1, 72),
    "triage_medium_working_days": (1, 10),
    "triage_standard_working_days": (1, 20),
    "marac_referral_working_days": (1, 5),
    "escalation_incidents": (min(ESCALATION_CHOICES), max(ESCALATION_CHOICES)),
}
ESCALATION_CHOICE = "Choose 3 or 5 incidents in 12 months"
STANDARD_BEFORE_MEDIUM = "Standard risk cannot be due sooner than medium risk"


def range_message(name: str) -> str:
    low, high = POLICY_RANGES[name]
    return f"Enter a whole number from {low} to {high}"


def policy_problems(policy: DaPolicy) -> list[tuple[str, str]]:
    """Each value outside its range, the escalation count other than 3 or 5, and a standard
    triage time sooner than the medium one, by field."""
    problems = []
    for field in fields(policy):
        value = getattr(policy, field.name)
        if field.name == "escalation_incidents":
            if value not in ESCALATION_CHOICES:
                problems.append((field.name, ESCALATION_CHOICE))
            continue
        low, high = POLICY_RANGES[field.name]
        if not low <= value <= high:
            problems.append((field.name, range_message(field.name)))
    if not problems and policy.triage_standard_working_days < policy.triage_medium_working_days:
        problems.append(("triage_standard_working_days", STANDARD_BEFORE_MEDIUM))
    return problems


def dash_due(attended_at: datetime, policy: DaPolicy) -> datetime:
    """docs/rules.md 3.4: the DASH is completed within the force's hours of the attendance."""
    return add_elapsed(attended_at, timedelta(hours=policy.dash_hours))


def triage_due(attended_at: datetime, grade: str, policy: DaPolicy) -> datetime:
    """docs/rules.md 3.4: high risk, or not yet graded, within the force's hours; medium and
    standard within its working days."""
    if grade == DashGrade.MEDIUM:
        return add_working_days(attended_at, policy.triage_medium_working_days)
    if grade == DashGrade.STANDARD:
        return add_working_days(attended_at, policy.triage_standard_working_days)
    return add_elapsed(attended_at, timedelta(hours=policy.triage_high_hours))


def marac_referral_due(decided_at: datetime, policy: DaPolicy) -> datetime:
    """docs/rules.md 3.4: the referral is sent within the force's working days of the decision."""
    return add_working_days(decided_at, policy.marac_referral_working_days)
