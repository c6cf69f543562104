"""The case clocks: how soon a referral is decided, the children seen, and the case supervised.

Each starts at the event docs/clocks.md names, read from the case: the referral decision and
the child-seen clocks when the referral was RECEIVED (`received_at`, however much later it was
entered), the first review at allocation, the next review at the previous review. The
child-seen clock stops when the last subject child was first seen (`subjects_seen_at`).

Derived from the case's stored times and the force's policy whenever the case changes
(`core.clocks.clocks_rederive`), never counted. Registered at start-up (apps.py).
"""

from datetime import datetime

from safeguard.cases.models import Case
from safeguard.cases.rules.lifecycle import is_closed
from safeguard.core.calendars import add_working_days
from safeguard.core.clocks import ClockDefinition, Derived, clock_register
from safeguard.supervision import rules
from safeguard.supervision.models import Review
from safeguard.supervision.selectors import policy_for

TRIAGE = clock_register(
    ClockDefinition(
        name="case.triage",
        title="Referral decision",
        starts="the referral is received",
        stops="the case is triaged",
        rule="1 working day (England and Wales bank holidays)",
        source="Working Together to Safeguard Children 2023: a decision within 1 working day",
    )
)
CHILD_SEEN = clock_register(
    ClockDefinition(
        name="case.child_seen",
        title="Child seen and spoken to",
        starts="the referral is received",
        stops="every subject child is seen (a missing child found with their condition "
        "recorded counts as seen); a subject child added later reopens it",
        rule="by risk grade: high 24 hours, medium 3 and standard 5 working days",
        source="Force policy (HMICFRS found a child not spoken to for five weeks)",
    )
)
INITIAL_REVIEW = clock_register(
    ClockDefinition(
        name="supervision.initial_review",
        title="First supervisory review",
        starts="the case is allocated",
        stops="a supervisor records a review",
        rule="24 hours after allocation",
        source="Force policy",
    )
)
PERIODIC_REVIEW = clock_register(
    ClockDefinition(
        name="supervision.periodic_review",
        title="Next supervisory review",
        starts="the previous review",
        stops="the next review",
        rule="every 28 days, or the supervisor's directed date if sooner",
        source="Force policy",
    )
)


def _policy(force_id: int) -> rules.ReviewPolicy:
    setting = policy_for(force_id)
    return rules.ReviewPolicy(
        initial_review_hours=setting.initial_review_hours,
        periodic_review_days=setting.periodic_review_days,
        child_seen_high_hours=setting.child_seen_high_hours,
        child_seen_medium_days=setting.child_seen_medium_days,
        child_seen_standard_days=setting.child_seen_standard_days,
    )


def case_clocks(record: object, now: datetime) -> list[Derived]:
    """Every clock of a case as its stored times say it stands."""
    assert isinstance(record, Case)
    case = record
    policy = _policy(case.force_id)
    closed = is_closed(case.status)
    clocks = [
        Derived(
            name=TRIAGE.name,
            started_at=case.received_at,
            due_at=add_working_days(case.received_at, 1),
            met_at=case.triaged_at,
            cancelled=closed,
        ),
        Derived(
            name=CHILD_SEEN.name,
            started_at=case.received_at,
            due_at=rules.child_seen_due(
                received_at=case.received_at, risk_grade=case.risk_grade, policy=policy
            ),
            met_at=case.subjects_seen_at,
            cancelled=closed,
        ),
    ]
    if case.allocated_at is None:
        return clocks
    reviews = list(
        Review.objects.filter(case=case, reviewed_at__gte=case.allocated_at).order_by(
            "reviewed_at", "id"
        )
    )
    clocks.append(
        Derived(
            name=INITIAL_REVIEW.name,
            started_at=case.allocated_at,
            due_at=rules.next_review_due(
                allocated_at=case.allocated_at,
                last_review_at=None,
                directed_next_review=None,
                policy=policy,
            )
            or case.allocated_at,
            met_at=reviews[0].reviewed_at if reviews else None,
            cancelled=closed,
        )
    )
    if reviews:
        last = reviews[-1]
        due = case.next_review_due_at or rules.next_review_due(
            allocated_at=case.allocated_at,
            last_review_at=last.reviewed_at,
            directed_next_review=None,
            policy=policy,
        )
        closing = closed and last.kind == Review.Kind.CLOSURE
        clocks.append(
            Derived(
                name=PERIODIC_REVIEW.name,
                started_at=reviews[-2].reviewed_at
                if closing and len(reviews) > 1
                else last.reviewed_at,
                due_at=due or last.reviewed_at,
                met_at=last.reviewed_at if closing else None,
                cancelled=closed,
            )
        )
    return clocks
