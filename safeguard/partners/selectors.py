"""Reads for partners: the school calendar that applies to a school, the schools directory
and each school's key adults."""

from django.db.models import Case, IntegerField, Value, When

from safeguard.core.calendars import SchoolCalendar
from safeguard.partners.models import KeyAdult, School, TermCalendar


def school_calendar_for(
    *, force_id: int, school_urn: str = "", la_code: str = ""
) -> SchoolCalendar | None:
    """The term dates for a school: its own calendar first, else its local authority's.

    None when the force holds neither. Term dates are not personal data, so no audit entry.
    """
    calendar = None
    if school_urn.strip():
        calendar = TermCalendar.objects.filter(
            force_id=force_id, school_urn=school_urn.strip()
        ).first()
    if calendar is None and la_code.strip():
        calendar = TermCalendar.objects.filter(
            force_id=force_id, la_code=la_code.strip().upper(), school_urn=""
        ).first()
    if calendar is None:
        return None
    terms = calendar.terms.order_by("first_day").values_list("first_day", "last_day")
    return SchoolCalendar(terms=tuple(terms), day_starts_at=calendar.day_starts_at)


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
        .select_related("school")
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
