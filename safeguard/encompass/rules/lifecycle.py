"""An Operation Encompass notification as one transition table (docs/rules.md 4): made "to
resolve" (no known school or local authority) or "to review"; resolved to its school or local
authority; reviewed and sent; acknowledged by the key adult. Reading it is a receipt, not a
step. A status literal is written here and nowhere else."""

from enum import StrEnum

from safeguard.core.lifecycle import Edge, IllegalTransition, Lifecycle

__all__ = ["NOTIFICATION_LIFECYCLE", "IllegalTransition", "NotificationStatus", "Step"]


class NotificationStatus(StrEnum):
    TO_RESOLVE = "to_resolve"
    TO_REVIEW = "to_review"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    NotificationStatus.TO_RESOLVE: "School to resolve",
    NotificationStatus.TO_REVIEW: "To review and send",
    NotificationStatus.SENT: "Sent",
    NotificationStatus.ACKNOWLEDGED: "Acknowledged",
}
UNSENT = (NotificationStatus.TO_RESOLVE, NotificationStatus.TO_REVIEW)


class Step(StrEnum):
    RESOLVE = "resolve"
    SEND = "send"
    ACKNOWLEDGE = "acknowledge"

    @property
    def label(self) -> str:
        return {Step.RESOLVE: "Resolve", Step.SEND: "Send", Step.ACKNOWLEDGE: "Acknowledge"}[self]


N = NotificationStatus
NOTIFICATION_LIFECYCLE: Lifecycle[NotificationStatus, Step] = Lifecycle(
    noun="notification",
    steps={
        Step.RESOLVE: Edge(frozenset({N.TO_RESOLVE}), N.TO_REVIEW),
        Step.SEND: Edge(frozenset({N.TO_REVIEW}), N.SENT),
        Step.ACKNOWLEDGE: Edge(frozenset({N.SENT}), N.ACKNOWLEDGED),
    },
)


def initial_status(*, resolved: bool) -> NotificationStatus:
    """A new notification with its school or local authority is ready to review; without, it
    waits to be resolved (never dropped)."""
    return N.TO_REVIEW if resolved else N.TO_RESOLVE
