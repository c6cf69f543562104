"""The referral decision recorded when a case is triaged: what happens next, and why.

# docs/rules.md 5.1: Working Together 2023 ch. 2-4, the outcomes of a referral decision
"""

from enum import StrEnum

Problems = list[tuple[str, str]]

DECISION_REQUIRED = "Choose the referral decision"
DECISION_UNKNOWN = "Choose one of the referral decisions listed"
REASON_REQUIRED = "Enter the reason for the referral decision"
REASON_MAX = 5000
REASON_TOO_LONG = f"The reason must be {REASON_MAX:,} characters or fewer"


class ReferralDecision(StrEnum):
    # docs/rules.md 5.1: no further action (no concern needing services)
    NO_FURTHER_ACTION = "no_further_action"
    # docs/rules.md 5.1: early help (WT 2023 ch. 2)
    EARLY_HELP = "early_help"
    # docs/rules.md 5.1: child in need assessment (Children Act 1989 s17; WT 2023 ch. 3)
    CHILD_IN_NEED = "child_in_need"
    # docs/rules.md 5.1: reasonable cause to suspect significant harm: a strategy discussion
    # and section 47 enquiries (Children Act 1989 s47; WT 2023 ch. 4)
    STRATEGY_DISCUSSION = "strategy_discussion"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {
    ReferralDecision.NO_FURTHER_ACTION: "No further action",
    ReferralDecision.EARLY_HELP: "Early help",
    ReferralDecision.CHILD_IN_NEED: "Section 17: child in need assessment",
    ReferralDecision.STRATEGY_DISCUSSION: "Section 47: strategy discussion and enquiries",
}

DECISION_HINTS = {
    ReferralDecision.NO_FURTHER_ACTION: "No concern that needs police or social care action",
    ReferralDecision.EARLY_HELP: "Needs support from early help services",
    ReferralDecision.CHILD_IN_NEED: "Refer to children's social care for an assessment",
    ReferralDecision.STRATEGY_DISCUSSION: "Reasonable cause to suspect the child is suffering, or "
    "is likely to suffer, significant harm",
}


def triage_problems(*, decision: str, reason: str) -> Problems:
    """A case is triaged with a referral decision and its reason (WT 2023: decisions about a
    child are recorded with their reasons)."""
    problems: Problems = []
    if not decision.strip():
        problems.append(("decision", DECISION_REQUIRED))
    elif decision not in set(ReferralDecision):
        problems.append(("decision", DECISION_UNKNOWN))
    if not reason.strip():
        problems.append(("reason", REASON_REQUIRED))
    elif len(reason) > REASON_MAX:
        problems.append(("reason", REASON_TOO_LONG))
    return problems
