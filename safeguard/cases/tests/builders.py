"""Building blocks for the case core service tests: a cast of staff, people, cases driven
along the lifecycle, and table counts for "saves nothing partially"."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from django.db.models import Model

from safeguard.accounts.models import Unit, User
from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.services import (
    CaseInput,
    case_create,
    case_request_closure,
    case_start_investigation,
    case_triage,
    voice_record,
)
from safeguard.core.actor import Actor
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.people.models import Person
from safeguard.people.services import AddressInput, PersonInput, person_create
from safeguard.supervision.services import case_allocate

# What a test triages a case with: a referral decision and its reason (docs/rules.md 5.1).
TRIAGED_AS = {
    "decision": "strategy_discussion",
    "reason": "Bruising a child of this age could not cause themselves",
}

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
RECEIVED = NOW - timedelta(days=2)
CHILD_DOB = date(2015, 4, 1)


@dataclass(frozen=True)
class Cast:
    """Who works the cases of `unit` in the home force, and a few who must not."""

    unit: Unit
    other_unit: Unit
    officer: User  # records referrals; sees only the cases they own
    officer_2: User
    investigator: User
    supervisor: User
    supervisor_2: User
    other_unit_supervisor: User
    admin: User
    foreign_supervisor: User  # another force

    def actor(self, user: User) -> Actor:
        return actor_for(user)


def make_cast(make_user, unit: Unit, other_unit: Unit, foreign_unit: Unit) -> Cast:
    return Cast(
        unit=unit,
        other_unit=other_unit,
        officer=make_user("officer", last_name="Officer"),
        officer_2=make_user("officer", last_name="Second"),
        investigator=make_user("investigator", last_name="Investigator"),
        supervisor=make_user("supervisor", last_name="Supervisor"),
        supervisor_2=make_user("supervisor", last_name="Independent"),
        other_unit_supervisor=make_user("supervisor", units=[other_unit]),
        admin=make_user("force_admin", units=[]),
        foreign_supervisor=make_user("supervisor", force=foreign_unit.force, units=[foreign_unit]),
    )


def a_person(
    actor: Actor,
    given: str = "Amelia",
    family: str = "Hughes",
    dob: date | None = CHILD_DOB,
    *,
    address: AddressInput | None = None,
    now: datetime = NOW,
) -> Person:
    return person_create(
        actor=actor,
        data=PersonInput(given, family, dob, address=address),
        confirm_new=True,
        now=now,
    )


def case_input(unit: Unit, *people: tuple[int, str], **changes) -> CaseInput:
    data = CaseInput(
        case_type=Case.Type.ABUSE_NEGLECT,
        source=Case.Source.SCHOOL,
        risk_grade=Case.Grade.MEDIUM,
        risk_rationale="Bruising seen by a teacher; explanation inconsistent",
        received_at=RECEIVED,
        unit_id=unit.pk,
        summary="Referral from the designated safeguarding lead",
        people=people,
    )
    return replace(data, **changes)


def a_case(actor: Actor, unit: Unit, child: Person, *, now: datetime = NOW, **changes) -> Case:
    return case_create(
        actor=actor, data=case_input(unit, (child.pk, "subject"), **changes), now=now
    )


def heard(seen_at: datetime = RECEIVED + timedelta(hours=3)) -> VoiceInput:
    return VoiceInput(
        seen=True,
        seen_at=seen_at,
        spoken_to=True,
        spoken_to_alone=True,
        child_said="Mum's boyfriend grabbed my arm when I dropped my plate.",
        demeanour="Tearful at first, then chatty about school.",
        not_seen_reason="",
    )


def allocated(cast: Cast, case: Case, *, to: User | None = None, now: datetime = NOW) -> Case:
    """Triage (by the recording officer) and allocate (by the unit's supervisor)."""
    case = case_triage(
        **TRIAGED_AS, actor=cast.actor(cast.officer), case_id=case.pk, version=case.version, now=now
    )
    return case_allocate(
        actor=cast.actor(cast.supervisor),
        case_id=case.pk,
        version=case.version,
        owner_id=(to or cast.investigator).pk,
        now=now,
    )


def investigating(cast: Cast, case: Case, *, to: User | None = None, now: datetime = NOW) -> Case:
    case = allocated(cast, case, to=to, now=now)
    owner = to or cast.investigator
    return case_start_investigation(
        actor=cast.actor(owner), case_id=case.pk, version=case.version, now=now
    )


def awaiting_closure(
    cast: Cast, case: Case, child: Person, *, to: User | None = None, now: datetime = NOW
) -> Case:
    case = investigating(cast, case, to=to, now=now)
    owner = cast.actor(to or cast.investigator)
    voice_record(actor=owner, case_id=case.pk, child_id=child.pk, voice=heard(), now=now)
    case.refresh_from_db()
    return case_request_closure(
        actor=owner, case_id=case.pk, version=case.version, reason="Safety plan in place", now=now
    )


def counts(*models: type[Model]) -> dict[str, int]:
    """Row counts of the tables, always with the audit log and the timeline."""
    return {
        model.__name__: model._default_manager.count()
        for model in (*models, AuditEntry, TimelineEvent)
    }


def audit_count(object_type: str, object_id: object) -> int:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).count()
