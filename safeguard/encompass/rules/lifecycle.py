"""An Operation Encompass notification as one transition table (docs/rules.md 4): made "to
resolve" (no known school or local authority) or "to review"; resolved to its school or local
authority; reviewed and queued to send; sent once an email is delivered to a key adult (or
undelivered when every email was given up, then queued again or told by another route);
acknowledged by the key adult. Reading it is a receipt, not a step. A status literal is written
here and nowhere else."""

from enum import StrEnum

from safeguard.core.lifecycle import Edge, IllegalTransition, Lifecycle

__all__ = ["NOTIFICATION_LIFECYCLE", "IllegalTransition", "NotificationStatus", "Step"]


class NotificationStatus(StrEnum):
    TO_RESOLVE = "to_resolve"
    TO_REVIEW = "to_review"
    SENDING = "sending"  # queued in the outbox: not yet delivered (docs/rules.md 4.3)
    UNDELIVERED = "undelivered"  # every email was given up: the desk must act
    SENT = "sent"  # delivered to a key adult (or told by another route)
    ACKNOWLEDGED = "acknowledged"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    NotificationStatus.TO_RESOLVE: "School to resolve",
    NotificationStatus.TO_REVIEW: "To review and send",
    NotificationStatus.SENDING: "Sending",
    NotificationStatus.UNDELIVERED: "Not delivered",
    NotificationStatus.SENT: "Sent",
    NotificationStatus.ACKNOWLEDGED: "Acknowledged",
}
# Not yet delivered: the clock runs (docs/clocks.md encompass.notification).
UNSENT = (
    NotificationStatus.TO_RESOLVE,
    NotificationStatus.TO_REVIEW,
    NotificationStatus.SENDING,
    NotificationStatus.UNDELIVERED,
)
# Waiting for the desk: a school to resolve, or to review and send.
TO_SEND = (NotificationStatus.TO_RESOLVE, NotificationStatus.TO_REVIEW)
# Delivered: the key adult has it.
DELIVERED = (NotificationStatus.SENT, NotificationStatus.ACKNOWLEDGED)


class Step(StrEnum):
    RESOLVE = "resolve"
    SEND = "send"
    DELIVER = "deliver"
    GIVE_UP = "give_up"
    RETRY = "retry"
    OTHER_ROUTE = "other_route"
    ACKNOWLEDGE = "acknowledge"

    @property
    def label(self) -> str:
        return {
            Step.RESOLVE: "Resolve",
            Step.SEND: "Send",
            Step.DELIVER: "Deliver",
            Step.GIVE_UP: "Give up delivering",
            Step.RETRY: "Send the email again",
            Step.OTHER_ROUTE: "Record another route",
            Step.ACKNOWLEDGE: "Acknowledge",
        }[self]


N = NotificationStatus
NOTIFICATION_LIFECYCLE: Lifecycle[NotificationStatus, Step] = Lifecycle(
    noun="notification",
    steps={
        Step.RESOLVE: Edge(frozenset({N.TO_RESOLVE}), N.TO_REVIEW),
        Step.SEND: Edge(frozenset({N.TO_REVIEW}), N.SENDING),
        # The outbox delivered an email to a key adult (one is enough: the school has it).
        Step.DELIVER: Edge(frozenset({N.SENDING, N.UNDELIVERED}), N.SENT),
        # Every key adult's email was given up (refused, or too many attempts).
        Step.GIVE_UP: Edge(frozenset({N.SENDING}), N.UNDELIVERED),
        Step.RETRY: Edge(frozenset({N.UNDELIVERED}), N.SENDING),
        # The desk told the school another way (a phone call to the DSL): that is the delivery.
        Step.OTHER_ROUTE: Edge(frozenset({N.SENDING, N.UNDELIVERED}), N.SENT),
        # A key adult who acknowledges it in Safeguard has it, however the email fared.
        Step.ACKNOWLEDGE: Edge(frozenset({N.SENDING, N.UNDELIVERED, N.SENT}), N.ACKNOWLEDGED),
    },
)


def initial_status(*, resolved: bool) -> NotificationStatus:
    """A new notification with its school or local authority is ready to review; without, it
    waits to be resolved (never dropped)."""
    return N.TO_REVIEW if resolved else N.TO_RESOLVE
