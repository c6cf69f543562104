"""How a record is named on every page, list and message: its reference and its subject.

"CP-2026-000376 Benjamin Smith (12)": the case reference, the first subject child's full name
and their age on the London date. A case about several children names the first recorded and
says how many more ("CP-2026-000376 Benjamin Smith (12) + 2 more"); a child of unknown age is
named without one. A database number is never a name (docs/naming.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    full_name: str
    age: int | None


def subject_label(subject: Subject) -> str:
    """A child as lists show them: "Benjamin Smith (12)", or the name alone when no age."""
    if subject.age is None:
        return subject.full_name
    return f"{subject.full_name} ({subject.age})"


def record_name(reference: str, subjects: Sequence[Subject]) -> str:
    """The one name of a case (or a record on it) for people: reference, first subject, age."""
    if not subjects:
        return reference
    name = f"{reference} {subject_label(subjects[0])}"
    if len(subjects) > 1:
        name += f" + {len(subjects) - 1} more"
    return name
