"""A record's lifecycle as one transition table, pure: which step leads where from which status.

Each context declares its table once (cases, missing episodes, Encompass notifications, domestic
abuse triage) in its rules/, and its services ask the table, so a status literal such as
"closed" is written in one place. A refused step names the steps allowed from here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)
T = TypeVar("T", bound=StrEnum)


@dataclass(frozen=True)
class Edge(Generic[S]):
    sources: frozenset[S]
    # None: the step keeps the record's status (a case re-allocated while investigated).
    target: S | None
    needs_reason: bool = False


class IllegalTransition(Exception):
    """The step cannot be taken from this status; the message names the ones that can."""

    def __init__(
        self, *, noun: str, status: StrEnum, step: StrEnum | str, allowed: list[StrEnum]
    ) -> None:
        self.status = status
        self.transition = step
        self.allowed = allowed
        names = ", ".join(_label(t).lower() for t in allowed) or "none"
        said = _label(step).lower() if isinstance(step, StrEnum) else step
        super().__init__(
            f"A {noun} that is {_label(status).lower()} cannot '{said}'. "
            f"Allowed from here: {names}."
        )


def _label(value: StrEnum) -> str:
    return str(getattr(value, "label", value.value.replace("_", " ")))


@dataclass(frozen=True)
class Lifecycle(Generic[S, T]):
    """The one table of a kind of record: `noun` names it in refusals ("case", "episode")."""

    noun: str
    steps: Mapping[T, Edge[S]]

    def allowed(self, status: S) -> list[T]:
        """The steps the table allows from a status, in table order."""
        return [step for step, edge in self.steps.items() if status in edge.sources]

    def next_status(self, status: S, step: T | str) -> S:
        """Where a step leads from `status`, or IllegalTransition naming the allowed ones."""
        key = next((name for name in self.steps if name == str(step)), None)
        edge = self.steps[key] if key is not None else None
        if edge is None or status not in edge.sources:
            raise IllegalTransition(
                noun=self.noun,
                status=status,
                step=key if key is not None else step,
                allowed=list(self.allowed(status)),
            )
        return edge.target if edge.target is not None else status

    def needs_reason(self, step: T) -> bool:
        return self.steps[step].needs_reason

    def can(self, status: S, step: T) -> bool:
        return status in self.steps[step].sources
