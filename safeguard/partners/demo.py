"""The demo force's partners: local authorities (the demo return-interview user acts for the
first), three schools with their key adults (the demo partner user is the DSL of Demo Primary
School), and the demo local authorities' term dates. Safe to load twice."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from safeguard.accounts.models import Force, User
from safeguard.core.calendars import london_date
from safeguard.partners.models import KeyAdult, LocalAuthority, School, Term, TermCalendar
from safeguard.partners.rules import term_date_problems

DEMO_LOCAL_AUTHORITIES = [
    ("999", "Demo County Council", ["rhi"]),
    ("998", "Northshire Council", []),
]

# URN, name, local authority (code, name), type, phase, postcode, the school day's start.
DEMO_SCHOOLS = [
    (
        "999001",
        "Demo Primary School",
        ("999", "Demo County Council"),
        "Community school",
        "Primary",
        "DM1 1AA",
        time(8, 30),
    ),
    (
        "999002",
        "Northshire Academy",
        ("998", "Northshire Council"),
        "Academy converter",
        "Secondary",
        "NS4 2BB",
        time(9, 0),
    ),
    (
        "999003",
        "St Anne's Church of England Infant School",
        ("999", "Demo County Council"),
        "Voluntary aided school",
        "Primary",
        "DM2 3CC",
        time(8, 45),
    ),
]

# URN, name, role, secure email, the username of their partner sign-in ("" for none).
DEMO_KEY_ADULTS = [
    ("999001", "Priya Patel", KeyAdult.Role.DSL, "priya.patel@demo-primary.cjsm.net", "partner"),
    ("999001", "Tom Hughes", KeyAdult.Role.DEPUTY, "tom.hughes@demo-primary.cjsm.net", "deputy"),
    (
        "999002",
        "Grace Obi",
        KeyAdult.Role.DSL,
        "dsl@northshire-academy.cjsm.net",
        "northshire",
    ),
]

# An English school year, as (term, first day, last day) by (month, day); the autumn terms in
# the year it starts, the rest in the next. Close to most local authorities' dates.
_TERMS = [
    ("Autumn 1", (9, 3), (10, 23), 0),
    ("Autumn 2", (11, 3), (12, 19), 0),
    ("Spring 1", (1, 6), (2, 13), 1),
    ("Spring 2", (2, 23), (3, 27), 1),
    ("Summer 1", (4, 13), (5, 22), 1),
    ("Summer 2", (6, 1), (7, 22), 1),
]


def _weekday_from(day: date, step: int) -> date:
    """The day itself on a weekday, else the next (step 1) or previous (step -1) weekday."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def demo_term_csv(today: date) -> str:
    """Term dates for last school year, this one and the next (term,first_day,last_day).
    A term starts and ends on a weekday: a first day on a weekend moves to the Monday after,
    a last day on a weekend to the Friday before."""
    current = today.year if today.month >= 8 else today.year - 1
    lines = ["term,first_day,last_day"]
    for start in (current - 1, current, current + 1):
        for name, (m1, d1), (m2, d2), later in _TERMS:
            year = start + later
            label = f"{name} {start}/{(start + 1) % 100:02d}"
            first = _weekday_from(date(year, m1, d1), 1)
            last = _weekday_from(date(year, m2, d2), -1)
            lines.append(f"{label},{first},{last}")
    return "\n".join(lines) + "\n"


def load_demo_partners(force: Force) -> list[LocalAuthority]:
    now = timezone.now()
    with transaction.atomic():
        made = []
        for code, name, usernames in DEMO_LOCAL_AUTHORITIES:
            authority, _ = LocalAuthority.objects.get_or_create(
                force=force, code=code, defaults={"name": name}
            )
            authority.members.add(*User.objects.filter(username__in=usernames, force=force))
            made.append(authority)
            _load_term_dates(force, code, name, now)
        _load_schools(force, now)
    return made


def _load_term_dates(force: Force, code: str, name: str, now: datetime) -> None:
    """The local authority's term dates, unless the force already holds some for it."""
    calendar, created = TermCalendar.objects.get_or_create(
        force=force, la_code=code, school_urn="", defaults={"name": name, "updated_at": now}
    )
    if not created and calendar.terms.exists():
        return
    terms, problems = term_date_problems(demo_term_csv(london_date(now)))
    assert not problems, problems
    Term.objects.bulk_create(
        Term(calendar=calendar, name=t.name, first_day=t.first_day, last_day=t.last_day)
        for t in terms
    )


def _load_schools(force: Force, now: datetime) -> None:
    schools = {}
    for urn, name, (la_code, la_name), kind, phase, postcode, starts in DEMO_SCHOOLS:
        schools[urn], _ = School.objects.get_or_create(
            urn=urn,
            defaults={
                "name": name,
                "la_code": la_code,
                "la_name": la_name,
                "establishment_type": kind,
                "status": "Open",
                "phase": phase,
                "postcode": postcode,
                "day_starts_at": starts,
                "updated_at": now,
            },
        )
    for urn, name, role, email, username in DEMO_KEY_ADULTS:
        user = User.objects.filter(username=username, force=force).first() if username else None
        adult, _ = KeyAdult.objects.get_or_create(
            force=force,
            school=schools[urn],
            secure_email=email,
            defaults={"name": name, "role": role, "user": user, "added_at": now},
        )
        if adult.user_id is None and user is not None:
            # A demo loaded before its key adults had sign-ins: give them theirs.
            KeyAdult.objects.filter(pk=adult.pk).update(user=user)
