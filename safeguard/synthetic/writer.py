"""The database half of the synthetic data generator: set up the force, reserve ids, write batches.

Each batch is written in one transaction: its rows (PostgreSQL COPY; elsewhere an executemany
INSERT of values prepared by their fields, what `bulk_create` writes without building a model
per row), the reference counters of the years it touched, and ONE audit entry naming the range
of case ids (`synthetic:<first>-<last>`), with one more for the batch's return home interview
tasks disclosed to local authority users. An entry per row, as the services write, would cost
more than the rows themselves at a million cases and tell an auditor nothing more: every row of
a batch was collected by the same process, for the same reason, at the same time.

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
from safeguard.core.models import AuditAction, Disclosure, TimelineEvent
from safeguard.core.permissions import Role
from safeguard.missing.models import (
    Episode,
    GradeChange,
    MissingPolicySetting,
    PreventionInterview,
    ReturnInterview,
    RiskReview,
    Trigger,
)
from safeguard.partners.models import LocalAuthority
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.supervision.models import Review, ReviewPolicySetting
from safeguard.supervision.rules import ReviewPolicy
from safeguard.synthetic.episodes import RHI_DISCLOSURE, LocalAuthorityRef
from safeguard.synthetic.generator import (
    TABLES,
    Batch,
    Generator,
    Plan,
    Setup,
    StaffMember,
)
from safeguard.synthetic.volumes import CASE_TYPES, LOCAL_AUTHORITIES, PROFILES

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


def _staff(force: Force, roles: tuple[str, ...]) -> tuple[StaffMember, ...]:
    users = (
        User.objects.filter(force=force, is_active=True, role_grants__role__in=roles)
        .distinct()
        .order_by("id")
        .prefetch_related("units")
    )
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
        # Return interview tasks told to the local authorities' users: one entry for the batch.
        disclosed = batch.rows["disclosure"]
        if disclosed:
            ids = [int(row[2]) for row in disclosed]
            audit_record(
                actor=None,
                action=AuditAction.DISCLOSE,
                object_type=RHI_DISCLOSURE,
                object_id=f"synthetic:{min(ids)}-{max(ids)}",
                reason_code="synthetic",
                recipient=f"{len({row[3] for row in disclosed})} local authority users",
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
        if "missing" in plan.types:
            ensure_local_authorities(force)
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
