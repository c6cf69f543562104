"""A missing episode's lifecycle as one transition table (docs/rules.md 1.2, 1.3).

missing -> found (or returned). While the child is missing the risk is graded, reviewed by a
supervisor and reviewed again and again; once found, the prevention interview and the return
home interview follow. The episode's case closes through the cases lifecycle, not here. The
status literals are written here and nowhere else (the model's choices read them).
"""

from enum import StrEnum

from safeguard.core.lifecycle import Edge, IllegalTransition, Lifecycle

__all__ = [
    "EPISODE_LIFECYCLE",
    "EpisodeStatus",
    "EpisodeStep",
    "IllegalTransition",
    "refusal",
]


class EpisodeStatus(StrEnum):
    MISSING = "missing"
    FOUND = "found"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    EpisodeStatus.MISSING: "Missing",
    EpisodeStatus.FOUND: "Found or returned",
}


class EpisodeStep(StrEnum):
    REGRADE = "regrade"
    SUPERVISOR_REVIEW = "supervisor_review"
    RISK_REVIEW = "risk_review"
    RECORD_FOUND = "found"
    PREVENTION_INTERVIEW = "prevention_interview"
    RETURN_INTERVIEW = "return_interview"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {
    EpisodeStep.REGRADE: "Change the risk grade",
    EpisodeStep.SUPERVISOR_REVIEW: "Review the risk grade",
    EpisodeStep.RISK_REVIEW: "Review the risk",
    EpisodeStep.RECORD_FOUND: "Record found or returned",
    EpisodeStep.PREVENTION_INTERVIEW: "Record the prevention interview",
    EpisodeStep.RETURN_INTERVIEW: "Record the return home interview",
}

MISSING = frozenset({EpisodeStatus.MISSING})
FOUND = frozenset({EpisodeStatus.FOUND})

# The one table. Attendance, the duty inspector's acknowledgement, photos and plan items are
# taken in either status (a late record of an attendance is still a record), so they are not
# steps of the table; their guards are in services.
EPISODE_LIFECYCLE: Lifecycle[EpisodeStatus, EpisodeStep] = Lifecycle(
    noun="missing episode",
    steps={
        EpisodeStep.REGRADE: Edge(MISSING, EpisodeStatus.MISSING),
        EpisodeStep.SUPERVISOR_REVIEW: Edge(MISSING, EpisodeStatus.MISSING),
        EpisodeStep.RISK_REVIEW: Edge(MISSING, EpisodeStatus.MISSING),
        EpisodeStep.RECORD_FOUND: Edge(MISSING, EpisodeStatus.FOUND),
        EpisodeStep.PREVENTION_INTERVIEW: Edge(FOUND, EpisodeStatus.FOUND),
        EpisodeStep.RETURN_INTERVIEW: Edge(FOUND, EpisodeStatus.FOUND),
    },
)

NOT_MISSING = "This child is no longer recorded as missing"
NOT_FOUND_YET = "Record that the child was found or returned first"


def refusal(status: str, step: EpisodeStep) -> str | None:
    """Why the table refuses a step from a status, in the words the pages show; None if not."""
    if EPISODE_LIFECYCLE.can(EpisodeStatus(status), step):
        return None
    return NOT_MISSING if EPISODE_LIFECYCLE.steps[step].sources == MISSING else NOT_FOUND_YET
