"""Every read of cases and their record, scoped to the actor's force, units and role, audited."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from safeguard.accounts.models import Unit, User
from safeguard.cases.models import SUBJECTS_ATTR, Action, Case, Involvement
from safeguard.cases.rules.lifecycle import Status
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import RecordLabel
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction, TimelineEvent
from safeguard.core.pagination import KeysetPage, keyset_page
from safeguard.core.permissions import Permission, Scope
from safeguard.core.scoping import scope_queryset
from safeguard.people.models import Person
from safeguard.people.selectors import CaseLine, Marker, person_get

PAGE_SIZE = 25

SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-received_at", "-id"),
    "oldest": ("received_at", "id"),
    "reference": ("reference",),
    # 'high' < 'medium' < 'standard': alphabetical order is also the order of risk.
    "risk": ("risk_grade", "-received_at", "-id"),
}
SORT_LABELS = {
    "newest": "Newest referral first",
    "oldest": "Oldest referral first",
    "reference": "Reference",
    "risk": "Highest risk first",
}


# Naming: "CP-2026-000376 Benjamin Smith (12)" (rules/naming.py) ---------------------------


def attach_subjects(cases: Iterable[Case]) -> None:
    """Load the subject children of many cases in one query, so `case.display_name` costs
    nothing more per case (each list selector calls this on its page)."""
    by_case: dict[int, list[Case]] = {}
    for case in cases:
        by_case.setdefault(case.pk, []).append(case)
    found: dict[int, list[Involvement]] = {pk: [] for pk in by_case}
    rows = (
        Involvement.objects.filter(case_id__in=list(by_case), role=Involvement.Role.SUBJECT)
        .select_related("person")
        .order_by("case_id", "pk")
    )
    for involvement in rows:
        found[involvement.case_id].append(involvement)
    for pk, same in by_case.items():
        for case in same:
            setattr(case, SUBJECTS_ATTR, found[pk])


def case_names(case_ids: Iterable[int]) -> dict[int, Case]:
    """Cases by id with their owner and subjects loaded (two queries), for another list that
    names them (clock rows, alerts): `case.display_name`, `case.owner.display_name`. No
    scoping: the caller has already scoped the records it names."""
    cases = list(Case.objects.filter(pk__in=list(case_ids)).select_related("owner"))
    attach_subjects(cases)
    return {case.pk: case for case in cases}


def case_record_labels(case_ids: list[int]) -> dict[int, RecordLabel]:
    """Names of cases for core's lists and messages (clock rows, escalation emails): the
    case's name, its owner's full name and its risk grade (registered in apps.py)."""
    return {
        pk: RecordLabel(
            name=case.display_name,
            owner=case.owner.display_name if case.owner else "",
            risk=case.get_risk_grade_display(),
        )
        for pk, case in case_names(case_ids).items()
    }


def cases_visible_to(actor: Actor, permission: Permission = Permission.CASE_VIEW) -> QuerySet[Case]:
    """The cases this permission reaches: the force, then the unit or the cases they own."""
    return scope_queryset(
        Case.objects.all(),
        actor=actor,
        permission=permission,
        object_type="case",
        unit_field="unit",
        owner_field="owner",
    )


def case_open_of_kind_for_child(*, actor: Actor, child_id: int, case_type: str) -> Case | None:
    """The newest open case of a kind about a child (a subject), within what the actor sees:
    another context adds to it rather than opening a second (a missing-episode trigger)."""
    return (
        cases_visible_to(actor)
        .filter(
            case_type=case_type,
            involvements__person_id=child_id,
            involvements__role=Involvement.Role.SUBJECT,
        )
        .exclude(status=Status.CLOSED)
        .order_by("-received_at", "-id")
        .first()
    )


def case_get(*, actor: Actor, case_id: int) -> Case:
    """One case the actor may see, with the people in it; another force's is not found."""
    case = (
        cases_visible_to(actor)
        .select_related("unit", "owner", "created_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="case", object_id=case.pk)
    return case


def case_involvements(*, case: Case) -> list[Involvement]:
    """The people in a case already opened with case_get (its view is audited there)."""
    return list(case.involvements.select_related("person").order_by("role", "person__family_name"))


def case_find_by_reference(*, actor: Actor, reference: str) -> Case | None:
    return cases_visible_to(actor).filter(reference=reference.strip().upper()).first()


@dataclass(frozen=True)
class CaseFilters:
    case_type: str = ""
    status: str = ""
    risk_grade: str = ""
    unit_id: int | None = None
    owner_id: int | None = None
    overdue: bool = False
    sort: str = "newest"


def _overdue(cases: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """A supervisory review is overdue, or an open action is past its due date."""
    late_actions = Action.objects.filter(
        case=OuterRef("pk"), completed_at__isnull=True, due_on__lt=london_date(now)
    )
    return cases.filter(Q(next_review_due_at__lt=now) | Exists(late_actions)).exclude(
        status=Status.CLOSED
    )


def case_list_visible_to(
    *,
    actor: Actor,
    filters: CaseFilters,
    now: datetime,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage[Case]:
    """One page of the actor's cases, filtered and sorted, by keyset (page 100 costs page 1)."""
    cases = case_list_rows(actor=actor, filters=filters, now=now)
    page = keyset_page(
        cases, order=SORTS.get(filters.sort, SORTS["newest"]), after=after, size=size
    )
    attach_subjects(page.items)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="case",
        object_id="list",
        reason_code="list",
    )
    return page


def timeline_page(
    events: QuerySet[TimelineEvent], *, after: str | None, size: int
) -> KeysetPage[TimelineEvent]:
    """A page of events, newest first, each with `byline`: who did it by their full name
    (one query for the page), not the username the event stores."""
    page = keyset_page(events, order=("-at", "-id"), after=after, size=size)
    attach_bylines(page.items)
    return page


def attach_bylines(events: Iterable[TimelineEvent]) -> None:
    """Set each event's `byline` to the full name of the user who did it ("system" stays)."""
    events = list(events)
    wanted = {(e.force_id, e.actor_username) for e in events if e.actor_username != "system"}
    names: dict[tuple[int | None, str], str] = {}
    if wanted:
        users = User.objects.filter(
            force_id__in={force for force, _ in wanted},
            username__in={username for _, username in wanted},
        )
        names = {(u.force_id, u.username): u.display_name for u in users}
    for event in events:
        key = (event.force_id, event.actor_username)
        event.byline = names.get(key, event.actor_username)  # type: ignore[attr-defined]


def case_timeline(
    *, case: Case, after: str | None = None, size: int = 50
) -> KeysetPage[TimelineEvent]:
    """The story of a case already opened with case_get, newest first."""
    return timeline_page(TimelineEvent.objects.filter(case_id=case.pk), after=after, size=size)


@dataclass(frozen=True)
class ChronologyEntry:
    """One event on a child's chronology: the case it is on, and, on a case with several
    children, the child it is about (a case-wide event names nobody)."""

    event: TimelineEvent
    case_reference: str
    about: str


@dataclass(frozen=True)
class Chronology:
    person: Person
    page: KeysetPage[TimelineEvent]
    references: dict[int, str]
    entries: list[ChronologyEntry]


def _about(event: TimelineEvent, person: Person, children_on_case: int) -> str:
    """Whom an event on a case with several children is about, unless its title says."""
    if event.person_id is None or children_on_case < 2 or person.full_name in event.title:
        return ""
    return person.full_name


def child_chronology(
    *, actor: Actor, person_id: int, after: str | None = None, size: int = 50
) -> Chronology:
    """What happened to a child, newest first: their own events (and those of records merged
    into theirs), and the case-wide events of every case they are part of. Never another
    child's: what a sibling said, how they seemed, that they were seen. Events of cases the
    actor cannot see are left out; the person's own events outside a case are always there."""
    person = person_get(actor=actor, person_id=person_id, audit=False)
    person_ids = [
        person.pk,
        *Person.objects.filter(merged_into=person).values_list("pk", flat=True),
    ]
    # A list, not a subquery: "person_id IN (...) OR case_id IN (subquery)" makes PostgreSQL
    # read the whole timeline; with literal ids it combines the two indexes.
    case_ids = list(
        cases_visible_to(actor)
        .filter(involvements__person_id__in=person_ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    events = TimelineEvent.objects.filter(force_id=actor.force_id).filter(
        Q(person_id__in=person_ids, case_id__isnull=True)
        | Q(person_id__in=person_ids, case_id__in=case_ids)
        | Q(person_id__isnull=True, case_id__in=case_ids)
    )
    page = timeline_page(events, after=after, size=size)
    on_page = {e.case_id for e in page.items if e.case_id}
    references = dict(Case.objects.filter(pk__in=on_page).values_list("pk", "reference"))
    children: dict[int, int] = {}
    for case_id in Involvement.objects.filter(
        case_id__in=on_page, role__in=Involvement.CHILD_ROLES
    ).values_list("case_id", flat=True):
        children[case_id] = children.get(case_id, 0) + 1
    entries = [
        ChronologyEntry(
            event=event,
            case_reference=references.get(event.case_id or 0, ""),
            about=_about(event, person, children.get(event.case_id or 0, 0)),
        )
        for event in page.items
    ]
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=person.pk,
        reason_code="chronology",
    )
    return Chronology(person=person, page=page, references=references, entries=entries)


def person_cases(*, actor: Actor, person: Person) -> list[tuple[Case, str]]:
    """The cases a person is part of that the actor may see, with their role in each."""
    rows = (
        Involvement.objects.filter(person=person, case__in=cases_visible_to(actor))
        .select_related("case")
        .order_by("-case__received_at")
    )
    return [(row.case, row.get_role_display()) for row in rows]


def my_open_cases(*, actor: Actor, limit: int = 20) -> list[Case]:
    """Cases the actor owns and has not closed, for My work: the review due soonest first,
    then those with no review due, newest referral first (the same on SQLite and PostgreSQL,
    which otherwise disagree about where nulls sort)."""
    if not actor.can(Permission.CASE_VIEW):
        return []
    cases = list(
        cases_visible_to(actor)
        .filter(owner_id=actor.user_id)
        .exclude(status=Status.CLOSED)
        .select_related("owner")
        .order_by(F("next_review_due_at").asc(nulls_last=True), "-received_at", "-id")[:limit]
    )
    attach_subjects(cases)
    return cases


def my_open_actions(*, actor: Actor, limit: int = 20) -> list[Action]:
    """The actor's open actions, soonest due first, each naming its case."""
    if not actor.can(Permission.CASE_VIEW):
        return []
    actions = list(
        Action.objects.filter(
            force_id=actor.force_id, owner_id=actor.user_id, completed_at__isnull=True
        )
        .select_related("case")
        .order_by("due_on", "id")[:limit]
    )
    attach_subjects(action.case for action in actions)
    return actions


CASE_WORKER_ROLES = ("officer", "investigator", "supervisor", "duty_inspector")


def case_assignable_staff(*, actor: Actor, unit_id: int | None = None) -> QuerySet[User]:
    """Active colleagues who can own a case or an action, from the case's unit if given."""
    staff = User.objects.filter(
        force_id=actor.force_id, is_active=True, role_grants__role__in=CASE_WORKER_ROLES
    )
    if unit_id is not None:
        staff = staff.filter(units__id=unit_id)
    return staff.distinct().order_by("last_name", "first_name", "pk")


def units_for_new_case(*, actor: Actor) -> QuerySet[Unit]:
    scope = actor.require(Permission.CASE_CREATE)
    units = Unit.objects.filter(force_id=actor.force_id)
    if scope < Scope.FORCE:
        units = units.filter(pk__in=actor.unit_ids)
    return units.order_by("name")


def can_act_on(*, actor: Actor, case: Case, permission: Permission) -> bool:
    """Does the actor's scope for `permission` reach this case (which they can already see)?"""
    if not actor.can(permission):
        return False
    return cases_visible_to(actor, permission).filter(pk=case.pk).exists()


def units_for_filters(*, actor: Actor) -> QuerySet[Unit]:
    return Unit.objects.filter(force_id=actor.force_id).order_by("name")


# ---------------------------------------------------------------------------------------------
# Printing and export (docs/exports.md)
# ---------------------------------------------------------------------------------------------

# A printed chronology holds at most this many events (the newest); it says so when cut.
PRINT_LIMIT = 5000


def staff_names(*, actor: Actor, usernames: set[str]) -> dict[str, str]:
    """Full names of the actor's force's staff by username, for bylines on paper."""
    users = User.objects.filter(force_id=actor.force_id, username__in=usernames)
    return {user.username: user.display_name for user in users}


def case_subject_label(*, case: Case, today: date) -> str:
    """The subject children of a case, as a record is named: "Benjamin Smith (12)"."""
    subjects = [
        i.person
        for i in case.involvements.select_related("person").order_by("person__family_name")
        if i.role == Involvement.Role.SUBJECT
    ]
    labels = []
    for person in subjects:
        age = person.age(today)
        labels.append(person.full_name + (f" ({age})" if age is not None else ""))
    return ", ".join(labels) or "No subject child recorded"


def case_list_rows(*, actor: Actor, filters: CaseFilters, now: datetime) -> QuerySet[Case]:
    """Every case of the list the actor sees with these filters, in its sort order: the case
    list's own rows without the page limit, for an export (audited by the export)."""
    cases = cases_visible_to(actor).select_related("unit", "owner")
    if filters.case_type:
        cases = cases.filter(case_type=filters.case_type)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.risk_grade:
        cases = cases.filter(risk_grade=filters.risk_grade)
    if filters.unit_id:
        cases = cases.filter(unit_id=filters.unit_id)
    if filters.owner_id:
        cases = cases.filter(owner_id=filters.owner_id)
    if filters.overdue:
        cases = _overdue(cases, now)
    return cases.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


# What people's search results and duplicate check show from cases (registered in apps.py;
# people imports no cases code).

EXPLOITATION_TYPES = (Case.Type.EXPLOITATION, Case.Type.ONLINE_CSE)


def open_cases_of_people(actor: Actor, person_ids: Sequence[int]) -> dict[int, list[CaseLine]]:
    """Each person's open cases that the actor may see, newest first: 'CP-2026-000376
    Missing child (investigating)'."""
    if not actor.can(Permission.CASE_VIEW):
        return {}
    found: dict[int, list[CaseLine]] = {}
    rows = (
        Involvement.objects.filter(
            person_id__in=person_ids, case__in=cases_visible_to(actor).exclude(status=Status.CLOSED)
        )
        .select_related("case")
        .order_by("-case__received_at", "case_id")
    )
    for row in rows[:200]:
        case = row.case
        lines = found.setdefault(row.person_id, [])
        if all(line.case_id != case.pk for line in lines):
            lines.append(
                CaseLine(
                    case.pk,
                    f"{case.reference} {case.get_case_type_display()} "
                    f"({case.get_status_display().lower()}), {row.get_role_display().lower()}",
                )
            )
    return found


def exploitation_markers(people: Sequence[Person], now: datetime) -> dict[int, list[Marker]]:
    """Warning marker: the child is in an open exploitation case (CSE, CCE or online), whoever
    holds it: a marker warns without showing the case."""
    ids = [person.pk for person in people]
    open_ids = set(
        Involvement.objects.filter(
            person_id__in=ids,
            role__in=Involvement.CHILD_ROLES,
            case__case_type__in=EXPLOITATION_TYPES,
        )
        .exclude(case__status=Status.CLOSED)
        .values_list("person_id", flat=True)
    )
    return {pk: [Marker("exploitation", "Open exploitation case")] for pk in open_ids}
