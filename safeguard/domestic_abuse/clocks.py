"""The clocks of a domestic abuse incident, derived from its stored times. They ride on the
incident's case, so My work, Team, Duty and the escalation ladder show them like any other.

The times are force policy (docs/rules.md 3.4; Settings, Domestic abuse), read afresh whenever
the incident changes: no national rule sets them. DASH is completed by the
attending officer before going off duty; the secondary risk assessment by the triage unit
within a day for high risk (the inspectorate found a triage queue of 500 cases in three
weeks); a MARAC referral is sent within a working day of the decision to refer.

Every clock starts at the event docs/clocks.md names, never at the time the form was saved:
DASH and triage at the attendance (the incident time recorded, however late it is typed in),
MARAC as the DASH that makes a route apply is completed. Hour rules are elapsed UTC time.
"""

from datetime import datetime

from safeguard.cases.models import Case
from safeguard.cases.rules.lifecycle import Status
from safeguard.core.clocks import ClockDefinition, Derived, clock_register
from safeguard.domestic_abuse.models import Incident
from safeguard.domestic_abuse.rules import policy as rules_policy
from safeguard.domestic_abuse.rules.policy import DaPolicy
from safeguard.domestic_abuse.selectors import TRIAGE_CLOCK, da_policy_for

DASH_COMPLETED = clock_register(
    ClockDefinition(
        name="da.dash_completed",
        title="DASH risk assessment completed",
        starts="the police attend",
        stops="the DASH assessment is recorded",
        rule="24 hours",
        source="Force policy; DASH 2009 (docs/rules.md 3.1)",
    )
)
TRIAGE = clock_register(
    ClockDefinition(
        name=TRIAGE_CLOCK,
        title="Secondary risk assessment (triage)",
        starts="the police attend (the incident time recorded, not the time it is typed in)",
        stops="the triage unit completes the secondary assessment",
        rule="high risk (or not yet graded) 24 hours; medium 3, standard 5 working days",
        source="Force policy",
    )
)
MARAC_REFERRAL = clock_register(
    ClockDefinition(
        name="da.marac_referral",
        title="MARAC referral sent",
        starts="a MARAC route applies (docs/rules.md 3.2)",
        stops="the referral is sent to the MARAC",
        rule="1 working day",
        source="SafeLives MARAC criteria (docs/rules.md 3.2); time is force policy",
    )
)


def triage_due(received_at: datetime, grade: str, policy: DaPolicy | None = None) -> datetime:
    """The triage due time under a policy (the defaults unless given): rules.policy."""
    return rules_policy.triage_due(received_at, grade, policy or DaPolicy())


def incident_clocks(record: object, now: datetime) -> list[Derived]:
    assert isinstance(record, Case)
    if record.case_type != Case.Type.DOMESTIC_ABUSE:
        return []
    incident = Incident.objects.filter(case_id=record.pk).select_related("dash", "marac").first()
    if incident is None:
        return []
    policy = da_policy_for(incident.force_id).as_policy()
    closed = record.status == Status.CLOSED
    dash = getattr(incident, "dash", None)
    clocks = [
        Derived(
            name=DASH_COMPLETED.name,
            started_at=incident.attended_at,
            due_at=rules_policy.dash_due(incident.attended_at, policy),
            met_at=dash.completed_at if dash else None,
            cancelled=closed,
        ),
        Derived(
            name=TRIAGE.name,
            started_at=incident.attended_at,
            due_at=rules_policy.triage_due(incident.attended_at, incident.risk_grade, policy),
            met_at=incident.triage_completed_at,
            cancelled=closed,
        ),
    ]
    marac = getattr(incident, "marac", None)
    if marac is not None:
        clocks.append(
            Derived(
                name=MARAC_REFERRAL.name,
                started_at=marac.decided_at,
                due_at=rules_policy.marac_referral_due(marac.decided_at, policy),
                met_at=marac.sent_at,
                cancelled=closed,
            )
        )
    return clocks
