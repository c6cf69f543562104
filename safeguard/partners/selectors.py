"""Reads for partners: the school calendar that applies to a school."""

from safeguard.core.calendars import SchoolCalendar
from safeguard.partners.models import TermCalendar


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
