"""APP risk grading for a missing child: a suggested grade from a structured question set, and
the rules for choosing a grade against the suggestion.

The APP sets the continuum and what each grade means (docs/rules.md 1.2) but no formula, so the
suggestion is a force's aid to judgement, never the decision: the officer chooses, may always
choose higher, and needs a supervisor's agreement and a rationale to choose lower.
"""

from dataclasses import dataclass
from enum import StrEnum


class Grade(StrEnum):
    # APP 2016 continuum (docs/rules.md 1.2), lowest first.
    NO_APPARENT_RISK = "no_apparent_risk"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(Grade).index(self)


GRADE_LABELS = {
    Grade.NO_APPARENT_RISK: "No apparent risk (absent)",
    Grade.LOW: "Low",
    Grade.MEDIUM: "Medium",
    Grade.HIGH: "High",
}


class MissingFrom(StrEnum):
    HOME = "home"
    CARE = "care"  # a care placement: the responsible local authority is recorded too
    SCHOOL = "school"
    HOSPITAL = "hospital"
    ELSEWHERE = "elsewhere"


class Indicator(StrEnum):
    """Exploitation indicators (docs/rules.md 8; DfE 2017, Home Office 2018)."""

    LATE_OR_MISSING = "late_or_missing"
    SCHOOL_ABSENCE = "school_absence"
    MONEY_OR_GIFTS = "money_or_gifts"
    PHONES = "phones"
    OLDER_ASSOCIATES = "older_associates"
    CARS_OR_TRAVEL = "cars_or_travel"
    DRUGS_OR_WEAPONS = "drugs_or_weapons"
    HEALTH_SIGNS = "health_signs"
    ARRESTS = "arrests"
    THREATS_TO_FAMILY = "threats_to_family"

    @property
    def label(self) -> str:
        return INDICATOR_LABELS[self]


INDICATOR_LABELS = {
    Indicator.LATE_OR_MISSING: "going missing or coming home late",
    Indicator.SCHOOL_ABSENCE: "absent from school",
    Indicator.MONEY_OR_GIFTS: "unexplained money or gifts",
    Indicator.PHONES: "multiple or secret phones",
    Indicator.OLDER_ASSOCIATES: "older or unknown associates, or a new peer group",
    Indicator.CARS_OR_TRAVEL: "picked up in cars, or travelling out of area",
    Indicator.DRUGS_OR_WEAPONS: "drug debts, carrying drugs or weapons",
    Indicator.HEALTH_SIGNS: "STIs, injuries, substance misuse or self-harm",
    Indicator.ARRESTS: "arrests",
    Indicator.THREATS_TO_FAMILY: "threats made to the family",
}


@dataclass(frozen=True)
class RiskFactors:
    """The answers to the structured questions at the time of the report."""

    age_years: int
    missing_from: MissingFrom
    self_harm_or_suicide_risk: bool = False
    urgent_medication_or_health_need: bool = False
    suspected_victim_of_crime: bool = False
    out_of_character: bool = False
    indicators: frozenset[Indicator] = frozenset()
    episodes_in_last_90_days: int = 0


# [local] the young-child threshold: a force policy default, not national guidance.
YOUNG_CHILD_UNDER = 12


@dataclass(frozen=True)
class Suggestion:
    grade: Grade
    reasons: tuple[str, ...]


def suggest_grade(factors: RiskFactors) -> Suggestion:
    """The lowest grade the answers support, with the answers that led to it."""
    high = []
    if factors.self_harm_or_suicide_risk:
        high.append("risk of self-harm or suicide")
    if factors.urgent_medication_or_health_need:
        high.append("urgent medication or health need")
    if factors.suspected_victim_of_crime:
        high.append("may be the victim of a crime")
    if factors.age_years < YOUNG_CHILD_UNDER:
        high.append(f"aged {factors.age_years}")
    if len(factors.indicators) >= 2:
        high.append(f"{len(factors.indicators)} exploitation indicators")
    if high:
        return Suggestion(Grade.HIGH, tuple(high))
    medium = []
    if factors.indicators:
        indicator = next(iter(factors.indicators))  # one: two or more is high
        medium.append(f"exploitation indicator: {indicator.label}")
    if factors.missing_from == MissingFrom.CARE:
        medium.append("missing from a care placement")
    if factors.episodes_in_last_90_days >= 2:
        medium.append(f"{factors.episodes_in_last_90_days} earlier episodes in 90 days")
    if medium:
        return Suggestion(Grade.MEDIUM, tuple(medium))
    if factors.out_of_character:
        return Suggestion(Grade.LOW, ("out of character",))
    return Suggestion(Grade.NO_APPARENT_RISK, ("no risk factor recorded",))


RATIONALE_REQUIRED = "Enter the rationale for this risk grade"
LOWER_NEEDS_SUPERVISOR = (
    "A grade lower than the suggested {suggested} needs a supervisor's agreement and rationale"
)


def grade_problems(
    *, suggested: Grade, chosen: Grade, rationale: str, supervisor_agreed: bool
) -> list[tuple[str, str]]:
    """Choosing a grade: always with a rationale; lower than suggested only with a supervisor."""
    problems = []
    if not rationale.strip():
        problems.append(("rationale", RATIONALE_REQUIRED))
    if chosen.rank < suggested.rank and not supervisor_agreed:
        problems.append(("grade", LOWER_NEEDS_SUPERVISOR.format(suggested=suggested.label.lower())))
    return problems


# Photos of a missing child: what an upload must be (checked in services with Pillow).
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_NOT_IMAGE = "The photo must be a JPEG, PNG or WebP image"
PHOTO_TOO_LARGE = "The photo must be smaller than 5 MB"
PHOTO_EMPTY = "The selected photo is empty"


def photo_problems(*, size: int, image_format: str | None) -> list[tuple[str, str]]:
    if size == 0:
        return [("photo", PHOTO_EMPTY)]
    if size > PHOTO_MAX_BYTES:
        return [("photo", PHOTO_TOO_LARGE)]
    if image_format not in PHOTO_FORMATS:
        return [("photo", PHOTO_NOT_IMAGE)]
    return []
