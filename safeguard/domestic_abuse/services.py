"""Changes to domestic abuse incidents: recording the attendance, DASH and MARAC, and the
triage queue. Each is one unit of work (core.unit_of_work) on the incident, locked through its
case; the case's grade and triage change through the cases services (audited as `case`), and
the Operation Encompass notifications are made by a call to encompass.services."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from safeguard.accounts.models import Unit
from safeguard.accounts.selectors import unit_of_type
from safeguard.cases.models import Case, Involvement
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.selectors import case_assignable_staff
from safeguard.cases.services import (
    CaseInput,
    case_clocks_rederive,
    case_create,
    case_mark_triaged,
    case_record_for_update,
    case_regrade,
    voice_record,
)
from safeguard.core.actor import Actor
from safeguard.core.calendars import london_date
from safeguard.core.errors import Conflict, DomainError, NotFound, refuse_if
from safeguard.core.permissions import Permission
from safeguard.core.unit_of_work import Change, record_change, record_create
from safeguard.domestic_abuse.models import (
    DaPolicySetting,
    DashAssessment,
    Incident,
    IncidentChild,
    MaracReferral,
)
from safeguard.domestic_abuse.rules.dash import (
    Answer,
    DashGrade,
    dash_band,
    dash_problems,
    dash_score,
)
from safeguard.domestic_abuse.rules.marac import MaracFacts, judgement_problems, marac_routes
from safeguard.domestic_abuse.rules.policy import DaPolicy, policy_problems
from safeguard.domestic_abuse.rules.triage import TRIAGE_LIFECYCLE, Step, TriageStatus, is_open
from safeguard.domestic_abuse.selectors import (
    da_policy_for,
    earlier_incidents_of_victim,
    last_marac_referral_at,
)
from safeguard.encompass.services import ChildFacts, IncidentFacts, notifications_for_incident
from safeguard.people.models import Person

REQUIRED = "Enter {what}"
IN_FUTURE = "The time of attendance must be now or in the past"
NO_CHILDREN = "Add the children in the household"
SAME_PERSON = "The victim and the suspect must be different people"
CHILD_IS_ADULT = "A child in the household cannot also be the victim or the suspect"
ALREADY_ASSESSED = "A DASH assessment is already recorded for this incident"
TRIAGE_DONE = "The secondary assessment of this incident is already complete"
CLAIMED_BY_OTHER = "{name} is already assessing this incident"
NOT_YOURS = "Claim the incident before completing its assessment"
MARAC_SENT = "This MARAC referral has already been sent"
GRADE_CHOICE = "Select the risk grade"
# Until the DASH is done the case is graded medium, and the queue treats it as high.
AWAITING_DASH = "Awaiting the DASH risk assessment"


@dataclass(frozen=True)
class ChildInput:
    child_id: int
    present: bool
    related_to: str
    where: str = ""
    school_urn: str = ""  # blank: the child's recorded school
    home_educated: bool = False
    spoken_to: bool = False
    spoken_to_alone: bool = False
    child_said: str = ""
    demeanour: str = ""
    not_spoken_reason: str = ""  # present but not spoken to: why not


@dataclass(frozen=True)
class IncidentInput:
    attended_at: datetime
    place: str
    victim_id: int
    relationship: str
    account: str
    children: tuple[ChildInput, ...]
    suspect_id: int | None = None


def _people(actor: Actor, ids: set[int]) -> dict[int, Person]:
    return {
        p.pk: p
        for p in Person.objects.filter(
            force_id=actor.force_id, pk__in=ids, merged_into__isnull=True
        )
    }


def _incident_problems(actor: Actor, data: IncidentInput, now: datetime) -> list[tuple[str, str]]:
    problems = []
    if data.attended_at > now:
        problems.append(("attended_at", IN_FUTURE))
    if not data.place.strip():
        problems.append(("place", REQUIRED.format(what="where the police attended")))
    if not data.account.strip():
        problems.append(("account", REQUIRED.format(what="your account of the incident")))
    if data.relationship not in Incident.Relationship.values:
        problems.append(("relationship", "Select the relationship between them"))
    if data.suspect_id is not None and data.suspect_id == data.victim_id:
        problems.append(("suspect", SAME_PERSON))
    if not data.children:
        problems.append(("children", NO_CHILDREN))
    child_ids = [c.child_id for c in data.children]
    if len(set(child_ids)) != len(child_ids):
        problems.append(("children", "Add each child once"))
    if {data.victim_id, data.suspect_id} & set(child_ids):
        problems.append(("children", CHILD_IS_ADULT))
    if any(c.related_to not in IncidentChild.RelatedTo.values for c in data.children):
        problems.append(("children", "Select which adult each child is related to"))
    wanted = {data.victim_id, *child_ids} | ({data.suspect_id} if data.suspect_id else set())
    people = _people(actor, wanted) if actor.can(Permission.PERSON_VIEW) else {}
    if len(people) != len(wanted):
        problems.append(("people", "A person chosen is not on record in this force"))
    for child in data.children:
        # The voice of the child (Working Together 2023): seen and heard, or why not; named,
        # so a household of several children says which one.
        name = people[child.child_id].full_name if child.child_id in people else "the child"
        if child.present and not child.demeanour.strip():
            problems.append(("children", f"Enter how {name} seemed"))
        if child.present and child.spoken_to and not child.child_said.strip():
            problems.append(("children", f"Enter what {name} said"))
        if child.present and not child.spoken_to and not child.not_spoken_reason.strip():
            problems.append(("children", f"Enter why you did not speak to {name}"))
    return problems


def _unit_for(force_id: int, unit_type: str, fallback: int) -> int:
    unit = unit_of_type(force_id, unit_type)
    return unit.pk if unit else fallback


def _voice(child: ChildInput, attended_at: datetime) -> VoiceInput:
    """The child's voice as the case records it: seen at the attendance if present."""
    spoken = child.present and child.spoken_to
    if not child.present:
        reason = "Not present at the incident"
    else:
        reason = "" if child.spoken_to else child.not_spoken_reason.strip()
    return VoiceInput(
        seen=child.present,
        seen_at=attended_at if child.present else None,
        spoken_to=spoken,
        spoken_to_alone=spoken and child.spoken_to_alone,
        child_said=child.child_said.strip(),
        demeanour=child.demeanour.strip(),
        not_seen_reason=reason,
    )


def incident_record(*, actor: Actor, data: IncidentInput, now: datetime) -> Incident:
    """Record a police-attended domestic abuse incident with children: a case in the triage
    unit's queue, each child's voice (an event about that child), and an Operation Encompass
    notification for each child aged 4 to 17 on the London date of the incident."""
    actor.require(Permission.CASE_CREATE)
    refuse_if(_incident_problems(actor, data, now))
    people = _people(
        actor,
        {data.victim_id, *(c.child_id for c in data.children)}
        | ({data.suspect_id} if data.suspect_id else set()),
    )
    fallback = min(actor.unit_ids) if actor.unit_ids else 0
    involved = [(c.child_id, Involvement.Role.SUBJECT) for c in data.children]
    involved.append((data.victim_id, Involvement.Role.VICTIM))
    if data.suspect_id:
        involved.append((data.suspect_id, Involvement.Role.SUSPECT))
    with record_create(actor=actor, now=now, audit_as="da_incident") as change:
        case = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.DOMESTIC_ABUSE,
                source=Case.Source.OFFICER,
                risk_grade=Case.Grade.MEDIUM,
                risk_rationale=AWAITING_DASH,
                received_at=data.attended_at,
                unit_id=_unit_for(actor.force_id, Unit.Type.DA_TRIAGE, fallback),
                summary=f"Domestic abuse at {data.place.strip()}. {data.account.strip()}"[:2000],
                people=tuple(involved),
            ),
            now=now,
        )
        incident = change.created(
            Incident.objects.create(
                force_id=actor.force_id,
                case=case,
                attended_at=data.attended_at,
                place=data.place.strip(),
                victim_id=data.victim_id,
                suspect_id=data.suspect_id,
                relationship=data.relationship,
                account=data.account.strip(),
                created_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
        )
        told: list[ChildFacts] = []
        today = london_date(data.attended_at)
        for child in data.children:
            person = people[child.child_id]
            voice = _voice(child, data.attended_at)
            row = IncidentChild.objects.create(
                force_id=actor.force_id,
                incident=incident,
                child_id=child.child_id,
                present=child.present,
                where=child.where.strip(),
                related_to=child.related_to,
                school_urn=(child.school_urn or person.school_urn).strip(),
                home_educated=child.home_educated,
                spoken_to=voice.spoken_to,
                spoken_to_alone=voice.spoken_to_alone,
                child_said=voice.child_said,
                demeanour=voice.demeanour,
            )
            # The child's presence and words are an event about them alone (cases).
            voice_record(
                actor=actor, case_id=case.pk, child_id=child.child_id, voice=voice, now=now
            )
            told.append(
                ChildFacts(
                    incident_child_id=row.pk,
                    child_id=person.pk,
                    name=person.full_name,
                    date_of_birth=person.date_of_birth,
                    age=person.age(today),
                    school_urn=row.school_urn,
                    home_educated=row.home_educated,
                    present=row.present,
                    where=row.where,
                    spoken_to=row.spoken_to,
                    spoken_to_alone=row.spoken_to_alone,
                    child_said=row.child_said,
                    demeanour=row.demeanour,
                )
            )
        count = len(data.children)
        change.event(
            "da.incident",
            f"Domestic abuse incident attended: {count} "
            f"{'child' if count == 1 else 'children'} in the household",
            about=None,
            at=data.attended_at,
        )
        notifications_for_incident(
            actor=actor,
            incident=IncidentFacts(
                incident_id=incident.pk,
                case_id=case.pk,
                case_unit_id=case.unit_id,
                force_id=incident.force_id,
                police_reference=case.reference,
                attended_at=incident.attended_at,
                place=incident.place,
                children=tuple(told),
            ),
            now=now,
        )
    return incident


def _incident_change(
    *,
    actor: Actor,
    incident_id: int,
    now: datetime,
    reason: str,
    permission: Permission = Permission.CASE_WORK,
    version: int | None = None,
    guard: Callable[[Incident], None] | None = None,
) -> AbstractContextManager[Change[Incident]]:
    """The unit of work for a change to an incident: locked through its case (visible, in
    reach with `permission`, not closed), audited as `da_incident`, its events on its case."""
    return record_change(
        actor=actor,
        now=now,
        audit_as="da_incident",
        lock=lambda: case_record_for_update(
            Incident, incident_id, actor=actor, permission=permission
        ),
        version=version,
        guard=guard,
        reason=reason,
        noun="incident",
    )


def not_yet_assessed(incident: Incident) -> None:
    """Guard: DASH is recorded once per incident."""
    if DashAssessment.objects.filter(incident=incident).exists():
        raise DomainError("invalid", ALREADY_ASSESSED)


def triage_open(incident: Incident) -> None:
    """Guard: an incident still in the triage queue (not yet assessed)."""
    if not is_open(TriageStatus(incident.triage_status)):
        raise DomainError("invalid", TRIAGE_DONE)


def _triage_step(change: Change[Incident], step: Step, **fields: object) -> None:
    incident = change.record
    target = TRIAGE_LIFECYCLE.next_status(TriageStatus(incident.triage_status), step)
    change.write(triage_status=str(target), **fields)


@dataclass(frozen=True)
class DashInput:
    answers: dict[int, str]
    grade: str
    rationale: str = ""
    judgement_referral: bool = False
    judgement_reason: str = ""


def _dash_problems(data: DashInput) -> dict[int, Answer]:
    known = set(Answer)
    problems = []
    if not all(value in known for value in data.answers.values()):
        problems.append(("answers", "Answer each question yes, no, don't know or declined"))
    if data.grade not in set(DashGrade):
        problems.append(("grade", GRADE_CHOICE))
    refuse_if(problems)
    answers = {int(n): Answer(value) for n, value in data.answers.items()}
    refuse_if(
        dash_problems(answers=answers, grade=DashGrade(data.grade), rationale=data.rationale)
        + judgement_problems(
            judgement_referral=data.judgement_referral, reason=data.judgement_reason
        )
    )
    return answers


def dash_record(
    *, actor: Actor, incident_id: int, data: DashInput, now: datetime
) -> DashAssessment:
    """Record the 27 DASH answers and the grade (professional judgement may raise it, never
    lower it; docs/rules.md 3.1), regrade the case through cases, then decide MARAC by the four
    routes (docs/rules.md 3.2); a referral starts da.marac_referral as the DASH completes."""
    with _incident_change(
        actor=actor, incident_id=incident_id, now=now, reason="dash", guard=not_yet_assessed
    ) as change:
        incident = change.record
        answers = _dash_problems(data)
        score = dash_score(answers)
        assessment = DashAssessment.objects.create(
            force_id=incident.force_id,
            incident=incident,
            answers={str(n): a.value for n, a in sorted(answers.items())},
            score=score,
            band=dash_band(score).value,
            grade=data.grade,
            rationale=data.rationale.strip(),
            judgement_referral=data.judgement_referral,
            judgement_reason=data.judgement_reason.strip(),
            completed_by_id=actor.user_id,
            completed_at=now,
        )
        # The queue's order follows the DASH grade: derived, so no open triage form goes stale.
        change.derive(risk_grade=data.grade)
        change.audit(changed=["dash"])
        rationale = f"DASH score {score}; graded {data.grade}"
        if data.rationale.strip():
            rationale += f": {data.rationale.strip()}"
        case_regrade(
            actor=actor,
            case_id=incident.case_id,
            grade=data.grade,
            rationale=rationale,
            now=now,
            reason="dash",
        )
        change.event(
            "da.dash", f"DASH completed: score {score}, {data.grade} risk", about=None, at=now
        )
        routes = marac_routes(
            MaracFacts(
                score=score,
                judgement_referral=data.judgement_referral,
                judgement_reason=data.judgement_reason.strip(),
                incident_at=incident.attended_at,
                earlier_incidents_same_victim=earlier_incidents_of_victim(incident),
                last_marac_referral_at=last_marac_referral_at(incident),
                escalation_incidents=da_policy_for(incident.force_id).escalation_incidents,
            )
        )
        if routes:
            # A route applies when the DASH is completed: the referral's clock starts then.
            MaracReferral.objects.create(
                force_id=incident.force_id,
                incident=incident,
                victim_id=incident.victim_id,
                routes=[[route.value, reason] for route, reason in routes],
                decided_at=assessment.completed_at,
                decided_by_id=actor.user_id,
            )
            change.audit(changed=["marac"])
            change.event(
                "da.marac",
                "MARAC referral needed",
                "; ".join(reason for _, reason in routes),
                about=None,
                at=assessment.completed_at,
            )
    return assessment


def marac_unsent(referral: MaracReferral) -> None:
    """Guard: a MARAC referral is sent once."""
    if referral.sent_at is not None:
        raise DomainError("invalid", MARAC_SENT)


def marac_send(*, actor: Actor, incident_id: int, version: int, now: datetime) -> MaracReferral:
    """The MARAC referral is sent (meets da.marac_referral). `version` is the referral's."""

    def lock() -> MaracReferral:
        incident = case_record_for_update(
            Incident, incident_id, actor=actor, permission=Permission.CASE_WORK
        )
        referral = MaracReferral.objects.select_for_update().filter(incident=incident).first()
        if referral is None:
            raise NotFound("This incident has no MARAC referral.")
        return referral

    with record_change(
        actor=actor,
        now=now,
        audit_as="da_marac_referral",
        lock=lock,
        version=version,
        guard=marac_unsent,
        reason="marac_sent",
        timeline_case=lambda referral: referral.incident.case_id,
        noun="MARAC referral",
    ) as change:
        change.write(sent_at=now, sent_by_id=actor.user_id)
        change.event("da.marac_sent", "MARAC referral sent", about=None, at=now)
        # The incident's clocks ride on its case.
        change.recompute("case", change.record.incident.case, case_clocks_rederive)
    return change.record


def triage_claim(*, actor: Actor, incident_id: int, now: datetime) -> Incident:
    """Take an incident from the queue to assess it. Two people cannot hold the same one."""
    with _incident_change(
        actor=actor, incident_id=incident_id, now=now, reason="triage_claim", guard=triage_open
    ) as change:
        incident = change.record
        if incident.triage_owner_id not in (None, actor.user_id):
            owner = incident.triage_owner
            raise Conflict(CLAIMED_BY_OTHER.format(name=owner.display_name if owner else "Someone"))
        _triage_step(change, Step.CLAIM, triage_owner_id=actor.user_id, triage_claimed_at=now)
        change.event(
            "da.triage_claim", f"Claimed for triage by {actor.username}", about=None, at=now
        )
    return incident


def triage_assign(*, actor: Actor, incident_id: int, user_id: int, now: datetime) -> Incident:
    """A supervisor gives an incident in the queue to a member of the case's unit."""
    with _incident_change(
        actor=actor,
        incident_id=incident_id,
        now=now,
        reason="triage_assign",
        permission=Permission.CASE_SUPERVISE,
        guard=triage_open,
    ) as change:
        incident = change.record
        unit_id = Case.objects.values_list("unit_id", flat=True).get(pk=incident.case_id)
        staff = case_assignable_staff(actor=actor, unit_id=unit_id).filter(pk=user_id)
        refuse_if([] if staff.exists() else [("user", "Select a member of the triage unit")])
        _triage_step(change, Step.ASSIGN, triage_owner_id=user_id, triage_claimed_at=now)
        change.event("da.triage_assign", "Assigned for triage", about=None, at=now)
    return incident


def triage_complete(
    *, actor: Actor, incident_id: int, version: int, grade: str, notes: str, now: datetime
) -> Incident:
    """The secondary risk assessment by whoever holds the incident: its grade and notes; the
    case is regraded and triaged through cases (each audited as `case`)."""
    with _incident_change(
        actor=actor,
        incident_id=incident_id,
        now=now,
        reason="triage_complete",
        version=version,
        guard=triage_open,
    ) as change:
        incident = change.record
        problems = []
        if incident.triage_owner_id != actor.user_id:
            problems.append(("grade", NOT_YOURS))
        if grade not in set(DashGrade):
            problems.append(("grade", GRADE_CHOICE))
        if not notes.strip():
            problems.append(("notes", REQUIRED.format(what="the secondary assessment")))
        refuse_if(problems)
        _triage_step(
            change,
            Step.COMPLETE,
            triage_completed_at=now,
            triage_grade=grade,
            triage_notes=notes.strip(),
            risk_grade=grade,
        )
        case_regrade(
            actor=actor,
            case_id=incident.case_id,
            grade=grade,
            rationale=f"Secondary assessment: {notes.strip()}",
            now=now,
            reason="triage",
        )
        case_mark_triaged(actor=actor, case_id=incident.case_id, now=now, reason="triage")
        change.event("da.triage_done", f"Secondary assessment: {grade} risk", about=None, at=now)
    return incident


# Force policy --------------------------------------------------------------------------------


def _policy_for_update(force_id: int) -> DaPolicySetting:
    setting = da_policy_for(force_id)
    return DaPolicySetting.objects.select_for_update().get(pk=setting.pk)


def da_policy_update(
    *, actor: Actor, version: int | None, data: DaPolicy, now: datetime
) -> DaPolicySetting:
    """Change the force's domestic abuse times and escalation count; versioned and audited (as
    `da_policy`), in force from now (docs/rules.md 3.4). An open incident's clocks take the
    new times the next time the incident changes, as missing and supervision clocks do."""
    actor.require(Permission.POLICY_MANAGE)
    refuse_if(policy_problems(data))
    with record_change(
        actor=actor,
        now=now,
        audit_as="da_policy",
        lock=lambda: _policy_for_update(actor.force_id),
        version=version,
        noun="policy",
    ) as change:
        change.write(**vars(data), updated_by_id=actor.user_id)
    return change.record
