"""Writes for partners: importing a local authority's or a school's term dates."""

from datetime import datetime, time

from django.db import transaction

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.errors import DomainError
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.partners import rules
from safeguard.partners.models import Term, TermCalendar

NAME_MISSING = "Enter a name for the term calendar"
WHOSE_MISSING = "Give the local authority code or the school's URN"
LA_CODE_FORM = "The local authority code must be 1 to 12 letters or digits"
URN_FORM = "The school URN must be 5 to 8 digits"


def _identity_problems(name: str, la_code: str, school_urn: str) -> list[str]:
    problems = []
    if not name:
        problems.append(NAME_MISSING)
    if not la_code and not school_urn:
        problems.append(WHOSE_MISSING)
    if la_code and not (la_code.isalnum() and len(la_code) <= 12):
        problems.append(LA_CODE_FORM)
    if school_urn and not (school_urn.isdigit() and 5 <= len(school_urn) <= 8):
        problems.append(URN_FORM)
    return problems


def term_calendar_import(
    *,
    actor: Actor,
    name: str,
    la_code: str,
    school_urn: str,
    csv_text: str,
    now: datetime,
    day_starts_at: time | None = None,
) -> TermCalendar:
    """Replace a local authority's or a school's term dates from a CSV, all or nothing.

    The CSV has the header term,first_day,last_day and ISO dates. Every problem in the file is
    refused at once in one DomainError (message and fields["csv_text"] list them by line), and
    then nothing is saved. A school's calendar is keyed by its URN, a local authority's by its
    code; importing again replaces that calendar's terms. Audited.
    """
    actor.require(Permission.POLICY_MANAGE)
    name, la_code, school_urn = name.strip(), la_code.strip().upper(), school_urn.strip()
    identity = _identity_problems(name, la_code, school_urn)
    terms, problems = rules.term_date_problems(csv_text)
    if identity or problems:
        everything = identity + problems
        raise DomainError(
            "invalid_term_dates",
            "The term dates were not imported. Fix these problems and try again:\n"
            + "\n".join(everything),
            {"csv_text": problems, "calendar": identity} if identity else {"csv_text": problems},
        )
    key = (
        {"force_id": actor.force_id, "school_urn": school_urn}
        if school_urn
        else {"force_id": actor.force_id, "la_code": la_code, "school_urn": ""}
    )
    with transaction.atomic():
        calendar = TermCalendar.objects.select_for_update().filter(**key).first()
        if calendar is None:
            calendar = TermCalendar(**key)
        calendar.name, calendar.la_code, calendar.updated_at = name, la_code, now
        if day_starts_at is not None:
            calendar.day_starts_at = day_starts_at
        calendar.save()
        calendar.terms.all().delete()
        Term.objects.bulk_create(
            Term(calendar=calendar, name=t.name, first_day=t.first_day, last_day=t.last_day)
            for t in terms
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="term_calendar",
            object_id=calendar.pk,
            changed_fields=["terms"],
        )
    return calendar
