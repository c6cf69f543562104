"""Whether a domestic abuse incident should be referred to a MARAC, and by which routes.

docs/rules.md 3.2 (SafeLives) gives four routes: visible high risk (a DASH score of 14 or more),
professional judgement, potential escalation (3 or more incidents in 12 months) and repeat
referral (a new incident within 12 months of the last MARAC referral). Every route that applies
is returned with its reason in plain words, so the referral records all of them.

"12 months" is taken as 365 days, measured between the moments of the incidents, with inclusive
edges: an incident exactly 365 days earlier counts, one 366 days earlier does not. In a leap year
that window is one day short of a calendar year; a fixed, explainable length is worth more than
that day, which makes no practical difference to who is referred.

Dates in reasons are read on the Europe/London calendar, as people in England and Wales read them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from safeguard.core.calendars import LONDON
from safeguard.domestic_abuse.rules.dash import HIGH_THRESHOLD


class Route(StrEnum):
    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT_REFERRAL = "repeat_referral"

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]


ROUTE_LABELS = {
    Route.VISIBLE_HIGH_RISK: "Visible high risk",
    Route.PROFESSIONAL_JUDGEMENT: "Professional judgement",
    Route.POTENTIAL_ESCALATION: "Potential escalation",
    Route.REPEAT_REFERRAL: "Repeat referral",
}

# docs/rules.md 3.2: 3 or more incidents in 12 months (some areas use 5 call-outs) [S40, S42]; a new
# incident within 12 months of the last MARAC is a repeat referral. 12 months = 365 days (above).
ESCALATION_INCIDENTS = 3
ESCALATION_WINDOW_DAYS = 365
REPEAT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class MaracFacts:
    """What the referral decision needs about one incident, read from the records."""

    score: int  # the DASH score: the count of "yes" answers
    judgement_referral: bool  # the officer refers on professional judgement
    judgement_reason: str
    incident_at: datetime
    # Other incidents with the same victim, at any time: later ones are ignored.
    earlier_incidents_same_victim: tuple[datetime, ...]
    last_marac_referral_at: datetime | None
    # docs/rules.md 3.2 and 3.4: the force's potential-escalation count, 3 or 5.
    escalation_incidents: int = ESCALATION_INCIDENTS


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON) if moment.tzinfo is not None else moment


def _day(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%b}"


def _date(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%b %Y}"


def escalation_incidents(facts: MaracFacts) -> list[datetime]:
    """This incident and the same victim's earlier ones within the window before it, oldest
    first. Incidents after this one are not counted: they cannot have led to it."""
    start = facts.incident_at - timedelta(days=ESCALATION_WINDOW_DAYS)
    earlier = {t for t in facts.earlier_incidents_same_victim if start <= t <= facts.incident_at}
    return sorted(earlier | {facts.incident_at})


def marac_routes(facts: MaracFacts) -> list[tuple[Route, str]]:
    """Each MARAC route that applies to the incident, with its reason in plain words
    (docs/rules.md 3.2), in the order the routes are listed there."""
    routes = []
    if facts.score >= HIGH_THRESHOLD:
        routes.append(
            (Route.VISIBLE_HIGH_RISK, f"DASH score {facts.score} ({HIGH_THRESHOLD} or more)")
        )
    if facts.judgement_referral:
        reason = facts.judgement_reason.strip() or Route.PROFESSIONAL_JUDGEMENT.label
        routes.append((Route.PROFESSIONAL_JUDGEMENT, reason))
    incidents = escalation_incidents(facts)
    if len(incidents) >= facts.escalation_incidents:
        dates = ", ".join(_day(t) for t in incidents)
        reason = f"{_ordinal(len(incidents))} incident in 12 months with the same victim: {dates}"
        routes.append((Route.POTENTIAL_ESCALATION, reason))
    last = facts.last_marac_referral_at
    if last is not None and last <= facts.incident_at <= last + timedelta(days=REPEAT_WINDOW_DAYS):
        reason = f"New incident within 12 months of the MARAC referral on {_date(last)}"
        routes.append((Route.REPEAT_REFERRAL, reason))
    return routes


JUDGEMENT_NEEDS_REASON = "Enter why professional judgement makes this a MARAC referral"


def judgement_problems(*, judgement_referral: bool, reason: str) -> list[tuple[str, str]]:
    """A referral on professional judgement alone needs its reason (docs/rules.md 3.2)."""
    if judgement_referral and not reason.strip():
        return [("judgement_reason", JUDGEMENT_NEEDS_REASON)]
    return []
