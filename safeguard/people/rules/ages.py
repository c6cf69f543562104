"""Dates of birth and ages. A child is a person under 18 (Children Act 1989 s105)."""

from datetime import date

CHILD_UNDER = 18
DOB_IN_FUTURE = "Date of birth must be today or in the past"
DOB_TOO_OLD = "Date of birth must be after 1 January 1900"
AGE_OR_DOB = "Enter a date of birth or an estimated age, not both"
AGE_RANGE = "Estimated age must be between 0 and 120"


def age_on(date_of_birth: date, today: date) -> int:
    years = today.year - date_of_birth.year
    return years - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


def dob_problems(
    *, date_of_birth: date | None, estimated_age: int | None, today: date
) -> list[tuple[str, str]]:
    problems = []
    if date_of_birth is not None:
        if date_of_birth > today:
            problems.append(("date_of_birth", DOB_IN_FUTURE))
        elif date_of_birth < date(1900, 1, 1):
            problems.append(("date_of_birth", DOB_TOO_OLD))
        if estimated_age is not None:
            problems.append(("estimated_age", AGE_OR_DOB))
    elif estimated_age is not None and not 0 <= estimated_age <= 120:
        problems.append(("estimated_age", AGE_RANGE))
    return problems
