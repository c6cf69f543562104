"""Changes to domestic abuse incidents: recording the attendance, DASH and MARAC, and the
triage queue. Each is one transaction with its audit entry, timeline and clocks."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F

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
    voice_record,
)
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import Conflict, DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.timeline import timeline_add
from safeguard.domestic_abuse.models import DashAssessment, Incident, IncidentChild, MaracReferral
from safeguard.domestic_abuse.rules.dash import (
    Answer,
    DashGrade,
    dash_band,
    dash_problems,
    dash_score,
)
from safeguard.domestic_abuse.rules.marac import MaracFacts, judgement_problems, marac_routes
from safeguard.domestic_abuse.selectors import earlier_incidents_of_victim, last_marac_referral_at
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


# Other contexts act on a new incident without this one knowing them (Operation Encompass
# notifications): each hook runs inside the recording transaction.
IncidentHook = Callable[[Actor, Incident, datetime], None]
INCIDENT_HOOKS: list[IncidentHook] = []


def incident_hook_register(hook: IncidentHook) -> None:
    if hook not in INCIDENT_HOOKS:
        INCIDENT_HOOKS.append(hook)


def _valid(value: str, choices: object) -> bool:
    return value in {c.value for c in choices}  # type: ignore[attr-defined]


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
    if not _valid(data.relationship, Incident.Relationship):
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
    for child in data.children:
        if not _valid(child.related_to, IncidentChild.RelatedTo):
            problems.append(("children", "Select which adult each child is related to"))
            break
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


def _event(
    actor: Actor, incident: Incident, kind: str, title: str, now: datetime, text: str = ""
) -> None:
    timeline_add(
        actor=actor,
        force_id=incident.force_id,
        case_id=incident.case_id,
        kind=kind,
        title=title,
        description=text,
        at=now,
    )


def _audit(
    actor: Actor, incident: Incident, action: AuditAction, reason: str = "", changed=()
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="da_incident",
        object_id=incident.pk,
        reason_code=reason,
        changed_fields=changed,
    )


def incident_record(*, actor: Actor, data: IncidentInput, now: datetime) -> Incident:
    """Record a police-attended domestic abuse incident with children: a case in the triage
    unit's queue, the children's voices, and whatever other contexts do on a new incident."""
    actor.require(Permission.CASE_CREATE)
    refuse_if(_incident_problems(actor, data, now))
    people = _people(
        actor,
        {data.victim_id, *(c.child_id for c in data.children)}
        | ({data.suspect_id} if data.suspect_id else set()),
    )
    fallback = min(actor.unit_ids) if actor.unit_ids else 0
    with transaction.atomic():
        involved = [(c.child_id, Involvement.Role.SUBJECT) for c in data.children]
        involved.append((data.victim_id, Involvement.Role.VICTIM))
        if data.suspect_id:
            involved.append((data.suspect_id, Involvement.Role.SUSPECT))
        case = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.DOMESTIC_ABUSE,
                source=Case.Source.OFFICER,
                risk_grade="medium",
                risk_rationale="Awaiting the DASH risk assessment",
                received_at=data.attended_at,
                unit_id=_unit_for(actor.force_id, Unit.Type.DA_TRIAGE, fallback),
                summary=f"Domestic abuse at {data.place.strip()}. {data.account.strip()}"[:2000],
                people=tuple(involved),
            ),
            now=now,
        )
        incident = Incident.objects.create(
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
        for child in data.children:
            IncidentChild.objects.create(
                force_id=actor.force_id,
                incident=incident,
                child_id=child.child_id,
                present=child.present,
                where=child.where.strip(),
                related_to=child.related_to,
                school_urn=(child.school_urn or people[child.child_id].school_urn).strip(),
                home_educated=child.home_educated,
                spoken_to=child.present and child.spoken_to,
                spoken_to_alone=child.present and child.spoken_to and child.spoken_to_alone,
                child_said=child.child_said.strip(),
                demeanour=child.demeanour.strip(),
            )
            voice_record(
                actor=actor,
                case_id=case.pk,
                child_id=child.child_id,
                voice=VoiceInput(
                    seen=child.present,
                    seen_at=data.attended_at if child.present else None,
                    spoken_to=child.present and child.spoken_to,
                    spoken_to_alone=child.present and child.spoken_to and child.spoken_to_alone,
                    child_said=child.child_said.strip(),
                    demeanour=child.demeanour.strip(),
                    not_seen_reason=(
                        ("" if child.spoken_to else child.not_spoken_reason.strip())
                        if child.present
                        else "Not present at the incident"
                    ),
                ),
                now=now,
            )
        _audit(actor, incident, AuditAction.CREATE)
        _event(
            actor,
            incident,
            "da.incident",
            f"Domestic abuse incident attended: {len(data.children)} "
            f"{'child' if len(data.children) == 1 else 'children'} in the household",
            now,
        )
        for hook in INCIDENT_HOOKS:
            hook(actor, incident, now)
        case_clocks_rederive(case, now)
    return incident


def _incident_for_update(actor: Actor, incident_id: int, permission: Permission) -> Incident:
    return case_record_for_update(Incident, incident_id, actor=actor, permission=permission)


def _set_case_grade(case_id: int, grade: str, rationale: str, now: datetime) -> None:
    Case.objects.filter(pk=case_id).update(
        risk_grade=grade, risk_rationale=rationale, updated_at=now, version=F("version") + 1
    )


@dataclass(frozen=True)
class DashInput:
    answers: dict[int, str]
    grade: str
    rationale: str = ""
    judgement_referral: bool = False
    judgement_reason: str = ""


def dash_record(
    *, actor: Actor, incident_id: int, data: DashInput, now: datetime
) -> DashAssessment:
    """Record the 27 DASH answers and the grade (professional judgement may raise it, never
    lower it), then decide MARAC by the four routes; a referral starts its own clock."""
    with transaction.atomic():
        incident = _incident_for_update(actor, incident_id, Permission.CASE_WORK)
        if DashAssessment.objects.filter(incident=incident).exists():
            raise DomainError("invalid", ALREADY_ASSESSED)
        known = {a.value for a in Answer}
        problems = []
        if not all(value in known for value in data.answers.values()):
            problems.append(("answers", "Answer each question yes, no, don't know or declined"))
        if data.grade not in {g.value for g in DashGrade}:
            problems.append(("grade", "Select the risk grade"))
        refuse_if(problems)
        answers = {int(n): Answer(value) for n, value in data.answers.items()}
        refuse_if(
            dash_problems(answers=answers, grade=DashGrade(data.grade), rationale=data.rationale)
            + judgement_problems(
                judgement_referral=data.judgement_referral, reason=data.judgement_reason
            )
        )
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
        Incident.objects.filter(pk=incident.pk).update(risk_grade=data.grade, updated_at=now)
        rationale = f"DASH score {score}; graded {data.grade}"
        if data.rationale.strip():
            rationale += f": {data.rationale.strip()}"
        _set_case_grade(incident.case_id, data.grade, rationale, now)
        _audit(actor, incident, AuditAction.UPDATE, "dash", ["dash"])
        _event(actor, incident, "da.dash", f"DASH completed: score {score}, {data.grade} risk", now)
        routes = marac_routes(
            MaracFacts(
                score=score,
                judgement_referral=data.judgement_referral,
                judgement_reason=data.judgement_reason.strip(),
                incident_at=incident.attended_at,
                earlier_incidents_same_victim=earlier_incidents_of_victim(incident),
                last_marac_referral_at=last_marac_referral_at(incident),
            )
        )
        if routes:
            MaracReferral.objects.create(
                force_id=incident.force_id,
                incident=incident,
                victim_id=incident.victim_id,
                routes=[[route.value, reason] for route, reason in routes],
                decided_at=now,
                decided_by_id=actor.user_id,
            )
            _event(
                actor,
                incident,
                "da.marac",
                "MARAC referral needed",
                now,
                "; ".join(reason for _, reason in routes),
            )
        case_clocks_rederive(Case.objects.get(pk=incident.case_id), now)
    return assessment


def marac_send(*, actor: Actor, incident_id: int, version: int, now: datetime) -> MaracReferral:
    with transaction.atomic():
        incident = _incident_for_update(actor, incident_id, Permission.CASE_WORK)
        referral = MaracReferral.objects.filter(incident=incident).first()
        if referral is None:
            raise NotFound("This incident has no MARAC referral.")
        if referral.sent_at is not None:
            raise DomainError("invalid", MARAC_SENT)
        update_versioned(
            referral,
            expected_version=version,
            changes={"sent_at": now, "sent_by_id": actor.user_id},
        )
        _audit(actor, incident, AuditAction.UPDATE, "marac_sent", ["marac"])
        _event(actor, incident, "da.marac_sent", "MARAC referral sent", now)
        case_clocks_rederive(Case.objects.get(pk=incident.case_id), now)
    return referral


def triage_claim(*, actor: Actor, incident_id: int, now: datetime) -> Incident:
    """Take an incident from the queue to assess it. Two people cannot hold the same one."""
    with transaction.atomic():
        incident = _incident_for_update(actor, incident_id, Permission.CASE_WORK)
        if incident.triage_status == Incident.Triage.DONE:
            raise DomainError("invalid", TRIAGE_DONE)
        if incident.triage_owner_id not in (None, actor.user_id):
            owner = incident.triage_owner
            raise Conflict(CLAIMED_BY_OTHER.format(name=owner.display_name if owner else "Someone"))
        update_versioned(
            incident,
            expected_version=incident.version,
            changes={
                "triage_status": Incident.Triage.CLAIMED,
                "triage_owner_id": actor.user_id,
                "triage_claimed_at": now,
                "updated_at": now,
            },
        )
        _audit(actor, incident, AuditAction.UPDATE, "triage_claim", ["triage_owner"])
        _event(actor, incident, "da.triage_claim", f"Claimed for triage by {actor.username}", now)
    return incident


def triage_assign(*, actor: Actor, incident_id: int, user_id: int, now: datetime) -> Incident:
    """A supervisor gives an incident in the queue to a member of the case's unit."""
    with transaction.atomic():
        incident = _incident_for_update(actor, incident_id, Permission.CASE_SUPERVISE)
        if incident.triage_status == Incident.Triage.DONE:
            raise DomainError("invalid", TRIAGE_DONE)
        case = Case.objects.get(pk=incident.case_id)
        staff = case_assignable_staff(actor=actor, unit_id=case.unit_id).filter(pk=user_id)
        refuse_if([] if staff.exists() else [("user", "Select a member of the triage unit")])
        update_versioned(
            incident,
            expected_version=incident.version,
            changes={
                "triage_status": Incident.Triage.CLAIMED,
                "triage_owner_id": user_id,
                "triage_claimed_at": now,
                "updated_at": now,
            },
        )
        _audit(actor, incident, AuditAction.UPDATE, "triage_assign", ["triage_owner"])
        _event(actor, incident, "da.triage_assign", "Assigned for triage", now)
    return incident


def triage_complete(
    *, actor: Actor, incident_id: int, version: int, grade: str, notes: str, now: datetime
) -> Incident:
    """The secondary risk assessment: the triage unit's grade and notes; the case is triaged."""
    with transaction.atomic():
        incident = _incident_for_update(actor, incident_id, Permission.CASE_WORK)
        if incident.triage_status == Incident.Triage.DONE:
            raise DomainError("invalid", TRIAGE_DONE)
        problems = []
        if incident.triage_owner_id != actor.user_id:
            problems.append(("grade", NOT_YOURS))
        if grade not in {g.value for g in DashGrade}:
            problems.append(("grade", "Select the risk grade"))
        if not notes.strip():
            problems.append(("notes", REQUIRED.format(what="the secondary assessment")))
        refuse_if(problems)
        update_versioned(
            incident,
            expected_version=version,
            changes={
                "triage_status": Incident.Triage.DONE,
                "triage_completed_at": now,
                "triage_grade": grade,
                "triage_notes": notes.strip(),
                "risk_grade": grade,
                "updated_at": now,
            },
        )
        _set_case_grade(incident.case_id, grade, f"Secondary assessment: {notes.strip()}", now)
        case_mark_triaged(actor=actor, case_id=incident.case_id, now=now)
        _audit(actor, incident, AuditAction.UPDATE, "triage_complete", ["triage_status"])
        _event(actor, incident, "da.triage_done", f"Secondary assessment: {grade} risk", now)
        case_clocks_rederive(Case.objects.get(pk=incident.case_id), now)
    return incident
