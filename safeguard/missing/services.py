"""Changes to missing episodes. Each is one transaction: the episode, its case, the audit
entry, the timeline and the clocks change together or not at all."""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from safeguard.accounts.models import Unit, User
from safeguard.accounts.selectors import unit_of_type
from safeguard.cases.models import Case, Involvement
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.selectors import can_act_on, cases_visible_to
from safeguard.cases.services import (
    CaseInput,
    action_add,
    case_clocks_rederive,
    case_create,
    case_mark_triaged,
    case_record_for_update,
    voice_record,
)
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction, Disclosure
from safeguard.core.outbox import outbox_enqueue
from safeguard.core.permissions import Permission, Role
from safeguard.core.timeline import timeline_add
from safeguard.missing.models import (
    Episode,
    GradeChange,
    MissingPolicySetting,
    Photo,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.missing.rules import response
from safeguard.missing.rules.episodes import (
    RHI_BEFORE_RETURN,
    episode_problems,
    indicator_trigger,
    repeat_trigger,
    return_interview_due,
)
from safeguard.missing.rules.episodes import Trigger as FiredTrigger
from safeguard.missing.rules.grading import (
    PHOTO_FORMATS,
    Grade,
    Indicator,
    MissingFrom,
    RiskFactors,
    Suggestion,
    grade_problems,
    photo_problems,
    suggest_grade,
)
from safeguard.missing.selectors import (
    RHI_DISCLOSURE,
    episode_starts_of_child,
    missing_policy_for,
    return_interview_disclosed,
)
from safeguard.partners.models import LocalAuthority
from safeguard.people.models import Person

REQUIRED = "Enter {what}"
NOT_A_CHILD = "A missing-child report is for someone under 18"
PLACEMENT_REQUIRED = "Enter the name of the care placement"
LA_UNKNOWN = "Select the responsible local authority"
LAST_SEEN_AFTER_REPORT = "The time last seen must be before the time of the report"
REPORT_IN_FUTURE = "The time of the report must be now or in the past"
NOT_MISSING = "This child is no longer recorded as missing"
NOT_FOUND_YET = "Record that the child was found or returned first"
ALREADY_ATTENDED = "First attendance is already recorded"
ATTEND_BEFORE_REPORT = "The time of attendance must be after the report"
IN_FUTURE = "The time must be now or in the past"
INTERVIEW_BEFORE_FOUND = "The prevention interview must be after the child was found"
ALREADY_INTERVIEWED = "A prevention interview is already recorded"
NEVER_HIGH = "Only a high-risk episode needs the duty inspector"
ALREADY_RECORDED = "This return home interview is already recorded"
OUTCOME_REQUIRED = "Select the outcome of the return home interview"
INTERVIEW_DATE_REQUIRED = "Enter when the interview took place"
PLAN_KINDS = {
    "search": "Search",
    "enquiries": "Enquiries",
    "cctv": "CCTV",
    "phone": "Phone checks",
    "social_media": "Social media checks",
}


def _valid(value: str, enum: Any) -> bool:
    return value in {member.value for member in enum}


@dataclass(frozen=True)
class ReportInput:
    child_id: int
    reported_at: datetime
    reported_by: str
    last_seen_at: datetime
    last_seen_place: str
    circumstances: str
    missing_from: str
    local_authority_id: int | None
    grade: str
    grade_rationale: str
    source: str = Case.Source.EMERGENCY_CALL
    reporter_relationship: str = ""
    placement_name: str = ""
    description: str = ""
    health_needs: str = ""
    medication: str = ""
    self_harm_risk: bool = False
    urgent_health_need: bool = False
    suspected_crime: bool = False
    out_of_character: bool = False
    indicators: tuple[str, ...] = field(default_factory=tuple)


def _child(actor: Actor, child_id: int) -> Person:
    child = Person.objects.filter(
        force_id=actor.force_id, pk=child_id, merged_into__isnull=True
    ).first()
    if child is None or not actor.can(Permission.PERSON_VIEW):
        raise NotFound("No such person.")
    return child


def _factors(child: Person, data: ReportInput, now: datetime, window_days: int) -> RiskFactors:
    starts = episode_starts_of_child(child.pk)
    earlier = [s for s in starts if (data.last_seen_at - s).days < window_days]
    return RiskFactors(
        age_years=child.age(data.last_seen_at.date()) or 0,
        missing_from=MissingFrom(data.missing_from),
        self_harm_or_suicide_risk=data.self_harm_risk,
        urgent_medication_or_health_need=data.urgent_health_need,
        suspected_victim_of_crime=data.suspected_crime,
        out_of_character=data.out_of_character,
        indicators=frozenset(Indicator(i) for i in data.indicators),
        episodes_in_last_90_days=len(earlier),
    )


def _report_problems(actor: Actor, data: ReportInput, now: datetime) -> list[tuple[str, str]]:
    problems = []
    for name, what in (
        ("reported_by", "who reported the child missing"),
        ("last_seen_place", "where the child was last seen"),
        ("circumstances", "the circumstances"),
    ):
        if not str(getattr(data, name)).strip():
            problems.append((name, REQUIRED.format(what=what)))
    if not _valid(data.missing_from, MissingFrom):
        problems.append(("missing_from", "Select where the child went missing from"))
    elif data.missing_from == MissingFrom.CARE and not data.placement_name.strip():
        problems.append(("placement_name", PLACEMENT_REQUIRED))
    if (
        data.local_authority_id is None
        or not LocalAuthority.objects.filter(
            force_id=actor.force_id, pk=data.local_authority_id
        ).exists()
    ):
        problems.append(("local_authority", LA_UNKNOWN))
    if not _valid(data.source, Case.Source):
        problems.append(("source", "Select how the report came in"))
    if not all(_valid(i, Indicator) for i in data.indicators):
        problems.append(("indicators", "Select exploitation indicators from the list"))
    if not _valid(data.grade, Grade):
        problems.append(("grade", "Select a risk grade"))
    if data.reported_at > now:
        problems.append(("reported_at", REPORT_IN_FUTURE))
    if data.last_seen_at > data.reported_at:
        problems.append(("last_seen_at", LAST_SEEN_AFTER_REPORT))
    return problems


def episode_suggest(*, actor: Actor, data: ReportInput, now: datetime) -> Suggestion:
    """The grade the answers suggest, with the answers that led to it (nothing is saved)."""
    actor.require(Permission.CASE_CREATE)
    child = _child(actor, data.child_id)
    problems = [
        p for p in _report_problems(actor, data, now) if p[0] in ("missing_from", "indicators")
    ]
    refuse_if(problems)
    window = missing_policy_for(actor.force_id).repeat_window_days
    return suggest_grade(_factors(child, data, now, window))


def _unit_for(force_id: int, unit_type: str, fallback: int | None = None) -> int:
    unit = unit_of_type(force_id, unit_type)
    if unit is None and fallback is None:
        raise DomainError("invalid", f"The force has no {unit_type} unit to send this to")
    return unit.pk if unit else fallback  # type: ignore[return-value]


def _event(
    actor: Actor | None, episode: Episode, kind: str, title: str, now: datetime, text: str = ""
) -> None:
    timeline_add(
        actor=actor,
        force_id=episode.force_id,
        case_id=episode.case_id,
        kind=kind,
        title=title,
        description=text,
        at=now,
    )


def _audit(
    actor: Actor, episode: Episode, action: AuditAction, reason: str = "", changed=()
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="missing_episode",
        object_id=episode.pk,
        reason_code=reason,
        changed_fields=changed,
    )


def _image_format(content: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def photo_check(content: bytes) -> str:
    """The photo's content type, or refuse (not an image, too large, empty)."""
    image_format = _image_format(content) if 0 < len(content) <= 5 * 1024 * 1024 else None
    refuse_if(photo_problems(size=len(content), image_format=image_format))
    return PHOTO_FORMATS[image_format]  # type: ignore[index]


def _photo_save(
    actor: Actor, episode: Episode, content: bytes, content_type: str, now: datetime
) -> Photo:
    return Photo.objects.create(
        force_id=episode.force_id,
        episode=episode,
        content_type=content_type,
        data=content,
        size=len(content),
        uploaded_by_id=actor.user_id,
        uploaded_at=now,
    )


def episode_report(
    *, actor: Actor, data: ReportInput, now: datetime, photo: bytes | None = None
) -> Episode:
    """Report a child missing: a case of type "missing" in the missing persons unit, its
    episode, the grade with its rationale, and the episode's clocks, in one transaction."""
    actor.require(Permission.CASE_CREATE)
    child = _child(actor, data.child_id)
    problems = _report_problems(actor, data, now)
    age = child.age(data.last_seen_at.date())
    if age is not None and age >= 18:
        problems.append(("child", NOT_A_CHILD))
    refuse_if(problems)
    content_type = photo_check(photo) if photo is not None else ""
    policy = missing_policy_for(actor.force_id)
    suggestion = suggest_grade(_factors(child, data, now, policy.repeat_window_days))
    supervisor = actor.can(Permission.CASE_SUPERVISE)
    refuse_if(
        grade_problems(
            suggested=suggestion.grade,
            chosen=Grade(data.grade),
            rationale=data.grade_rationale,
            supervisor_agreed=supervisor,
        )
    )
    with transaction.atomic():
        case = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.MISSING,
                source=data.source,
                risk_grade=response.CASE_GRADE[Grade(data.grade)],
                risk_rationale=data.grade_rationale,
                received_at=data.reported_at,
                unit_id=_unit_for(actor.force_id, Unit.Type.MISSING),
                summary=f"Missing from {data.last_seen_place.strip()}. "
                f"{data.circumstances.strip()}",
                people=((child.pk, Involvement.Role.SUBJECT),),
            ),
            now=now,
        )
        # The grading is the decision on the report: the case is triaged as it is recorded.
        # Not through case_triage: that needs CASE_WORK on the case, and a reporter outside
        # the missing persons unit (an investigator, a supervisor) has it only for their own
        # unit. The case was made in this transaction, so nobody else can hold it.
        case = case_mark_triaged(actor=actor, case_id=case.pk, now=now)
        episode = Episode.objects.create(
            force_id=actor.force_id,
            case=case,
            child=child,
            reported_at=data.reported_at,
            reported_by=data.reported_by.strip(),
            reporter_relationship=data.reporter_relationship.strip(),
            missing_from=data.missing_from,
            placement_name=data.placement_name.strip(),
            local_authority_id=data.local_authority_id or 0,  # checked above
            last_seen_at=data.last_seen_at,
            last_seen_place=data.last_seen_place.strip(),
            circumstances=data.circumstances.strip(),
            description=data.description.strip(),
            age_years=age or 0,
            health_needs=data.health_needs.strip(),
            medication=data.medication.strip(),
            self_harm_risk=data.self_harm_risk,
            urgent_health_need=data.urgent_health_need,
            suspected_crime=data.suspected_crime,
            out_of_character=data.out_of_character,
            indicators=sorted(set(data.indicators)),
            suggested_grade=suggestion.grade,
            grade=data.grade,
            grade_rationale=data.grade_rationale.strip(),
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        GradeChange.objects.create(
            force_id=actor.force_id,
            episode=episode,
            grade=data.grade,
            suggested_grade=suggestion.grade,
            rationale=data.grade_rationale.strip(),
            changed_by_id=actor.user_id,
            agreed_by_id=actor.user_id if supervisor else None,
            changed_at=now,
        )
        if photo is not None:
            _photo_save(actor, episode, photo, content_type, now)
        _audit(actor, episode, AuditAction.CREATE)
        _event(
            actor,
            episode,
            "missing.reported",
            f"Reported missing from {episode.get_missing_from_display().lower()}",
            now,
            f"Last seen {data.last_seen_at:%d %b %Y %H:%M} at {episode.last_seen_place}. "
            f"Graded {Grade(data.grade).label.lower()} (suggested "
            f"{suggestion.grade.label.lower()}: {'; '.join(suggestion.reasons)}).",
        )
        _evaluate_triggers(actor, episode, episode.indicators, now)
        case_clocks_rederive(case, now)
    return episode


def _episode_for_update(
    actor: Actor, episode_id: int, permission: Permission = Permission.CASE_WORK
) -> Episode:
    return case_record_for_update(Episode, episode_id, actor=actor, permission=permission)


def _set_case_grade(case_id: int, grade: Grade, rationale: str, now: datetime) -> None:
    Case.objects.filter(pk=case_id).update(
        risk_grade=response.CASE_GRADE[grade],
        risk_rationale=rationale,
        updated_at=now,
        version=F("version") + 1,
    )


def _regrade(
    actor: Actor, episode: Episode, grade: Grade, rationale: str, agreed: bool, now: datetime
) -> None:
    update_versioned(
        episode,
        expected_version=episode.version,
        changes={"grade": grade.value, "grade_rationale": rationale.strip(), "updated_at": now},
    )
    GradeChange.objects.create(
        force_id=episode.force_id,
        episode=episode,
        grade=grade.value,
        suggested_grade=episode.suggested_grade,
        rationale=rationale.strip(),
        changed_by_id=actor.user_id,
        agreed_by_id=actor.user_id if agreed else None,
        changed_at=now,
    )
    _set_case_grade(episode.case_id, grade, rationale.strip(), now)


def episode_regrade(
    *, actor: Actor, episode_id: int, version: int, grade: str, rationale: str, now: datetime
) -> Episode:
    """Change the grade: higher at any time; lower than suggested only by a supervisor."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        if episode.version != version:
            update_versioned(episode, expected_version=version, changes={})
        refuse_if([] if _valid(grade, Grade) else [("grade", "Select a risk grade")])
        if episode.status != Episode.Status.MISSING:
            raise DomainError("invalid", NOT_MISSING)
        case = Case.objects.get(pk=episode.case_id)
        supervisor = can_act_on(actor=actor, case=case, permission=Permission.CASE_SUPERVISE)
        refuse_if(
            grade_problems(
                suggested=Grade(episode.suggested_grade),
                chosen=Grade(grade),
                rationale=rationale,
                supervisor_agreed=supervisor,
            )
        )
        before = episode.grade_enum
        _regrade(actor, episode, Grade(grade), rationale, supervisor, now)
        _audit(actor, episode, AuditAction.UPDATE, "regrade", ["grade", "grade_rationale"])
        _event(
            actor,
            episode,
            "missing.regraded",
            f"Risk regraded from {before.label.lower()} to {Grade(grade).label.lower()}",
            now,
            rationale.strip(),
        )
        case_clocks_rederive(case, now)
    return episode


def episode_supervisor_review(
    *, actor: Actor, episode_id: int, version: int, grade: str, rationale: str, now: datetime
) -> Episode:
    """A supervisor reviews the grade: confirms it, or changes it (up or down) with a rationale."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id, Permission.CASE_SUPERVISE)
        if episode.version != version:
            update_versioned(episode, expected_version=version, changes={})
        problems = [] if _valid(grade, Grade) else [("grade", "Select a risk grade")]
        if not rationale.strip():
            problems.append(("rationale", "Enter the rationale for your review"))
        refuse_if(problems)
        if episode.status != Episode.Status.MISSING:
            raise DomainError("invalid", NOT_MISSING)
        before = episode.grade_enum
        if Grade(grade) != before:
            _regrade(actor, episode, Grade(grade), rationale, True, now)
        RiskReview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            kind=RiskReview.Kind.SUPERVISOR,
            grade=grade,
            note=rationale.strip(),
            reviewed_by_id=actor.user_id,
            reviewed_at=now,
        )
        _audit(actor, episode, AuditAction.UPDATE, "supervisor_review", ["grade_review"])
        title = (
            f"Supervisor confirmed the grade: {before.label.lower()}"
            if Grade(grade) == before
            else f"Supervisor regraded from {before.label.lower()} to {Grade(grade).label.lower()}"
        )
        _event(actor, episode, "missing.supervisor_review", title, now, rationale.strip())
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return episode


def episode_risk_review(*, actor: Actor, episode_id: int, note: str, now: datetime) -> RiskReview:
    """Record a review of the risk while the child is missing; restarts the review clock."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        refuse_if([] if note.strip() else [("note", "Enter what was reviewed and found")])
        if episode.status != Episode.Status.MISSING:
            raise DomainError("invalid", NOT_MISSING)
        review = RiskReview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            kind=RiskReview.Kind.OFFICER,
            grade=episode.grade,
            note=note.strip(),
            reviewed_by_id=actor.user_id,
            reviewed_at=now,
        )
        _audit(actor, episode, AuditAction.UPDATE, "risk_review", ["risk_review"])
        _event(actor, episode, "missing.risk_review", "Risk reviewed", now, note.strip())
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return review


def episode_attended(
    *, actor: Actor, episode_id: int, version: int, attended_at: datetime, now: datetime
) -> Episode:
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        problems = []
        if episode.first_attended_at is not None:
            problems.append(("attended_at", ALREADY_ATTENDED))
        elif attended_at > now:
            problems.append(("attended_at", IN_FUTURE))
        elif attended_at < episode.reported_at:
            problems.append(("attended_at", ATTEND_BEFORE_REPORT))
        refuse_if(problems)
        update_versioned(
            episode,
            expected_version=version,
            changes={"first_attended_at": attended_at, "updated_at": now},
        )
        _audit(actor, episode, AuditAction.UPDATE, "attended", ["first_attended_at"])
        _event(actor, episode, "missing.attended", f"Attended at {attended_at:%d %b %H:%M}", now)
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return episode


def episode_inspector_acknowledge(*, actor: Actor, episode_id: int, now: datetime) -> Episode:
    """The duty inspector records that they know of a high-risk episode (APP: a senior manager
    is involved). Saying so twice changes nothing."""
    actor.require(Permission.DUTY_VIEW)
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id, Permission.CASE_SUPERVISE)
        if not GradeChange.objects.filter(episode=episode, grade=Grade.HIGH).exists():
            raise DomainError("invalid", NEVER_HIGH)
        if episode.inspector_informed_at is None:
            update_versioned(
                episode,
                expected_version=episode.version,
                changes={
                    "inspector_informed_at": now,
                    "inspector_informed_by_id": actor.user_id,
                    "updated_at": now,
                },
            )
            _audit(
                actor, episode, AuditAction.UPDATE, "inspector_informed", ["inspector_informed_at"]
            )
            _event(actor, episode, "missing.inspector", "Duty inspector informed", now)
            case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return episode


def episode_plan_add(
    *,
    actor: Actor,
    episode_id: int,
    kind: str,
    detail: str,
    owner_id: int,
    due_on: date,
    now: datetime,
) -> Any:
    """An item of the supervisor's investigation plan: an action on the case with an owner."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id, Permission.CASE_SUPERVISE)
        problems = [] if kind in PLAN_KINDS else [("kind", "Select the kind of enquiry")]
        if not detail.strip():
            problems.append(("detail", "Enter what is to be done"))
        refuse_if(problems)
        return action_add(
            actor=actor,
            case_id=episode.case_id,
            title=f"{PLAN_KINDS[kind]}: {detail.strip()}"[:200],
            owner_id=owner_id,
            due_on=due_on,
            now=now,
        )


def _la_members(local_authority_id: int) -> list[User]:
    return list(
        User.objects.filter(
            local_authorities__pk=local_authority_id,
            is_active=True,
            role_grants__role=Role.PARTNER,
        ).distinct()
    )


def episode_found(
    *,
    actor: Actor,
    episode_id: int,
    version: int,
    found_at: datetime,
    found_place: str,
    found_by: str,
    condition: str,
    now: datetime,
) -> Episode:
    """The child is found or has returned: the return home interview becomes a task for the
    responsible local authority, disclosed to its users and announced by email without any
    detail of the child."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        problems = episode_problems(last_seen_at=episode.last_seen_at, found_at=found_at, now=now)
        for name, value, what in (
            ("found_place", found_place, "where the child was found"),
            ("found_by", found_by, "who found the child, or that they returned themselves"),
            ("condition", condition, "the child's condition"),
        ):
            if not value.strip():
                problems.append((name, REQUIRED.format(what=what)))
        refuse_if(problems)
        if episode.status != Episode.Status.MISSING:
            raise DomainError("invalid", NOT_MISSING)
        update_versioned(
            episode,
            expected_version=version,
            changes={
                "status": Episode.Status.FOUND,
                "found_at": found_at,
                "found_place": found_place.strip(),
                "found_by": found_by.strip(),
                "condition": condition.strip(),
                "updated_at": now,
            },
        )
        task = ReturnInterview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            local_authority_id=episode.local_authority_id,
            returned_at=found_at,
            due_at=return_interview_due(found_at),
            created_at=now,
        )
        for member in _la_members(episode.local_authority_id):
            Disclosure.objects.create(
                force_id=episode.force_id,
                object_type=RHI_DISCLOSURE,
                object_id=str(task.pk),
                recipient=member,
                disclosed_by_id=actor.user_id,
                purpose="Independent return home interview (DfE 2014)",
                disclosed_at=now,
            )
            if member.email:
                outbox_enqueue(
                    channel="email",
                    subject="A return home interview is due",
                    body=(
                        "A child has returned after being missing. Sign in to Safeguard to see "
                        f"the return home interview task. It must be offered by "
                        f"{timezone.localtime(task.due_at):%H:%M on %d %b %Y} (UK time)."
                    ),
                    now=now,
                    force_id=episode.force_id,
                    recipient_user_id=member.pk,
                    to_address=member.email,
                    link=f"/return-interviews/{task.pk}/",
                    dedupe_key=f"rhi:{task.pk}:{member.pk}",
                )
            audit_record(
                actor=actor,
                action=AuditAction.DISCLOSE,
                object_type="return_interview",
                object_id=task.pk,
                recipient=member.username,
            )
        _audit(actor, episode, AuditAction.UPDATE, "found", ["status", "found_at"])
        _event(
            actor,
            episode,
            "missing.found",
            f"Found or returned at {found_at:%d %b %Y %H:%M}",
            now,
            f"{found_place.strip()}. Condition: {condition.strip()}",
        )
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return episode


@dataclass(frozen=True)
class PreventionInput:
    conducted_at: datetime
    harm_suffered: str
    why_went: str
    spoken_to_alone: bool = False
    offences: str = ""
    indicators: tuple[str, ...] = field(default_factory=tuple)
    notes: str = ""


def prevention_interview_record(
    *, actor: Actor, episode_id: int, data: PreventionInput, now: datetime
) -> PreventionInterview:
    """The police prevention interview: harm, offences, why they went, exploitation
    indicators. It is also the child's voice on the case, and may fire the indicator trigger."""
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        if episode.found_at is None:
            raise DomainError("invalid", NOT_FOUND_YET)
        problems = []
        if PreventionInterview.objects.filter(episode=episode).exists():
            problems.append(("conducted_at", ALREADY_INTERVIEWED))
        elif data.conducted_at > now:
            problems.append(("conducted_at", IN_FUTURE))
        elif data.conducted_at < episode.found_at:
            problems.append(("conducted_at", INTERVIEW_BEFORE_FOUND))
        if not data.harm_suffered.strip():
            problems.append(("harm_suffered", REQUIRED.format(what="any harm suffered, or none")))
        if not data.why_went.strip():
            problems.append(("why_went", REQUIRED.format(what="why the child went")))
        if not all(_valid(i, Indicator) for i in data.indicators):
            problems.append(("indicators", "Select exploitation indicators from the list"))
        refuse_if(problems)
        interview = PreventionInterview.objects.create(
            force_id=episode.force_id,
            episode=episode,
            conducted_at=data.conducted_at,
            conducted_by_id=actor.user_id,
            spoken_to_alone=data.spoken_to_alone,
            harm_suffered=data.harm_suffered.strip(),
            offences=data.offences.strip(),
            why_went=data.why_went.strip(),
            indicators=sorted(set(data.indicators)),
            notes=data.notes.strip(),
            recorded_at=now,
        )
        voice_record(
            actor=actor,
            case_id=episode.case_id,
            child_id=episode.child_id,
            voice=VoiceInput(
                seen=True,
                seen_at=data.conducted_at,
                spoken_to=True,
                spoken_to_alone=data.spoken_to_alone,
                child_said=data.why_went.strip(),
                demeanour=data.harm_suffered.strip(),
                not_seen_reason="",
            ),
            now=now,
        )
        _audit(actor, episode, AuditAction.UPDATE, "prevention_interview", ["prevention_interview"])
        _event(actor, episode, "missing.prevention", "Prevention interview recorded", now)
        _evaluate_triggers(actor, episode, [*episode.indicators, *data.indicators], now)
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return interview


@dataclass(frozen=True)
class ReturnInterviewInput:
    offered_at: datetime
    outcome: str
    interview_at: datetime | None = None
    interviewer: str = ""
    summary: str = ""


def _return_interview_problems(
    task: ReturnInterview, data: ReturnInterviewInput, now: datetime
) -> list[tuple[str, str]]:
    problems = []
    if not _valid(data.outcome, ReturnInterview.Outcome):
        problems.append(("outcome", OUTCOME_REQUIRED))
    if data.offered_at > now:
        problems.append(("offered_at", IN_FUTURE))
    elif data.offered_at < task.returned_at:
        problems.append(("offered_at", RHI_BEFORE_RETURN))
    if data.outcome == ReturnInterview.Outcome.COMPLETED and data.interview_at is None:
        problems.append(("interview_at", INTERVIEW_DATE_REQUIRED))
    if data.interview_at is not None:
        if data.interview_at > now:
            problems.append(("interview_at", IN_FUTURE))
        elif data.interview_at < task.returned_at:
            problems.append(("interview_at", RHI_BEFORE_RETURN))
    return problems


def return_interview_record(
    *, actor: Actor, interview_id: int, version: int, data: ReturnInterviewInput, now: datetime
) -> ReturnInterview:
    """The local authority records its return home interview; or the police record it on the
    authority's behalf (then the case must be within their scope to work)."""
    with transaction.atomic():
        if actor.can(Permission.RETURN_INTERVIEW_RECORD):
            task = return_interview_disclosed(actor=actor, interview_id=interview_id)
            on_behalf = False
        else:
            found = ReturnInterview.objects.filter(
                force_id=actor.force_id,
                pk=interview_id,
                episode__case__in=cases_visible_to(actor),
            ).first()
            if found is None:
                raise NotFound()
            task = found
            _episode_for_update(actor, task.episode_id)
            on_behalf = True
        task = ReturnInterview.objects.select_for_update().get(pk=task.pk)
        if task.recorded_at is not None:
            raise DomainError("invalid", ALREADY_RECORDED)
        refuse_if(_return_interview_problems(task, data, now))
        update_versioned(
            task,
            expected_version=version,
            changes={
                "offered_at": data.offered_at,
                "interview_at": data.interview_at,
                "outcome": data.outcome,
                "interviewer": data.interviewer.strip(),
                "summary": data.summary.strip(),
                "recorded_by_id": actor.user_id,
                "recorded_on_behalf": on_behalf,
                "recorded_at": now,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="return_interview",
            object_id=task.pk,
            changed_fields=["outcome", "offered_at", "interview_at"],
        )
        episode = Episode.objects.get(pk=task.episode_id)
        who = "by the police for the local authority" if on_behalf else "by the local authority"
        _event(
            actor,
            episode,
            "missing.return_interview",
            f"Return home interview recorded {who}: {task.get_outcome_display().lower()}",
            now,
        )
        case_clocks_rederive(Case.objects.get(pk=episode.case_id), now)
    return task


# Triggers ------------------------------------------------------------------------------------


def _evaluate_triggers(
    actor: Actor, episode: Episode, indicators: list[str], now: datetime
) -> list[Trigger]:
    policy = missing_policy_for(episode.force_id)
    fired = []
    repeat = repeat_trigger(
        episode_starts_of_child(episode.child_id),
        latest=episode.last_seen_at,
        threshold=policy.repeat_threshold,
        window_days=policy.repeat_window_days,
    )
    if repeat is not None:
        fired.append(repeat)
    flagged = indicator_trigger(Indicator(i) for i in indicators)
    if flagged is not None:
        fired.append(flagged)
    return [made for trigger in fired if (made := _raise(actor, episode, trigger, now)) is not None]


def _raise(actor: Actor, episode: Episode, fired: FiredTrigger, now: datetime) -> Trigger | None:
    """Raise a flagged exploitation case for the child, or add to the open one; never silent:
    the trigger, its reason and the case are on the episode, the case and the chronology."""
    if Trigger.objects.filter(episode=episode, kind=fired.kind).exists():
        return None
    existing = (
        Case.objects.filter(
            force_id=episode.force_id,
            case_type=Case.Type.EXPLOITATION,
            involvements__person_id=episode.child_id,
            involvements__role=Involvement.Role.SUBJECT,
        )
        .exclude(status="closed")
        .order_by("-received_at")
        .first()
    )
    reference = Case.objects.values_list("reference", flat=True).get(pk=episode.case_id)
    if existing is None:
        raised = case_create(
            actor=actor,
            data=CaseInput(
                case_type=Case.Type.EXPLOITATION,
                source=Case.Source.OFFICER,
                risk_grade="high" if fired.kind == "indicators" else "medium",
                risk_rationale=f"Raised by the missing-episode trigger: {fired.reason}",
                received_at=now,
                unit_id=_unit_for(
                    episode.force_id,
                    Unit.Type.MASH,
                    fallback=_unit_for(episode.force_id, Unit.Type.MISSING),
                ),
                summary=f"Flagged from missing episode {reference}: {fired.reason}",
                people=((episode.child_id, Involvement.Role.SUBJECT),),
            ),
            now=now,
        )
    else:
        raised = existing
        timeline_add(
            actor=actor,
            force_id=episode.force_id,
            case_id=existing.pk,
            kind="missing.trigger",
            title=f"Missing-episode trigger from {reference}",
            description=fired.reason,
            at=now,
        )
    trigger = Trigger.objects.create(
        force_id=episode.force_id,
        episode=episode,
        child_id=episode.child_id,
        kind=fired.kind,
        reason=fired.reason,
        raised_case=raised,
        raised_new_case=existing is None,
        fired_at=now,
    )
    _event(
        actor,
        episode,
        "missing.trigger",
        f"Exploitation trigger: {'new case' if existing is None else 'added to'} "
        f"{raised.reference}",
        now,
        fired.reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="missing_trigger",
        object_id=trigger.pk,
        reason_code=fired.kind,
    )
    return trigger


# Policy ------------------------------------------------------------------------------------


def missing_policy_update(
    *, actor: Actor, version: int, data: response.ResponsePolicy, now: datetime
) -> MissingPolicySetting:
    """Change the force's missing-child response times; versioned and audited. Open episodes
    take the new times at their next change."""
    actor.require(Permission.POLICY_MANAGE)
    refuse_if(response.policy_problems(data))
    with transaction.atomic():
        setting = missing_policy_for(actor.force_id)
        changed = update_versioned(
            setting,
            expected_version=version,
            changes={**vars(data), "updated_at": now, "updated_by_id": actor.user_id},
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="policy",
            object_id="missing",
            changed_fields=[n for n in changed if n not in ("updated_at", "updated_by_id")],
        )
    return setting


def photo_add(*, actor: Actor, episode_id: int, content: bytes, now: datetime) -> Photo:
    content_type = photo_check(content)
    with transaction.atomic():
        episode = _episode_for_update(actor, episode_id)
        photo = _photo_save(actor, episode, content, content_type, now)
        _audit(actor, episode, AuditAction.UPDATE, "photo", ["photo"])
        _event(actor, episode, "missing.photo", "Photo added", now)
    return photo
