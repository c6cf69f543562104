"""The demo supervisor's in-tray: referrals received and triaged in their unit, waiting to be
allocated, so signing in as `supervisor` shows work to do (docs/demo.md).

Recorded through the cases services, as the demo officer would record them and the demo
supervisor triage them, about children the generator made. Idempotent: it only tops the unit up
to `WAITING` cases awaiting allocation, so running `make demo` again after allocating some
gives the supervisor new ones.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from safeguard.accounts.models import Force, User
from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.cases.rules.referral import ReferralDecision
from safeguard.cases.services import CaseInput, case_create, case_triage
from safeguard.core.calendars import london_date
from safeguard.people.models import Person

WAITING = 3
LONDON = ZoneInfo("Europe/London")
# Each referral as a school, a health visitor and social care would make it.
REFERRALS = (
    (
        "abuse_neglect",
        "school",
        "medium",
        "Unexplained bruising seen by the class teacher; the child was vague about how.",
        "School raised concerns about {child}'s unexplained bruising on the upper arm.",
    ),
    (
        "abuse_neglect",
        "health",
        "standard",
        "Neglect concerns but the child is with a protective grandparent for now.",
        "Health visitor concerned about home conditions and {child}'s weight.",
    ),
    (
        "abuse_neglect",
        "social_care",
        "high",
        "Disclosure of being hit by a carer; the carer is still in the home.",
        "Children's social care referral: {child} disclosed being hit by a carer.",
    ),
)


def _children(force: Force, today: date, count: int) -> list[Person]:
    youngest_dob = today - timedelta(days=365 * 4)
    oldest_dob = today - timedelta(days=365 * 15)
    return list(
        Person.objects.filter(
            force=force,
            merged_into__isnull=True,
            date_of_birth__gt=oldest_dob,
            date_of_birth__lt=youngest_dob,
        ).order_by("-pk")[:count]
    )


def _office_hours_before(now: datetime, n: int) -> datetime:
    """A school-day time on the last weekday before today (10:15, 12:15, 14:15 London)."""
    day = london_date(now) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10 + 2 * n, 15), tzinfo=LONDON).astimezone(UTC)


def demo_supervisor_inbox(force: Force, now: datetime) -> int:
    """Top the demo supervisor's unit up to WAITING triaged cases; return how many were added."""
    supervisor = User.objects.filter(force=force, username="supervisor").first()
    officer = User.objects.filter(force=force, username="officer").first()
    if supervisor is None or officer is None:
        return 0
    unit = supervisor.units.order_by("pk").first()
    if unit is None:
        return 0
    waiting = Case.objects.filter(force=force, unit=unit, status="triaged").count()
    wanted = max(0, WAITING - waiting)
    children = _children(force, london_date(now), wanted)
    recorder, triager = actor_for(officer), actor_for(supervisor)
    for n, child in enumerate(children):
        case_type, source, grade, rationale, summary = REFERRALS[n % len(REFERRALS)]
        case = case_create(
            actor=recorder,
            data=CaseInput(
                case_type=case_type,
                source=source,
                risk_grade=grade,
                risk_rationale=rationale,
                received_at=_office_hours_before(now, n % len(REFERRALS)),
                unit_id=unit.pk,
                summary=summary.format(child=child.given_names.split()[0]),
                people=((child.pk, "subject"),),
            ),
            now=now,
        )
        case_triage(
            actor=triager,
            case_id=case.pk,
            version=case.version,
            decision=ReferralDecision.STRATEGY_DISCUSSION,
            reason="Referral names a risk of significant harm; a strategy discussion is needed.",
            now=now,
        )
    return len(children)
