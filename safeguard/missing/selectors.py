"""Reads of missing episodes: scoped through their cases (or, for a local authority's users,
through what was disclosed to them) and audited."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from statistics import median

from django.db.models import QuerySet
from django.utils import timezone

from safeguard.cases.rules.naming import Subject, record_name
from safeguard.cases.selectors import cases_visible_to
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import ClockView, clocks_for_many
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction, Disclosure
from safeguard.core.permissions import Permission
from safeguard.missing.models import (
    Episode,
    MissingPolicySetting,
    Photo,
    ReturnInterview,
    Trigger,
)
from safeguard.missing.rules.episodes import RHI_OFFER_WITHIN
from safeguard.missing.rules.grading import Grade
from safeguard.partners.models import LocalAuthority
from safeguard.people.models import Person
from safeguard.people.selectors import Marker

RHI_DISCLOSURE = "missing.return_interview"


def missing_policy_for(force_id: int) -> MissingPolicySetting:
    """The force's setting, made with the defaults the first time it is asked for."""
    setting, _ = MissingPolicySetting.objects.get_or_create(force_id=force_id)
    return setting


def missing_policy_get(*, actor: Actor) -> MissingPolicySetting:
    actor.require(Permission.POLICY_VIEW)
    return missing_policy_for(actor.force_id)


def episodes_visible_to(
    actor: Actor, permission: Permission = Permission.CASE_VIEW
) -> QuerySet[Episode]:
    return Episode.objects.filter(case__in=cases_visible_to(actor, permission))


def episode_get(*, actor: Actor, episode_id: int) -> Episode:
    episode = (
        episodes_visible_to(actor)
        .select_related("case", "case__owner", "case__unit", "child", "local_authority")
        .filter(pk=episode_id)
        .first()
    )
    if episode is None:
        raise NotFound()
    audit_record(
        actor=actor, action=AuditAction.VIEW, object_type="missing_episode", object_id=episode.pk
    )
    return episode


def episode_photo(*, actor: Actor, episode_id: int) -> Photo:
    """The latest photo of an episode the actor can see; served only through this read."""
    photo = (
        Photo.objects.filter(episode__in=episodes_visible_to(actor), episode_id=episode_id)
        .order_by("-uploaded_at", "-id")
        .first()
    )
    if photo is None:
        raise NotFound()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="missing_photo",
        object_id=photo.pk,
    )
    return photo


def episode_for_case(*, actor: Actor, case_id: int) -> Episode | None:
    """The episode of a case the actor can already see (no audit: the case read was)."""
    return episodes_visible_to(actor).filter(case_id=case_id).first()


def local_authorities(*, actor: Actor) -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.filter(force_id=actor.force_id).order_by("name")


def episode_starts_of_child(child_id: int) -> list[datetime]:
    """When each of a child's episodes began (for the repeat trigger): all forces' records of
    one child are one person, so this is not scoped; it returns no personal detail."""
    return list(Episode.objects.filter(child_id=child_id).values_list("last_seen_at", flat=True))


# The active-missing board -------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    episode: Episode
    missing_for: timedelta
    clocks: list[ClockView]
    overdue: int
    # "CP-2026-000376 Benjamin Smith (12)": the case and the missing child (cases/rules/naming.py)
    name: str = ""
    owner: str = ""

    @property
    def missing_for_text(self) -> str:
        minutes = int(self.missing_for.total_seconds() // 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        if days:
            return f"{days}d {hours}h"
        return f"{hours}h {minutes:02d}m"


BOARD_LIMIT = 500


def active_board(*, actor: Actor, now: datetime) -> list[BoardRow]:
    """Every open episode the actor can see: overdue clocks first, then highest grade, then
    longest missing. Audited as one list read."""
    episodes = list(
        episodes_visible_to(actor)
        .filter(status=Episode.Status.MISSING)
        .select_related("case", "child", "case__owner")
        .order_by("last_seen_at")[:BOARD_LIMIT]
    )
    clocks = clocks_for_many(object_type="case", object_ids=[e.case_id for e in episodes], now=now)
    rows = []
    for episode in episodes:
        mine = [c for c in clocks.get(episode.case_id, []) if c.name.startswith("missing.")]
        overdue = sum(1 for c in mine if c.status == "breached")
        child = episode.child
        name = record_name(
            episode.case.reference, [Subject(child.full_name, child.age(london_date(now)))]
        )
        owner = episode.case.owner.display_name if episode.case.owner else ""
        rows.append(
            BoardRow(episode, now - episode.last_seen_at, mine, overdue, name=name, owner=owner)
        )
    rows.sort(key=lambda r: (-r.overdue, -r.episode.grade_enum.rank, r.episode.last_seen_at))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="missing_episode",
        object_id="list",
        reason_code="active_board",
    )
    return rows


# A child's missing profile ---------------------------------------------------------------


@dataclass
class ChildProfile:
    child: Person
    episodes: list[Episode]
    triggers: list[Trigger]
    in_last_90_days: int


def child_profile(*, actor: Actor, person_id: int, now: datetime) -> ChildProfile:
    child = Person.objects.filter(force_id=actor.force_id, pk=person_id).first()
    if child is None or not actor.can(Permission.PERSON_VIEW):
        raise NotFound()
    episodes = list(
        episodes_visible_to(actor)
        .filter(child_id=person_id)
        .select_related("case")
        .order_by("-last_seen_at")
    )
    triggers = list(
        Trigger.objects.filter(episode__in=episodes).select_related("raised_case", "episode")
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=person_id,
        reason_code="missing_profile",
    )
    recent = sum(1 for e in episodes if e.last_seen_at >= now - timedelta(days=90))
    return ChildProfile(child, episodes, triggers, recent)


# Monthly figures ---------------------------------------------------------------------------


@dataclass
class MonthFigures:
    month: date
    episodes: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)
    median_minutes_to_attend: float | None = None
    returns: int = 0
    rhi_offered_in_time: int = 0
    repeat_children: int = 0

    @property
    def rhi_percent(self) -> float | None:
        return round(100 * self.rhi_offered_in_time / self.returns, 1) if self.returns else None


def _month_start(moment: datetime, zone: tzinfo) -> date:
    # Months are the force's: an episode at 00:30 BST on the 1st belongs to that month.
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_figures(*, actor: Actor, months: int, now: datetime) -> list[MonthFigures]:
    """Aggregates only, newest month last: episodes by grade, median minutes from report to
    first attendance, % of return home interviews offered within 72 hours of the return, and
    children with 3 or more episodes (the force's threshold) in the month."""
    actor.require(Permission.MISSING_FIGURES_VIEW)
    zone = timezone.get_current_timezone()
    first = _add_months(_month_start(now, zone), -(months - 1))
    start = timezone.make_aware(datetime(first.year, first.month, 1))
    policy = missing_policy_for(actor.force_id)
    rows = Episode.objects.filter(force_id=actor.force_id, reported_at__gte=start).values_list(
        "reported_at", "grade", "first_attended_at", "found_at", "child_id"
    )
    rhi = {
        episode_id: (returned_at, offered_at)
        for episode_id, returned_at, offered_at in ReturnInterview.objects.filter(
            force_id=actor.force_id, returned_at__gte=start
        ).values_list("episode_id", "returned_at", "offered_at")
    }
    figures = {(m := _add_months(first, i)): MonthFigures(m) for i in range(months)}
    attend: dict[date, list[float]] = defaultdict(list)
    per_child: dict[date, Counter[int]] = defaultdict(Counter)
    for reported_at, grade, attended_at, _found_at, child_id in rows:
        month = figures.get(_month_start(reported_at, zone))
        if month is None:
            continue
        month.episodes += 1
        month.by_grade[grade] = month.by_grade.get(grade, 0) + 1
        if attended_at is not None:
            attend[month.month].append((attended_at - reported_at).total_seconds() / 60)
        per_child[month.month][child_id] += 1
    for returned_at, offered_at in rhi.values():
        month = figures.get(_month_start(returned_at, zone))
        if month is None:
            continue
        month.returns += 1
        if offered_at is not None and offered_at - returned_at <= RHI_OFFER_WITHIN:
            month.rhi_offered_in_time += 1
    for month in figures.values():
        minutes = attend.get(month.month)
        month.median_minutes_to_attend = round(median(minutes), 1) if minutes else None
        month.repeat_children = sum(
            1 for n in per_child[month.month].values() if n >= policy.repeat_threshold
        )
        month.by_grade = {g.value: month.by_grade.get(g.value, 0) for g in Grade}
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="missing_figures",
        object_id="monthly",
        reason_code="aggregates",
    )
    return list(figures.values())


# A local authority's return home interview tasks --------------------------------------------


def local_authorities_of(*, actor: Actor) -> list[tuple[int, str]]:
    """The local authorities this partner user belongs to, by name (the list's filter)."""
    return list(
        LocalAuthority.objects.filter(force_id=actor.force_id, members__pk=actor.user_id)
        .order_by("name")
        .values_list("pk", "name")
    )


def return_interviews_disclosed_to(
    *,
    actor: Actor,
    open_only: bool = True,
    status: str = "",
    overdue_only: bool = False,
    local_authority_id: int | None = None,
    now: datetime | None = None,
) -> list[ReturnInterview]:
    """Only tasks disclosed to this user (their local authority's): those still to do first,
    soonest due first, then those recorded, soonest due first. Filtered by status ("open",
    "recorded", "all"; `open_only` when none is given), to those overdue (not offered by the
    due time), and to one local authority of theirs. Each task's `name` is the case and child
    as lists name them ("CP-2026-000376 Benjamin Smith (12)")."""
    now = now or timezone.now()
    if not status:
        status = "open" if open_only else "all"
    actor.require(Permission.RETURN_INTERVIEW_RECORD)
    ids = Disclosure.objects.filter(
        force_id=actor.force_id,
        recipient_id=actor.user_id,
        object_type=RHI_DISCLOSURE,
        revoked_at__isnull=True,
    ).values_list("object_id", flat=True)
    tasks = ReturnInterview.objects.filter(
        force_id=actor.force_id, pk__in=[int(i) for i in ids]
    ).select_related("episode", "episode__child", "episode__case", "local_authority")
    if status == "open":
        tasks = tasks.filter(recorded_at__isnull=True)
    elif status == "recorded":
        tasks = tasks.filter(recorded_at__isnull=False)
    if overdue_only:
        tasks = tasks.filter(recorded_at__isnull=True, due_at__lt=now)
    if local_authority_id:
        tasks = tasks.filter(local_authority_id=local_authority_id)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="return_interview",
        object_id="list",
        reason_code="disclosed",
    )
    rows = list(tasks.order_by("due_at", "pk"))
    # To do before recorded, then soonest due (the same on SQLite and PostgreSQL).
    rows.sort(key=lambda task: (task.recorded_at is not None, task.due_at, task.pk))
    today = london_date(now)
    for task in rows:
        child = task.episode.child
        task.name = record_name(  # type: ignore[attr-defined]
            task.episode.case.reference, [Subject(child.full_name, child.age(today))]
        )
    return rows


def return_interview_disclosed(*, actor: Actor, interview_id: int) -> ReturnInterview:
    actor.require(Permission.RETURN_INTERVIEW_RECORD)
    disclosed = Disclosure.objects.filter(
        force_id=actor.force_id,
        recipient_id=actor.user_id,
        object_type=RHI_DISCLOSURE,
        object_id=str(interview_id),
        revoked_at__isnull=True,
    ).exists()
    task = (
        ReturnInterview.objects.filter(force_id=actor.force_id, pk=interview_id)
        .select_related("episode", "episode__child", "episode__case", "local_authority")
        .first()
    )
    if not disclosed or task is None:
        raise NotFound()
    audit_record(
        actor=actor, action=AuditAction.VIEW, object_type="return_interview", object_id=task.pk
    )
    return task


# A warning marker on people's search results and duplicate check (registered in apps.py).
MARKER_WINDOW = timedelta(days=90)


def missing_count_markers(people: Sequence[Person], now: datetime) -> dict[int, list[Marker]]:
    """Warning marker: how many times the child was reported missing in the last 90 days."""
    counts = Counter(
        Episode.objects.filter(
            child_id__in=[person.pk for person in people], reported_at__gte=now - MARKER_WINDOW
        ).values_list("child_id", flat=True)
    )
    return {
        pk: [
            Marker(
                "missing_90d",
                f"Missing {count} {'time' if count == 1 else 'times'} in the last 90 days",
            )
        ]
        for pk, count in counts.items()
    }
