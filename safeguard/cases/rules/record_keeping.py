"""Guards for what a case record must hold: dates, decisions, the voice of the child, closure.

Each returns a list of (field, message) problems; an empty list means the input is acceptable.
"""

from dataclasses import dataclass
from datetime import date, datetime

Problems = list[tuple[str, str]]

RATIONALE_REQUIRED = "Enter the rationale for this decision"
DECISION_REQUIRED = "Enter the decision"
REFERRAL_IN_FUTURE = "The date the referral was received must be today or in the past"
SEEN_IN_FUTURE = "The date the child was seen must be today or in the past"
SEEN_BEFORE_REFERRAL = "The date the child was seen must be on or after the referral was received"
NOT_SEEN_REASON_REQUIRED = "Enter why the child was not seen or not spoken to"
SEEN_AT_REQUIRED = "Enter when the child was seen"
WORDS_REQUIRED = "Enter what the child said, or how they communicated"
DEMEANOUR_REQUIRED = "Enter how the child seemed"
RISK_RATIONALE_REQUIRED = "Enter the rationale for the risk grade"
REASON_REQUIRED = "Enter the reason"
DUE_IN_PAST = "The due date must be today or in the future"


def decision_problems(*, decision: str, rationale: str) -> Problems:
    """Working Together 2023: every decision about a child is recorded with its reasons."""
    problems: Problems = []
    if not decision.strip():
        problems.append(("decision", DECISION_REQUIRED))
    if not rationale.strip():
        problems.append(("rationale", RATIONALE_REQUIRED))
    return problems


def referral_problems(*, received_at: datetime, now: datetime) -> Problems:
    return [("received_at", REFERRAL_IN_FUTURE)] if received_at > now else []


def risk_problems(*, rationale: str) -> Problems:
    return [("risk_rationale", RISK_RATIONALE_REQUIRED)] if not rationale.strip() else []


@dataclass(frozen=True)
class VoiceInput:
    """What an officer records about seeing and hearing a child."""

    seen: bool
    seen_at: datetime | None
    spoken_to: bool
    spoken_to_alone: bool
    child_said: str
    demeanour: str
    not_seen_reason: str


def voice_problems(voice: VoiceInput, *, referral_received_at: datetime, now: datetime) -> Problems:
    """The voice of the child (Working Together 2023, ch.1): seen, heard, or the reason why not."""
    problems: Problems = []
    if voice.seen:
        if voice.seen_at is None:
            problems.append(("seen_at", SEEN_AT_REQUIRED))
        elif voice.seen_at > now:
            problems.append(("seen_at", SEEN_IN_FUTURE))
        elif voice.seen_at < referral_received_at:
            problems.append(("seen_at", SEEN_BEFORE_REFERRAL))
        if not voice.demeanour.strip():
            problems.append(("demeanour", DEMEANOUR_REQUIRED))
    if voice.spoken_to and not voice.child_said.strip():
        problems.append(("child_said", WORDS_REQUIRED))
    if (not voice.seen or not voice.spoken_to) and not voice.not_seen_reason.strip():
        problems.append(("not_seen_reason", NOT_SEEN_REASON_REQUIRED))
    return problems


def action_problems(*, due_on: date, today: date) -> Problems:
    return [("due_on", DUE_IN_PAST)] if due_on < today else []


def reason_problems(*, reason: str) -> Problems:
    return [("reason", REASON_REQUIRED)] if not reason.strip() else []


@dataclass(frozen=True)
class ClosureFacts:
    """What closure depends on, read from the record by the service."""

    subject_child_names: tuple[str, ...]
    children_with_voice: frozenset[str]
    approver_is_supervisor: bool
    approver_investigated: bool


NO_SUBJECT_CHILD = "Add the child this case is about before asking to close it"
NOT_A_SUPERVISOR = "Only a supervisor can approve a closure"
OWN_CASE = "You investigated this case, so another supervisor must approve its closure"


def voice_missing_problems(facts: ClosureFacts) -> Problems:
    """Working Together 2023: a case is not closed until each child was seen and heard, or
    the record says why not."""
    if not facts.subject_child_names:
        return [("people", NO_SUBJECT_CHILD)]
    return [
        ("voice", f"Record the voice of the child for {name} before closure")
        for name in facts.subject_child_names
        if name not in facts.children_with_voice
    ]


def closure_approval_problems(facts: ClosureFacts) -> Problems:
    """A supervisor who did not investigate the case approves its closure (HMICFRS NCPI:
    supervision must be independent and recorded)."""
    problems = voice_missing_problems(facts)
    if not facts.approver_is_supervisor:
        problems.append(("approver", NOT_A_SUPERVISOR))
    elif facts.approver_investigated:
        problems.append(("approver", OWN_CASE))
    return problems
