"""Reads for partners: the school calendar that applies to a school, the schools directory
and each school's key adults."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Replace, Upper

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import SchoolCalendar
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction
from safeguard.core.pagination import KeysetPage, keyset_page
from safeguard.core.permissions import Permission
from safeguard.partners.models import KeyAdult, School, Term, TermCalendar


def school_calendar_for(
    *, force_id: int, school_urn: str = "", la_code: str = ""
) -> SchoolCalendar | None:
    """The term dates for a school: its own calendar first, else its local authority's.

    None when the force holds neither. Term dates are not personal data, so no audit entry.
    """
    calendar = term_calendar_of(force_id=force_id, school_urn=school_urn, la_code=la_code)
    if calendar is None:
        return None
    terms = calendar.terms.order_by("first_day").values_list("first_day", "last_day")
    return SchoolCalendar(terms=tuple(terms), day_starts_at=calendar.day_starts_at)


def term_calendar_of(
    *, force_id: int, school_urn: str = "", la_code: str = ""
) -> TermCalendar | None:
    """The term calendar that applies to a school: its own, else its local authority's."""
    calendar = None
    if school_urn.strip():
        calendar = TermCalendar.objects.filter(
            force_id=force_id, school_urn=school_urn.strip()
        ).first()
    if calendar is None and la_code.strip():
        calendar = TermCalendar.objects.filter(
            force_id=force_id, la_code=la_code.strip().upper(), school_urn=""
        ).first()
    return calendar


def school_by_urn(urn: str) -> School | None:
    """The school with this URN, or None. Schools are public reference data: no audit entry."""
    urn = (urn or "").strip()
    if not urn:
        return None
    return School.objects.filter(urn=urn).first()


def key_adults_for(force_id: int, urn: str) -> list[KeyAdult]:
    """The active key adults of a school for a force: the DSL first, then deputies, by name.

    Names and secure emails are personal data: callers that show them audit the read.
    """
    role_order = Case(
        When(role=KeyAdult.Role.DSL, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        KeyAdult.objects.filter(force_id=force_id, school__urn=(urn or "").strip(), active=True)
        .select_related("school", "user")
        .annotate(role_order=role_order)
        .order_by("role_order", "name", "pk")
    )


def schools_of_user(user_id: int, force_id: int) -> list[School]:
    """The schools where this user is an active key adult for the force, by name."""
    return list(
        School.objects.filter(
            key_adults__user_id=user_id, key_adults__force_id=force_id, key_adults__active=True
        )
        .distinct()
        .order_by("name", "urn")
    )


# --- The schools directory pages ----------------------------------------------------------------

SCHOOLS_PAGE_SIZE = 50
SCHOOL_ORDER = ("name", "urn")


@dataclass(frozen=True)
class SchoolSearch:
    text: str = ""  # a name (any part), a URN (its start) or a postcode (its start)
    local_authority: str = ""  # a local authority code, or part of its name

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.local_authority.strip())


def _matching(schools: QuerySet[School], search: SchoolSearch) -> QuerySet[School]:
    text = " ".join(search.text.split())
    if text:
        compact = text.replace(" ", "").upper()
        schools = schools.annotate(
            postcode_compact=Replace(Upper("postcode"), Value(" "), Value(""))
        )
        match = Q(name__icontains=text) | Q(postcode_compact__startswith=compact)
        if text.isdigit():
            match |= Q(urn__startswith=text)
        schools = schools.filter(match)
    authority = " ".join(search.local_authority.split())
    if authority:
        schools = schools.filter(Q(la_code__iexact=authority) | Q(la_name__icontains=authority))
    return schools


def school_search(
    *, actor: Actor, search: SchoolSearch, after: str | None, size: int = SCHOOLS_PAGE_SIZE
) -> KeysetPage[School]:
    """A page of the schools directory, by name, matching the search (everything if empty).

    Schools are public reference data (GIAS): no audit entry. An invalid `after` raises
    DomainError.
    """
    actor.require(Permission.SCHOOLS_VIEW)
    return keyset_page(
        _matching(School.objects.all(), search), order=SCHOOL_ORDER, after=after, size=size
    )


def school_directory_size() -> int:
    return School.objects.count()


@dataclass(frozen=True)
class SchoolPage:
    school: School
    key_adults: list[KeyAdult]  # active, the DSL first
    removed: list[KeyAdult]  # no longer sent notifications, most recently added first
    calendar: TermCalendar | None  # the school's own term dates, else its local authority's
    terms: list[Term]  # the calendar's terms that have not ended


def school_page(*, actor: Actor, urn: str, today: date) -> SchoolPage:
    """A school, its key adults for the actor's force, and its term dates.

    Key adults' names and secure emails are personal data: showing them is audited.
    """
    actor.require(Permission.SCHOOLS_VIEW)
    school = school_by_urn(urn)
    if school is None:
        raise NotFound()
    active = key_adults_for(actor.force_id, school.urn)
    removed = list(
        KeyAdult.objects.filter(force_id=actor.force_id, school=school, active=False)
        .select_related("user")
        .order_by("-added_at", "-pk")
    )
    if active or removed:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="school_key_adults",
            object_id=school.urn,
            reason_code="school_page",
        )
    calendar = term_calendar_of(
        force_id=actor.force_id, school_urn=school.urn, la_code=school.la_code
    )
    terms = (
        list(calendar.terms.filter(last_day__gte=today).order_by("first_day")) if calendar else []
    )
    return SchoolPage(school, active, removed, calendar, terms)


def school_names(urns: set[str]) -> dict[str, str]:
    """Names of the schools with these URNs (public reference data: no audit entry)."""
    return dict(School.objects.filter(urn__in=urns).values_list("urn", "name"))
