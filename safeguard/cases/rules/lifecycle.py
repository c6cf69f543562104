"""The case lifecycle as one transition table, with guards that explain a refusal.

received → triaged → allocated → investigating → awaiting closure approval → closed,
plus sending a closure request back, and reopening a closed case (a reason is required).
"""

from enum import StrEnum

from safeguard.core.lifecycle import Edge, IllegalTransition, Lifecycle

__all__ = ["CASE_LIFECYCLE", "IllegalTransition", "Status", "Transition"]


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
    REALLOCATE = "reallocate"
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
    Transition.REALLOCATE: "Re-allocate",
    Transition.START_INVESTIGATION: "Start investigation",
    Transition.REQUEST_CLOSURE: "Request closure",
    Transition.APPROVE_CLOSURE: "Approve closure",
    Transition.RETURN_FOR_WORK: "Return for more work",
    Transition.REOPEN: "Reopen",
}


S = Status
# The one table. A supervisor may re-allocate an allocated or investigating case: the new owner
# takes it as it stands, so its status is kept (an investigation under way stays under way).
CASE_LIFECYCLE: Lifecycle[Status, "Transition"] = Lifecycle(
    noun="case",
    steps={
        Transition.TRIAGE: Edge(frozenset({S.RECEIVED}), S.TRIAGED),
        Transition.ALLOCATE: Edge(frozenset({S.TRIAGED}), S.ALLOCATED),
        Transition.REALLOCATE: Edge(frozenset({S.ALLOCATED, S.INVESTIGATING}), None),
        Transition.START_INVESTIGATION: Edge(frozenset({S.ALLOCATED}), S.INVESTIGATING),
        Transition.REQUEST_CLOSURE: Edge(frozenset({S.INVESTIGATING}), S.AWAITING_CLOSURE),
        Transition.APPROVE_CLOSURE: Edge(frozenset({S.AWAITING_CLOSURE}), S.CLOSED),
        Transition.RETURN_FOR_WORK: Edge(
            frozenset({S.AWAITING_CLOSURE}), S.INVESTIGATING, needs_reason=True
        ),
        Transition.REOPEN: Edge(frozenset({S.CLOSED}), S.INVESTIGATING, needs_reason=True),
    },
)
TRANSITIONS = CASE_LIFECYCLE.steps


def allowed_transitions(status: Status) -> list[Transition]:
    """The transitions the table allows from a status, in table order."""
    return CASE_LIFECYCLE.allowed(status)


def next_status(status: Status, transition: str) -> Status:
    """Where a transition leads from `status`, or IllegalTransition naming the allowed ones."""
    return CASE_LIFECYCLE.next_status(status, transition)


def needs_reason(transition: Transition) -> bool:
    return CASE_LIFECYCLE.needs_reason(transition)


def is_closed(status: str) -> bool:
    """Closed cases take no work until a supervisor reopens them."""
    return status == Status.CLOSED
