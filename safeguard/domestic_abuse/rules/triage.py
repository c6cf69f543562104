"""The triage queue of a domestic abuse incident as one transition table (docs/rules.md 3.1):
awaiting secondary assessment, claimed by (or assigned to) one member of the triage unit, then
assessed. A status literal is written here and nowhere else."""

from enum import StrEnum

from safeguard.core.lifecycle import Edge, IllegalTransition, Lifecycle

__all__ = ["TRIAGE_LIFECYCLE", "IllegalTransition", "Step", "TriageStatus"]


class TriageStatus(StrEnum):
    AWAITING = "awaiting"
    CLAIMED = "claimed"
    DONE = "done"

    @property
    def label(self) -> str:
        return TRIAGE_LABELS[self]


TRIAGE_LABELS = {
    TriageStatus.AWAITING: "Awaiting secondary assessment",
    TriageStatus.CLAIMED: "Being assessed",
    TriageStatus.DONE: "Assessed",
}
# Waiting or being assessed: the queue.
OPEN = (TriageStatus.AWAITING, TriageStatus.CLAIMED)


class Step(StrEnum):
    CLAIM = "claim"
    ASSIGN = "assign"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {Step.CLAIM: "Claim", Step.ASSIGN: "Assign", Step.COMPLETE: "Complete"}[self]


T = TriageStatus
TRIAGE_LIFECYCLE: Lifecycle[TriageStatus, Step] = Lifecycle(
    noun="incident",
    steps={
        # Claiming again is yours already; a supervisor may reassign one being assessed.
        Step.CLAIM: Edge(frozenset(OPEN), T.CLAIMED),
        Step.ASSIGN: Edge(frozenset(OPEN), T.CLAIMED),
        Step.COMPLETE: Edge(frozenset({T.CLAIMED}), T.DONE),
    },
)


def is_open(status: TriageStatus) -> bool:
    """Still in the queue: not yet assessed."""
    return status in OPEN
