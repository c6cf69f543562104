"""The case lifecycle as one transition table, with guards that explain a refusal.

received → triaged → allocated → investigating → awaiting closure approval → closed,
plus sending a closure request back, and reopening a closed case (a reason is required).
"""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    ALLOCATED = "allocated"
    INVESTIGATING = "investigating"
    AWAITING_CLOSURE = "awaiting_closure"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.RECEIVED: "Received",
    Status.TRIAGED: "Triaged",
    Status.ALLOCATED: "Allocated",
    Status.INVESTIGATING: "Investigating",
    Status.AWAITING_CLOSURE: "Awaiting closure approval",
    Status.CLOSED: "Closed",
}


class Transition(StrEnum):
    TRIAGE = "triage"
    ALLOCATE = "allocate"
    START_INVESTIGATION = "start_investigation"
    REQUEST_CLOSURE = "request_closure"
    APPROVE_CLOSURE = "approve_closure"
    RETURN_FOR_WORK = "return_for_work"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return TRANSITION_LABELS[self]


TRANSITION_LABELS = {
    Transition.TRIAGE: "Triage",
    Transition.ALLOCATE: "Allocate",
    Transition.START_INVESTIGATION: "Start investigation",
    Transition.REQUEST_CLOSURE: "Request closure",
    Transition.APPROVE_CLOSURE: "Approve closure",
    Transition.RETURN_FOR_WORK: "Return for more work",
    Transition.REOPEN: "Reopen",
}


@dataclass(frozen=True)
class Edge:
    sources: frozenset[Status]
    target: Status
    needs_reason: bool = False


S = Status
# The one table. A supervisor may re-allocate an allocated or investigating case.
TRANSITIONS: dict[Transition, Edge] = {
    Transition.TRIAGE: Edge(frozenset({S.RECEIVED}), S.TRIAGED),
    Transition.ALLOCATE: Edge(frozenset({S.TRIAGED, S.ALLOCATED, S.INVESTIGATING}), S.ALLOCATED),
    Transition.START_INVESTIGATION: Edge(frozenset({S.ALLOCATED}), S.INVESTIGATING),
    Transition.REQUEST_CLOSURE: Edge(frozenset({S.INVESTIGATING}), S.AWAITING_CLOSURE),
    Transition.APPROVE_CLOSURE: Edge(frozenset({S.AWAITING_CLOSURE}), S.CLOSED),
    Transition.RETURN_FOR_WORK: Edge(
        frozenset({S.AWAITING_CLOSURE}), S.INVESTIGATING, needs_reason=True
    ),
    Transition.REOPEN: Edge(frozenset({S.CLOSED}), S.INVESTIGATING, needs_reason=True),
}


class IllegalTransition(Exception):
    """The transition cannot be made from this status; the message names the ones that can."""

    def __init__(self, status: Status, transition: str) -> None:
        self.status = status
        self.transition = transition
        self.allowed = allowed_transitions(status)
        allowed = ", ".join(t.label.lower() for t in self.allowed) or "none"
        name = (
            TRANSITION_LABELS.get(Transition(transition), transition).lower()
            if (transition in Transition.__members__.values())
            else transition
        )
        super().__init__(
            f"A case that is {status.label.lower()} cannot '{name}'. Allowed from here: {allowed}."
        )


def allowed_transitions(status: Status) -> list[Transition]:
    """The transitions the table allows from a status, in table order."""
    return [name for name, edge in TRANSITIONS.items() if status in edge.sources]


def next_status(status: Status, transition: str) -> Status:
    """Where a transition leads from `status`, or IllegalTransition naming the allowed ones."""
    try:
        edge = TRANSITIONS[Transition(transition)]
    except ValueError:
        raise IllegalTransition(status, transition) from None
    if status not in edge.sources:
        raise IllegalTransition(status, transition)
    return edge.target


def needs_reason(transition: Transition) -> bool:
    return TRANSITIONS[transition].needs_reason
