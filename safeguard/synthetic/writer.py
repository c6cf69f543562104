"""The database half of the synthetic data generator: set up the force, reserve ids, write batches.

Each batch is written in one transaction: its rows (PostgreSQL COPY, or `bulk_create` elsewhere),
the reference counters of the years it touched, and ONE audit entry naming the range of case ids
(`synthetic:<first>-<last>`). An entry per row, as the services write, would cost more than the
rows themselves at a million cases and tell an auditor nothing more: every row of a batch was
collected by the same process, for the same reason, at the same time.

Run it while nobody records cases in the force: it continues the force's reference numbers from
its counters, and a case recorded meanwhile would take a number the generator also plans to use
(the batch then fails on the unique reference, and nothing of it is kept).
"""

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

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
from safeguard.core.models import AuditAction, TimelineEvent
from safeguard.core.permissions import Role
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.supervision.models import Review, ReviewPolicySetting
from safeguard.supervision.rules import ReviewPolicy
from safeguard.synthetic.generator import (
    TABLES,
    Batch,
    Generator,
    Plan,
    Setup,
    StaffMember,
)
from safeguard.synthetic.volumes import CASE_TYPES, PER_FORCE_YEAR, PROFILES

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


def _planned_units(units: list[Unit], cases_per_year: float) -> dict[int, float]:
    """The expected cases a year of each unit, by the same preferences the generator uses."""
    load: dict[int, float] = {}
    for case_type in CASE_TYPES:
        profile = PROFILES[case_type]
        chosen = next(
            (
                [unit for unit in units if unit.unit_type == kind]
                for kind in profile.unit_types
                if any(unit.unit_type == kind for unit in units)
            ),
            units,
        )
        share = cases_per_year * profile.per_force_year / PER_FORCE_YEAR / len(chosen)
        for unit in chosen:
            load[unit.pk] = load.get(unit.pk, 0.0) + share
    return load


def _members(force: Force, unit: Unit, roles: tuple[str, ...]) -> int:
    return (
        User.objects.filter(force=force, is_active=True, units=unit, role_grants__role__in=roles)
        .distinct()
        .count()
    )


def ensure_staff(force: Force, *, cases_per_year: float, seed: int) -> list[User]:
    """Give each case-holding unit enough investigators and supervisors for its volume.

    Synthetic staff have no usable password and no authenticator: nobody can sign in as them.
    """
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    created = []
    for unit_id, load in sorted(_planned_units(_case_units(force), cases_per_year).items()):
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
    return Setup(
        force_id=force.pk,
        units=tuple((unit.pk, str(unit.unit_type)) for unit in _case_units(force)),
        workers=_staff(force, WORKER_ROLES),
        supervisors=_staff(force, SUPERVISOR_ROLES),
        recorders=_staff(force, RECORDER_ROLES),
        person_id_start=reserve_ids(Person, plan.max_people),
        case_id_start=reserve_ids(Case, plan.total_cases),
        reference_last=tuple(
            ReferenceCounter.objects.filter(force=force)
            .order_by("year")
            .values_list("year", "last")
        ),
        policy=policy,
    )


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


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
                _copy(model._meta.db_table, columns, rows)
            else:
                model._default_manager.bulk_create(
                    [model(**dict(zip(columns, row, strict=True))) for row in rows],
                    batch_size=500,
                )
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
        ensure_staff(force, cases_per_year=plan.total_cases / plan.force_years, seed=plan.seed)
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
            bar.update(batch.case_count)
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
