"""The database half of the synthetic data generator: set up the force, reserve ids, write batches.

Each batch is written in one transaction: its rows (PostgreSQL COPY; elsewhere an executemany
INSERT of values prepared by their fields, what `bulk_create` writes without building a model
per row), the reference counters of the years it touched, and ONE audit entry naming the range
of case ids (`synthetic:<first>-<last>`), with one more for each kind of record the batch
discloses to partner users (return home interview tasks to local authorities, Operation
Encompass notifications to schools' key adults and councils). An entry per row, as the services
write, would cost more than the rows themselves at a million cases and tell an auditor nothing
more: every row of a batch was collected by the same process, for the same reason, at the same
time.

Run it while nobody records cases in the force: it continues the force's reference numbers from
its counters, and a case recorded meanwhile would take a number the generator also plans to use
(the batch then fails on the unique reference, and nothing of it is kept).
"""

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from safeguard.accounts.demo import DEMO_FORCE, DEMO_UNITS
from safeguard.accounts.models import Force, RoleGrant, Unit, User
from safeguard.cases.models import (
    Allocation,
    Case,
    Decision,
    Involvement,
    Note,
    ReferenceCounter,
    VoiceOfChild,
)
from safeguard.core.audit import audit_record
from safeguard.core.calendars import SchoolCalendar
from safeguard.core.models import AuditAction, Disclosure, TimelineEvent
from safeguard.core.permissions import Role
from safeguard.domestic_abuse.models import DashAssessment, Incident, IncidentChild, MaracReferral
from safeguard.encompass.models import Notification
from safeguard.missing.models import (
    Episode,
    GradeChange,
    MissingPolicySetting,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.partners.models import KeyAdult, LocalAuthority, School, Term, TermCalendar
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.supervision.models import Review, ReviewPolicySetting
from safeguard.supervision.rules import ReviewPolicy
from safeguard.synthetic.episodes import LocalAuthorityRef
from safeguard.synthetic.generator import (
    TABLES,
    Batch,
    Generator,
    Plan,
    Setup,
    StaffMember,
)
from safeguard.synthetic.incidents import SchoolRef
from safeguard.synthetic.schools import academic_year_terms, area_schools
from safeguard.synthetic.volumes import (
    CASE_TYPES,
    LOCAL_AUTHORITIES,
    PROFILES,
    TOWN_AUTHORITY,
)

MODELS: dict[str, type[models.Model]] = {
    "person": Person,
    "alias": Alias,
    "address": Address,
    "relationship": Relationship,
    "case": Case,
    "involvement": Involvement,
    "allocation": Allocation,
    "decision": Decision,
    "note": Note,
    "voice": VoiceOfChild,
    "review": Review,
    "timeline": TimelineEvent,
    "episode": Episode,
    "grade_change": GradeChange,
    "risk_review": RiskReview,
    "prevention_interview": PreventionInterview,
    "return_interview": ReturnInterview,
    "missing_trigger": Trigger,
    "disclosure": Disclosure,
    "incident": Incident,
    "incident_child": IncidentChild,
    "dash": DashAssessment,
    "marac": MaracReferral,
    "notification": Notification,
}
# Units that never hold cases: cases go elsewhere when the force has any other kind.
NON_CASE_UNIT_TYPES = {Unit.Type.PARTNERS, Unit.Type.ASSURANCE, Unit.Type.ENCOMPASS}
# About how many cases a year one investigator carries, and investigators per supervisor:
# sizes the synthetic staff so case lists per owner look like a real force's.
CASES_PER_INVESTIGATOR_YEAR = 500
INVESTIGATORS_PER_SUPERVISOR = 6
WORKER_ROLES = (Role.INVESTIGATOR,)
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.DUTY_INSPECTOR)
RECORDER_ROLES = (Role.OFFICER, Role.INVESTIGATOR, Role.CUSTODY_OFFICER)
INSPECTOR_ROLES = (Role.DUTY_INSPECTOR,)
# The Operation Encompass desk: members of the unit who may review and send notifications.
DESK_ROLES = (Role.INVESTIGATOR, Role.SUPERVISOR, Role.DUTY_INSPECTOR)
DESK_OFFICERS = 3


@dataclass(frozen=True)
class Result:
    force: Force
    cases: int
    people: int
    rows: int
    batches: int
    skipped: bool = False


def force_for(code: str) -> Force:
    """The force with this code; created with the demo force's units if it does not exist."""
    name = DEMO_FORCE[0] if code == DEMO_FORCE[1] else f"Synthetic Force {code}"
    force, _ = Force.objects.get_or_create(code=code, defaults={"name": name})
    if not force.units.exists():
        Unit.objects.bulk_create(
            Unit(force=force, name=unit_name, unit_type=unit_type)
            for unit_name, unit_type in DEMO_UNITS
        )
    return force


def _case_units(force: Force) -> list[Unit]:
    units = list(force.units.order_by("id"))
    working = [unit for unit in units if unit.unit_type not in NON_CASE_UNIT_TYPES]
    return working or units


def _planned_units(
    units: list[Unit], cases_per_year: float, types: tuple[str, ...] = CASE_TYPES
) -> dict[int, float]:
    """The expected cases a year of each unit, by the same preferences the generator uses."""
    load: dict[int, float] = {}
    per_year = sum(PROFILES[case_type].per_force_year for case_type in types)
    for case_type in types:
        profile = PROFILES[case_type]
        chosen = next(
            (
                [unit for unit in units if unit.unit_type == kind]
                for kind in profile.unit_types
                if any(unit.unit_type == kind for unit in units)
            ),
            units,
        )
        share = cases_per_year * profile.per_force_year / per_year / len(chosen)
        for unit in chosen:
            load[unit.pk] = load.get(unit.pk, 0.0) + share
    return load


def _members(force: Force, unit: Unit, roles: tuple[str, ...]) -> int:
    return (
        User.objects.filter(force=force, is_active=True, units=unit, role_grants__role__in=roles)
        .distinct()
        .count()
    )


def ensure_staff(
    force: Force, *, cases_per_year: float, seed: int, types: tuple[str, ...] = CASE_TYPES
) -> list[User]:
    """Give each case-holding unit enough investigators and supervisors for its volume.

    Synthetic staff have no usable password and no authenticator: nobody can sign in as them.
    """
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    created = []
    planned = _planned_units(_case_units(force), cases_per_year, types)
    for unit_id, load in sorted(planned.items()):
        unit = Unit.objects.get(pk=unit_id)
        investigators = max(1, math.ceil(load / CASES_PER_INVESTIGATOR_YEAR))
        supervisors = max(1, math.ceil(investigators / INVESTIGATORS_PER_SUPERVISOR))
        for role, title, wanted, roles in (
            (Role.INVESTIGATOR, "Detective Constable", investigators, WORKER_ROLES),
            (Role.SUPERVISOR, "Detective Sergeant", supervisors, SUPERVISOR_ROLES),
        ):
            have = _members(force, unit, roles)
            for n in range(have, wanted):
                username = f"syn-{force.code}-{unit.pk}-{role}-{n + 1}"[:150]
                if User.objects.filter(username=username).exists():
                    continue
                user = User(
                    username=username,
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    email=f"{username}@synthetic.police.example",
                    force=force,
                    job_title=title,
                )
                user.set_unusable_password()
                user.save()
                user.units.set([unit])
                RoleGrant.objects.create(user=user, role=role)
                audit_record(
                    actor=None,
                    action=AuditAction.CREATE,
                    object_type="user",
                    object_id=user.pk,
                    reason_code="synthetic",
                    changed_fields=["username", "name", "roles", "units", "force"],
                    force_id=force.pk,
                    username="generator",
                )
                created.append(user)
    return created


def ensure_local_authorities(force: Force) -> list[LocalAuthority]:
    """The councils the force's missing children belong to: made (the area's, with one
    synthetic return-interview user each) only when the force has none."""
    if LocalAuthority.objects.filter(force=force).exists():
        return []
    made = []
    for code, name in LOCAL_AUTHORITIES:
        authority = LocalAuthority.objects.create(force=force, code=code, name=name)
        username = f"syn-{force.code}-la-{code}"[:150]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name="Return interviews",
                last_name=name,
                email=f"{username}@synthetic.council.example",
                force=force,
                organisation=name,
                job_title="Return home interview coordinator",
            )
            user.set_unusable_password()
            user.save()
            RoleGrant.objects.create(user=user, role=Role.PARTNER)
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="user",
                object_id=user.pk,
                reason_code="synthetic",
                changed_fields=["username", "name", "roles", "organisation", "force"],
                force_id=force.pk,
                username="generator",
            )
        authority.members.add(user)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="local_authority",
            object_id=authority.pk,
            reason_code="synthetic",
            changed_fields=["code", "name", "members"],
            force_id=force.pk,
            username="generator",
        )
        made.append(authority)
    return made


def _local_authorities(force: Force) -> tuple[LocalAuthorityRef, ...]:
    """The force's authorities with their active partner members, as missing.services tells."""
    refs = []
    for authority in LocalAuthority.objects.filter(force=force).order_by("id"):
        members = (
            authority.members.filter(is_active=True, role_grants__role=Role.PARTNER)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )
        refs.append(LocalAuthorityRef(authority.pk, authority.code, tuple(members)))
    return tuple(refs)


def _synthetic_user(
    force: Force,
    username: str,
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    job_title: str,
    organisation: str = "",
) -> User:
    """A synthetic user nobody can sign in as (no usable password), with its audit entry."""
    user = User(
        username=username[:150],
        first_name=first_name,
        last_name=last_name,
        email=email,
        force=force,
        organisation=organisation,
        job_title=job_title,
    )
    user.set_unusable_password()
    user.save()
    RoleGrant.objects.create(user=user, role=role)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="user",
        object_id=user.pk,
        reason_code="synthetic",
        changed_fields=["username", "name", "roles", "organisation", "force"],
        force_id=force.pk,
        username="generator",
    )
    return user


def area_codes() -> list[str]:
    """The councils of the synthetic area's towns: where its children go to school."""
    return sorted(set(TOWN_AUTHORITY.values()))


def ensure_schools(force: Force) -> list[School]:
    """The area's schools, each with a key adult for the force (Operation Encompass).

    The schools directory's own schools in the area's councils when it has any (a GIAS
    import), else about forty synthetic ones; a school without an active key adult for the
    force gets a synthetic DSL, a partner user who reads and acknowledges notifications."""
    now = timezone.now()
    schools = area_school_list()
    if not schools:
        names = {code: name for code, name in LOCAL_AUTHORITIES}
        for made in area_schools():
            school, _ = School.objects.get_or_create(
                urn=made.urn,
                defaults={
                    "name": made.name,
                    "la_code": made.la_code,
                    "la_name": names.get(made.la_code, ""),
                    "establishment_type": "Synthetic school",
                    "status": "Open",
                    "phase": made.phase,
                    "postcode": made.postcode,
                    "day_starts_at": made.day_starts_at,
                    "updated_at": now,
                },
            )
        # Read back in the directory's order, as a later force will find them: the same seed
        # then gives every force the same schools in the same places.
        schools = area_school_list()
    covered = set(
        KeyAdult.objects.filter(force=force, active=True, school__in=schools).values_list(
            "school_id", flat=True
        )
    )
    for school in schools:
        if school.pk in covered:
            continue
        username = f"syn-{force.code}-dsl-{school.urn}"
        user = User.objects.filter(username=username).first() or _synthetic_user(
            force,
            username,
            first_name="Safeguarding lead",
            last_name=school.name[:150],
            email=f"{username}@synthetic.school.example",
            role=Role.PARTNER,
            job_title="Designated safeguarding lead",
            organisation=school.name[:200],
        )
        KeyAdult.objects.create(
            force=force,
            school=school,
            user=user,
            name=f"DSL, {school.name}"[:160],
            role=KeyAdult.Role.DSL,
            secure_email=f"dsl.{school.urn}@synthetic.school.example",
            added_at=now,
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="key_adult",
            object_id=school.urn,
            reason_code="synthetic",
            changed_fields=["school", "user", "role", "secure_email"],
            force_id=force.pk,
            username="generator",
        )
    return schools


SYNTHETIC_CALENDAR = "Synthetic term dates"


def ensure_term_calendars(force: Force, codes: list[str], first_year: int, last_year: int) -> None:
    """A term calendar per council, covering the academic years `first_year` (starting that
    September) to `last_year`. A calendar the force already holds is left as it is, unless the
    generator made it: then the missing years are added."""
    now = timezone.now()
    for index, code in enumerate(codes):
        calendar = TermCalendar.objects.filter(force=force, la_code=code, school_urn="").first()
        if calendar is None:
            calendar = TermCalendar.objects.create(
                force=force, name=f"{SYNTHETIC_CALENDAR} ({code})", la_code=code, updated_at=now
            )
        elif not calendar.name.startswith(SYNTHETIC_CALENDAR):
            continue
        have = set(calendar.terms.values_list("first_day", flat=True))
        Term.objects.bulk_create(
            Term(calendar=calendar, name=f"{name} {year}", first_day=first, last_day=last)
            for year in range(first_year, last_year + 1)
            for name, first, last in academic_year_terms(year, shift_days=index % 2)
            if first not in have
        )


def encompass_desk(force: Force) -> Unit | None:
    """The force's Operation Encompass desk, as the notification hook finds it."""
    return Unit.objects.filter(force=force, unit_type=Unit.Type.ENCOMPASS).first()


def ensure_encompass_desk(force: Force, seed: int) -> list[User]:
    """Give the Encompass desk officers to review and send notifications, if it has none."""
    desk = encompass_desk(force)
    if desk is None or _members(force, desk, DESK_ROLES):
        return []
    fake = Faker("en_GB")
    fake.seed_instance(seed + 1)
    made = []
    for n in range(DESK_OFFICERS):
        username = f"syn-{force.code}-{desk.pk}-encompass-{n + 1}"
        if User.objects.filter(username=username).exists():
            continue
        user = _synthetic_user(
            force,
            username,
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            email=f"{username}@synthetic.police.example",
            role=Role.INVESTIGATOR,
            job_title="Operation Encompass officer",
        )
        user.units.set([desk])
        made.append(user)
    return made


def _schools(force: Force) -> tuple[SchoolRef, ...]:
    refs = []
    for school in area_school_list():
        adults = KeyAdult.objects.filter(force=force, school=school, active=True)
        readers = (
            adults.filter(
                user__isnull=False, user__is_active=True, user__role_grants__role=Role.PARTNER
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()
        )
        refs.append(
            SchoolRef(
                school.pk,
                school.urn,
                school.la_code,
                school.phase,
                school.day_starts_at,
                adults.count(),
                tuple(user_id for user_id in readers if user_id is not None),
            )
        )
    return tuple(refs)


def area_school_list() -> list[School]:
    """The area's schools the generator's children attend (as ensure_schools chose them)."""
    return list(
        School.objects.filter(la_code__in=area_codes())
        .exclude(status__istartswith="closed")
        .order_by("urn")
    )


def _term_calendars(force: Force) -> tuple[tuple[str, SchoolCalendar], ...]:
    """Every term calendar of the force, keyed by its school's URN or its council's code."""
    calendars = []
    for calendar in TermCalendar.objects.filter(force=force).order_by("id"):
        terms = tuple(calendar.terms.order_by("first_day").values_list("first_day", "last_day"))
        calendars.append(
            (
                calendar.school_urn or calendar.la_code,
                SchoolCalendar(terms=terms, day_starts_at=calendar.day_starts_at),
            )
        )
    return tuple(calendars)


def _staff(
    force: Force, roles: tuple[str, ...], unit: Unit | None = None
) -> tuple[StaffMember, ...]:
    users = (
        User.objects.filter(force=force, is_active=True, role_grants__role__in=roles)
        .distinct()
        .order_by("id")
        .prefetch_related("units")
    )
    if unit is not None:
        users = users.filter(units=unit)
    return tuple(
        StaffMember(
            user.pk,
            user.username,
            user.get_full_name() or user.username,
            tuple(sorted(unit.pk for unit in user.units.all())),
        )
        for user in users
    )


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take a block of `count` ids from the table's sequence; return the first.

    Rows written later by the services take ids after the block, so the generator can number
    its people and cases itself (and link them) before writing them.
    """
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            # The lock stops another writer taking a number between nextval and setval.
            cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = max(cursor.fetchone()[0], highest + 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        elif connection.vendor == "sqlite":
            # AUTOINCREMENT keeps its high-water mark in sqlite_sequence.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(row[0] if row else 0, highest) + 1
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                    [first + count - 1, table],
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, first + count - 1],
                )
        else:
            first = highest + 1
    return first


def build_setup(force: Force, plan: Plan) -> Setup:
    setting = ReviewPolicySetting.objects.filter(force=force).first()
    policy = (
        ReviewPolicy(setting.initial_review_hours, setting.periodic_review_days)
        if setting
        else ReviewPolicy()
    )
    missing = MissingPolicySetting.objects.filter(force=force).first()
    desk = encompass_desk(force)
    incidents = "domestic_abuse" in plan.types
    return Setup(
        force_id=force.pk,
        units=tuple((unit.pk, str(unit.unit_type)) for unit in _case_units(force)),
        workers=_staff(force, WORKER_ROLES),
        supervisors=_staff(force, SUPERVISOR_ROLES),
        recorders=_staff(force, RECORDER_ROLES),
        person_id_start=reserve_ids(Person, plan.max_people),
        case_id_start=reserve_ids(Case, plan.max_case_ids),
        reference_last=tuple(
            ReferenceCounter.objects.filter(force=force)
            .order_by("year")
            .values_list("year", "last")
        ),
        policy=policy,
        local_authorities=_local_authorities(force),
        inspectors=_staff(force, INSPECTOR_ROLES),
        **({"missing_policy": missing.as_policy()} if missing else {}),
        # At most one episode, and one return interview, per planned case.
        episode_id_start=reserve_ids(Episode, plan.total_cases),
        return_interview_id_start=reserve_ids(ReturnInterview, plan.total_cases),
        schools=_schools(force),
        term_calendars=_term_calendars(force) if incidents else (),
        encompass_unit_id=desk.pk if desk else None,
        desk=_staff(force, DESK_ROLES, desk) if desk else (),
        # At most one incident per planned case, and a household's children on each.
        incident_id_start=reserve_ids(Incident, plan.total_cases) if incidents else 1,
        incident_child_id_start=(
            reserve_ids(IncidentChild, plan.max_incident_children) if incidents else 1
        ),
        notification_id_start=(
            reserve_ids(Notification, plan.max_incident_children) if incidents else 1
        ),
    )


def _fields(model: type[models.Model], columns: tuple[str, ...]) -> list[models.Field]:
    by_column = {field.column: field for field in model._meta.concrete_fields}
    return [by_column[column] for column in columns]


def _copy(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    from psycopg.types.json import Jsonb

    quote = connection.ops.quote_name
    table = model._meta.db_table
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    json_at = [i for i, f in enumerate(_fields(model, columns)) if isinstance(f, models.JSONField)]
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if json_at:
                row = tuple(Jsonb(v) if i in json_at else v for i, v in enumerate(row))
            copy.write_row(row)


# Values the database driver cannot take as they are (SQLite keeps dates and times as text in
# Django's own format, and JSON as text): prepared by the field, as the ORM would.
PREPARED_TYPES = {"DateTimeField", "DateField", "TimeField", "JSONField", "DecimalField"}


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """A plain multi-row INSERT, each value prepared by its field: the rows bulk_create would
    write, without building a model instance per row (most of its time at this volume)."""
    fields = _fields(model, columns)
    prepare: list[Any] = [
        field.get_db_prep_save if field.get_internal_type() in PREPARED_TYPES else None
        for field in fields
    ]
    quote = connection.ops.quote_name
    # Names from the model, quoted; every value a parameter.
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    if not any(prepare):
        params = rows
    else:
        params = [
            tuple(
                value if p is None or value is None else p(value, connection)
                for p, value in zip(prepare, row, strict=True)
            )
            for row in rows
        ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def write_batch(force: Force, batch: Batch) -> int:
    """Write one batch in one transaction, with its counters and one audit entry."""
    written = 0
    with transaction.atomic():
        for key, columns in TABLES.items():
            rows = batch.rows[key]
            if not rows:
                continue
            model = MODELS[key]
            if connection.vendor == "postgresql":
                _copy(model, columns, rows)
            else:
                _insert(model, columns, rows)
            written += len(rows)
        for year, last in batch.counters.items():
            counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
                force=force, year=year
            )
            if counter.last < last:
                ReferenceCounter.objects.filter(pk=counter.pk).update(last=last)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="case",
            object_id=f"synthetic:{batch.first_case_id}-{batch.last_case_id}",
            reason_code="synthetic",
            force_id=force.pk,
            username="generator",
        )
        # Records told to partner users (return interview tasks to the local authorities,
        # Encompass notifications to key adults): one entry per kind for the batch.
        kinds: dict[str, list[tuple]] = {}
        for row in batch.rows["disclosure"]:
            kinds.setdefault(row[1], []).append(row)
        for object_type, disclosed in sorted(kinds.items()):
            ids = [int(row[2]) for row in disclosed]
            audit_record(
                actor=None,
                action=AuditAction.DISCLOSE,
                object_type=object_type,
                object_id=f"synthetic:{min(ids)}-{max(ids)}",
                reason_code="synthetic",
                recipient=f"{len({row[3] for row in disclosed})} partner users",
                force_id=force.pk,
                username="generator",
            )
    return written


def generate(
    *,
    force_code: str,
    plan: Plan,
    if_empty: bool = False,
    progress: bool = True,
    on_batch: Callable[[Batch], None] | None = None,
) -> Result:
    """Generate `plan` into the force; with `if_empty`, do nothing if it already has cases."""
    with transaction.atomic():
        force = force_for(force_code)
        if if_empty and Case.objects.filter(force=force).exists():
            return Result(force, 0, 0, 0, 0, skipped=True)
        ensure_staff(
            force,
            cases_per_year=plan.total_cases / plan.force_years,
            seed=plan.seed,
            types=plan.types,
        )
        if "missing" in plan.types or "domestic_abuse" in plan.types:
            ensure_local_authorities(force)
        ensure_schools(force)
        if "domestic_abuse" in plan.types:
            ensure_term_calendars(force, area_codes(), plan.starts.year - 1, plan.until.year + 1)
            ensure_encompass_desk(force, plan.seed)
    setup = build_setup(force, plan)
    generator = Generator(setup, plan)
    bar = tqdm(
        total=plan.total_cases,
        unit="case",
        unit_scale=True,
        disable=not progress or not sys.stderr.isatty(),
    )
    rows = batches = 0
    with bar:
        for batch in generator.batches():
            rows += write_batch(force, batch)
            batches += 1
            bar.update(batch.planned_cases)
            if on_batch is not None:
                on_batch(batch)
            # Drop the batch before the next one is built: memory stays one batch deep.
            del batch
    return Result(
        force,
        cases=generator.next_case_id - setup.case_id_start,
        people=generator.next_person_id - setup.person_id_start,
        rows=rows,
        batches=batches,
    )


def anchor(value: str) -> datetime:
    """`--until` as an aware UTC datetime at midnight."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
