"""Writes for partners: importing a local authority's or a school's term dates, the schools
directory from DfE GIAS, a school's start time, and its key adults."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, time
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction

from safeguard.accounts.models import RoleGrant, User
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role
from safeguard.core.unit_of_work import record_change, record_create
from safeguard.partners import rules
from safeguard.partners.models import KeyAdult, School, Term, TermCalendar
from safeguard.partners.rules import gias
from safeguard.partners.rules.gias import GiasReport

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
    fields: dict[str, object] = {"name": name, "la_code": la_code}
    if day_starts_at is not None:
        fields["day_starts_at"] = day_starts_at

    def replace_terms(calendar: TermCalendar) -> None:
        calendar.terms.all().delete()
        Term.objects.bulk_create(
            Term(calendar=calendar, name=t.name, first_day=t.first_day, last_day=t.last_day)
            for t in terms
        )

    known = TermCalendar.objects.filter(**key).values_list("pk", flat=True).first()
    if known is None:
        with record_create(actor=actor, now=now, audit_as="term_calendar") as change:
            calendar = change.created(
                TermCalendar.objects.create(**{**key, **fields}, updated_at=now)
            )
            replace_terms(calendar)
        return calendar
    with record_change(
        actor=actor,
        now=now,
        audit_as="term_calendar",
        lock=lambda: TermCalendar.objects.select_for_update().get(pk=known),
        noun="term calendar",
    ) as change:
        change.write(**fields)
        replace_terms(change.record)
        change.audit(changed=["terms"])
    return change.record


# --- The schools directory (DfE GIAS) ---------------------------------------------------------

GIAS_BATCH = 2000
T = TypeVar("T")
# Any number; the same for every import, so two imports run one after the other.
_GIAS_LOCK = 0x5C400151


def _lock_directory() -> None:
    """One import at a time: PostgreSQL takes a transaction lock; SQLite writes one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GIAS_LOCK])


def gias_import(*, actor: Actor | None, content: bytes, now: datetime) -> GiasReport:
    """Upsert the schools directory by URN from a GIAS establishment fields CSV, all or nothing.

    The file is checked first (rules.gias.check_gias_csv); any problem and nothing is written,
    and the report lists the problems by line. Otherwise, in one transaction: new URNs are
    added, known ones whose fields differ are updated (the report says which fields), the
    rest are unchanged; schools in the directory but not in the file are counted and left
    alone, as the file may be a partial extract. A school's start time is ours, not GIAS's,
    and is never touched. Safe to run again: the same file a second time changes nothing.
    `actor` None is the command line run by the operator; otherwise SCHOOLS_MANAGE.
    """
    if actor is not None:
        actor.require(Permission.SCHOOLS_MANAGE)
    checked = gias.check_gias_csv(content)
    if not checked.ok:
        return GiasReport(
            accepted=False,
            encoding=checked.encoding,
            problems=tuple(checked.problems),
            problem_count=checked.problem_count,
        )
    # Not a unit of work: the directory is no one record but up to 50,000 schools, written in
    # batches (_upsert) under one advisory lock, all or nothing, with one entry for the import.
    with transaction.atomic():
        _lock_directory()
        report = _upsert(checked.rows, checked.encoding, now)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="school_directory",
            object_id="gias",
            reason_code="gias_import",
            changed_fields=[gias.LABELS[name] for name in _changed_fields(report)],
            username="" if actor else "import_gias",
        )
    return report


def _changed_fields(report: GiasReport) -> list[str]:
    labels = {label: name for name, label in gias.LABELS.items()}
    names = [labels[label] for label in report.field_counts]
    return names + (["urn"] if report.added else [])


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(rows: list[gias.GiasRow], encoding: str, now: datetime) -> GiasReport:
    """Compare the file with the directory, then write only the differences, a batch at a time
    (model objects are made per batch, so 50,000 of them are never held at once)."""
    fields = gias.FIELDS
    known = {
        values[1]: (values[0], values[1:])
        for values in School.objects.values_list("pk", *fields).iterator(chunk_size=GIAS_BATCH)
    }
    added: list[gias.GiasRow] = []
    # The changed schools, grouped by which fields changed, so each batch updates only those.
    updates: dict[tuple[str, ...], list[tuple[int, gias.GiasRow]]] = defaultdict(list)
    field_counts: Counter[str] = Counter()
    updated_examples: list[gias.SchoolChange] = []
    unchanged = 0
    for row in rows:
        found = known.pop(row.urn, None)
        if found is None:
            added.append(row)
            continue
        pk, stored = found
        changed = tuple(
            name for name, old, new in zip(fields, stored, row.values(), strict=True) if old != new
        )
        if not changed:
            unchanged += 1
            continue
        updates[changed].append((pk, row))
        labels = tuple(gias.LABELS[name] for name in changed)
        field_counts.update(labels)
        if len(updated_examples) < gias.MAX_EXAMPLES:
            updated_examples.append(gias.SchoolChange(row.urn, row.name, labels))

    def school(row: gias.GiasRow, pk: int | None = None) -> School:
        return School(pk=pk, **dict(zip(fields, row.values(), strict=True)), updated_at=now)

    for batch in _batches(added, GIAS_BATCH):
        School.objects.bulk_create([school(row) for row in batch])
    for changed, pairs in updates.items():
        for some in _batches(pairs, GIAS_BATCH // 2):
            School.objects.bulk_update(
                [school(row, pk) for pk, row in some], [*changed, "updated_at"]
            )
    return GiasReport(
        accepted=True,
        encoding=encoding,
        rows=len(rows),
        added=len(added),
        updated=sum(len(pairs) for pairs in updates.values()),
        unchanged=unchanged,
        not_in_file=len(known),
        field_counts=dict(field_counts),
        added_examples=tuple(
            gias.SchoolChange(row.urn, row.name) for row in added[: gias.MAX_EXAMPLES]
        ),
        updated_examples=tuple(updated_examples),
    )


def school_start_time_set(*, actor: Actor, urn: str, day_starts_at: time, now: datetime) -> School:
    """Set the time a school's day starts (Operation Encompass notifications are due before
    it). Not in GIAS, so an import never changes it. Audited."""
    actor.require(Permission.SCHOOLS_MANAGE)

    def lock() -> School:
        school = School.objects.select_for_update().filter(urn=urn.strip()).first()
        if school is None:
            raise NotFound()
        return school

    with record_change(actor=actor, now=now, audit_as="school", lock=lock) as change:
        change.write(day_starts_at=day_starts_at)
    return change.record


# --- Key adults -------------------------------------------------------------------------------

KEY_ADULT_NAME_MISSING = "Enter the key adult's name"
KEY_ADULT_NAME_LONG = "The name must be 160 characters or fewer"
KEY_ADULT_EMAIL_MISSING = "Enter the key adult's secure email address"
KEY_ADULT_EMAIL_INVALID = (
    "Enter a secure email address in the correct format, like dsl@school.gov.uk"
)
KEY_ADULT_ROLE_INVALID = "Select whether they are the designated safeguarding lead or a deputy"
KEY_ADULT_USER_UNKNOWN = "No active partner user of this force has that username"
KEY_ADULT_ALREADY = "This email address is already a key adult of this school"


def _partner_user(force_id: int, username: str) -> User | None:
    return (
        User.objects.filter(force_id=force_id, username=username, is_active=True)
        .filter(pk__in=RoleGrant.objects.filter(role=Role.PARTNER).values("user_id"))
        .first()
    )


def key_adult_add(
    *,
    actor: Actor,
    urn: str,
    name: str,
    role: str,
    secure_email: str,
    username: str = "",
    now: datetime,
) -> KeyAdult:
    """Add a school's designated safeguarding lead or deputy for the actor's force.

    The secure email is where Operation Encompass notifications go (a link, never the child's
    details); `username`, if given, links their partner sign-in so they can read them. Adding
    an address that was removed brings it back with these details. Audited.
    """
    actor.require(Permission.SCHOOLS_MANAGE)
    school = School.objects.filter(urn=urn.strip()).first()
    if school is None:
        raise NotFound()
    name, secure_email, username = name.strip(), secure_email.strip().lower(), username.strip()
    problems: list[tuple[str, str]] = []
    if not name:
        problems.append(("name", KEY_ADULT_NAME_MISSING))
    elif len(name) > 160:
        problems.append(("name", KEY_ADULT_NAME_LONG))
    if role not in KeyAdult.Role.values:
        problems.append(("role", KEY_ADULT_ROLE_INVALID))
    if not secure_email:
        problems.append(("secure_email", KEY_ADULT_EMAIL_MISSING))
    else:
        try:
            validate_email(secure_email)
        except ValidationError:
            problems.append(("secure_email", KEY_ADULT_EMAIL_INVALID))
    user = None
    if username:
        user = _partner_user(actor.force_id, username)
        if user is None:
            problems.append(("username", KEY_ADULT_USER_UNKNOWN))
    refuse_if(problems)
    key = {"force_id": actor.force_id, "school": school, "secure_email": secure_email}
    details = {"name": name, "role": role, "user": user, "active": True, "added_at": now}
    removed = KeyAdult.objects.filter(**key).values_list("pk", flat=True).first()
    if removed is None:
        with record_create(actor=actor, now=now, audit_as="key_adult") as change:
            key_adult = change.created(KeyAdult.objects.create(**key, **details))
        return key_adult
    with record_change(
        actor=actor,
        now=now,
        audit_as="key_adult",
        lock=lambda: KeyAdult.objects.select_for_update().get(pk=removed),
        guard=_key_adult_removed,
    ) as change:
        change.write(**details)
    return change.record


def _key_adult_removed(key_adult: KeyAdult) -> None:
    """Guard: an address that is a key adult already is not added twice (one that was removed
    comes back with the new details)."""
    if key_adult.active:
        raise DomainError(
            "key_adult_exists", KEY_ADULT_ALREADY, {"secure_email": KEY_ADULT_ALREADY}
        )


def _key_adult_for_update(actor: Actor, key_adult_id: int) -> KeyAdult:
    key_adult = (
        KeyAdult.objects.select_for_update(of=("self",))
        .select_related("school")
        .filter(pk=key_adult_id, force_id=actor.force_id)
        .first()
    )
    if key_adult is None:
        raise NotFound()
    return key_adult


def key_adult_deactivate(*, actor: Actor, key_adult_id: int, now: datetime) -> KeyAdult:
    """Stop sending a school's notifications to this key adult (kept for the record). A key
    adult of another force is not found. Removing one already removed changes nothing."""
    actor.require(Permission.SCHOOLS_MANAGE)
    with record_change(
        actor=actor,
        now=now,
        audit_as="key_adult",
        lock=lambda: _key_adult_for_update(actor, key_adult_id),
    ) as change:
        change.write(active=False)
    return change.record
