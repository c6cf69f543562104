"""Domestic abuse incidents and Operation Encompass notifications in the synthetic data: one
incident per domestic abuse case, told as the services would have told it (DASH, MARAC by the
pure rule on the generated history, triage, a notification per child aged 4 to 17 due by the
pure rule), the same for the same seed, and read by the apps' own selectors and clocks."""

import hashlib
import io
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import time

import pytest
from django.core.management import call_command
from django.db.models import F

from safeguard.accounts.models import Unit
from safeguard.accounts.services import actor_for
from safeguard.cases.models import Case
from safeguard.core.audit import audit_verify_chain
from safeguard.core.calendars import SchoolCalendar
from safeguard.core.models import ClockState, Disclosure
from safeguard.domestic_abuse import selectors as da_selectors
from safeguard.domestic_abuse.clocks import triage_due
from safeguard.domestic_abuse.models import DashAssessment, Incident, IncidentChild
from safeguard.domestic_abuse.rules.dash import Answer, DashGrade, dash_band, dash_score
from safeguard.domestic_abuse.rules.marac import MaracFacts, marac_routes
from safeguard.encompass import selectors as encompass_selectors
from safeguard.encompass.models import Notification
from safeguard.encompass.rules.notification import Route, notification_due
from safeguard.partners.models import KeyAdult, School, TermCalendar
from safeguard.people.rules.ages import age_on
from safeguard.synthetic.generator import TABLES, Generator, Plan, StaffMember
from safeguard.synthetic.incidents import DA_TABLES, SchoolRef
from safeguard.synthetic.schools import academic_year_terms, area_schools
from safeguard.synthetic.tests.test_generator import SETUP
from safeguard.synthetic.writer import generate
from tests.factories import UnitFactory

COLUMNS = {table: {c: i for i, c in enumerate(cols)} for table, cols in TABLES.items()}
SCHOOLS = tuple(
    SchoolRef(100 + n, s.urn, s.la_code, s.phase, s.day_starts_at, 1, (200 + n,))
    for n, s in enumerate(area_schools())
)
CALENDARS = tuple(
    (
        code,
        SchoolCalendar(
            terms=tuple(
                (first, last)
                for year in range(2023, 2028)
                for _, first, last in academic_year_terms(year, index % 2)
            )
        ),
    )
    for index, code in enumerate(sorted({s.la_code for s in SCHOOLS}))
)
DESK = (StaffMember(6, "enc.six", "Encompass Six", (14,)),)
DA_SETUP = replace(
    SETUP,
    units=(*SETUP.units, (13, "da_triage")),
    workers=(*SETUP.workers, StaffMember(5, "dc.five", "DC Five", (13,))),
    schools=SCHOOLS,
    term_calendars=CALENDARS,
    encompass_unit_id=14,
    desk=DESK,
)


def rows_of(plan: Plan) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for batch in Generator(DA_SETUP, plan).batches():
        for table in TABLES:
            rows[table] += batch.rows[table]
    return rows


def col(table: str, row: tuple, name: str):
    return row[COLUMNS[table][name]]


def by_id(rows: dict[str, list[tuple]], table: str) -> dict[int, tuple]:
    return {col(table, row, "id"): row for row in rows[table]}


@pytest.fixture(scope="module")
def year_of_abuse() -> dict[str, list[tuple]]:
    """A force-year of domestic abuse cases only."""
    return rows_of(Plan(seed=2026, force_years=1, case_types=("domestic_abuse",)))


def test_same_seed_same_incidents_and_another_seed_others():
    def digest(seed: int) -> str:
        sha = hashlib.sha256()
        rows = rows_of(Plan(seed=seed, force_years=1, max_cases=1200))
        for table in DA_TABLES:
            assert rows[table], table
            for row in rows[table]:
                sha.update(repr(row).encode())
        return sha.hexdigest()

    assert digest(5) == digest(5)
    assert digest(5) != digest(6)


def test_every_domestic_abuse_case_has_one_incident_with_its_household(year_of_abuse):
    rows = year_of_abuse
    cases = by_id(rows, "case")
    people = by_id(rows, "person")
    incidents = by_id(rows, "incident")
    assert sorted(col("incident", r, "case_id") for r in incidents.values()) == sorted(cases)
    roles = defaultdict(set)
    for row in rows["involvement"]:
        roles[col("involvement", row, "case_id")].add(
            (col("involvement", row, "person_id"), col("involvement", row, "role"))
        )
    children = defaultdict(list)
    for row in rows["incident_child"]:
        children[col("incident_child", row, "incident_id")].append(row)
    until = Plan(seed=2026, force_years=1).until
    relationships = Counter()
    for incident_id, row in incidents.items():
        case = cases[col("incident", row, "case_id")]
        attended = col("incident", row, "attended_at")
        assert attended == col("case", case, "received_at")
        assert col("incident", row, "created_at") == col("case", case, "created_at")
        victim, suspect = col("incident", row, "victim_id"), col("incident", row, "suspect_id")
        assert victim != suspect
        involved = roles[col("case", case, "id")]
        assert (victim, "victim") in involved
        assert suspect is None or (suspect, "suspect") in involved
        victim_born = col("person", people[victim], "date_of_birth")
        assert age_on(victim_born, attended.date()) >= 18
        relationships[col("incident", row, "relationship")] += 1
        # The children are the case's subject children, aged 0 to 17, each once.
        kids = children[incident_id]
        ids = [col("incident_child", k, "child_id") for k in kids]
        assert len(ids) == len(set(ids)) >= 1
        assert {(i, "subject") for i in ids} == {p for p in involved if p[1] == "subject"}
        for kid in kids:
            born = col("person", people[col("incident_child", kid, "child_id")], "date_of_birth")
            assert 0 <= age_on(born, attended.date()) <= 17
            if not col("incident_child", kid, "present"):
                assert not col("incident_child", kid, "spoken_to")
            else:  # as the services ask: how they seemed, what they said
                assert col("incident_child", kid, "demeanour")
                if col("incident_child", kid, "spoken_to"):
                    assert col("incident_child", kid, "child_said")
            if col("incident_child", kid, "spoken_to_alone"):
                assert col("incident_child", kid, "spoken_to")
        # Triage: the status follows the times, all by `until`; the case is triaged with it.
        status = col("incident", row, "triage_status")
        claimed = col("incident", row, "triage_claimed_at")
        completed = col("incident", row, "triage_completed_at")
        if status == "done":
            assert claimed <= completed <= until
            assert col("incident", row, "risk_grade") == col("incident", row, "triage_grade")
            assert col("case", case, "triaged_at") == completed
            assert col("case", case, "risk_grade") == col("incident", row, "triage_grade")
        else:
            assert completed is None and col("case", case, "status") == "received"
            assert (
                (claimed is not None)
                == (status == "claimed")
                == bool(col("incident", row, "triage_owner_id"))
            )
    assert relationships["partner"] > relationships["ex_partner"] > relationships["sibling"] > 0
    kids = rows["incident_child"]
    present = sum(col("incident_child", k, "present") for k in kids) / len(kids)
    assert 0.55 < present < 0.65
    assert any(col("incident_child", k, "home_educated") for k in kids)


def test_dash_scores_grades_and_marac_follow_the_rules(year_of_abuse):
    rows = year_of_abuse
    incidents = by_id(rows, "incident")
    dashes = {col("dash", r, "incident_id"): r for r in rows["dash"]}
    maracs = {col("marac", r, "incident_id"): r for r in rows["marac"]}
    assert 0.92 < len(dashes) / len(incidents) < 0.98
    bands = Counter()
    for row in dashes.values():
        answers = {int(n): Answer(a) for n, a in col("dash", row, "answers").items()}
        assert sorted(answers) == list(range(1, 28))
        score = col("dash", row, "score")
        assert score == dash_score(answers)
        band = DashGrade(col("dash", row, "band"))
        assert band == dash_band(score)
        grade = DashGrade(col("dash", row, "grade"))
        assert grade.rank >= band.rank
        if grade != band:
            assert col("dash", row, "rationale")
        if col("dash", row, "judgement_referral"):
            assert col("dash", row, "judgement_reason")
        bands[band] += 1
    total = sum(bands.values())
    assert 0.60 < bands[DashGrade.STANDARD] / total < 0.75
    assert 0.15 < bands[DashGrade.MEDIUM] / total < 0.25
    assert 0.08 < bands[DashGrade.HIGH] / total < 0.16

    # MARAC: the pure rule on the generated history gives exactly the referrals made.
    attended = defaultdict(list)
    for incident_id, row in incidents.items():
        attended[col("incident", row, "victim_id")].append(
            (col("incident", row, "attended_at"), incident_id)
        )
    decided = defaultdict(list)
    for incident_id, row in maracs.items():
        decided[col("marac", row, "victim_id")].append(
            (col("marac", row, "decided_at"), incident_id)
        )
    routes_seen = Counter()
    for incident_id, row in incidents.items():
        dash = dashes.get(incident_id)
        if dash is None:
            assert incident_id not in maracs
            continue
        victim, at = col("incident", row, "victim_id"), col("incident", row, "attended_at")
        earlier = tuple(t for t, other in attended[victim] if other != incident_id)
        last = max(
            (t for t, other in decided[victim] if other != incident_id and t <= at), default=None
        )
        expected = marac_routes(
            MaracFacts(
                score=col("dash", dash, "score"),
                judgement_referral=col("dash", dash, "judgement_referral"),
                judgement_reason=col("dash", dash, "judgement_reason"),
                incident_at=at,
                earlier_incidents_same_victim=earlier,
                last_marac_referral_at=last,
            )
        )
        referral = maracs.get(incident_id)
        if not expected:
            assert referral is None
            continue
        assert referral is not None
        assert col("marac", referral, "routes") == [[r.value, why] for r, why in expected]
        assert col("marac", referral, "decided_at") == col("dash", dash, "completed_at")
        routes_seen.update(r.value for r, _ in expected)
    assert set(routes_seen) == {
        "visible_high_risk",
        "professional_judgement",
        "potential_escalation",
        "repeat_referral",
    }


def test_triage_mostly_in_time_with_a_backlog_at_until(year_of_abuse):
    rows = year_of_abuse
    statuses = Counter(col("incident", r, "triage_status") for r in rows["incident"])
    assert statuses["claimed"] > 0 and statuses["awaiting"] > 0
    assert 30 < statuses["claimed"] + statuses["awaiting"] < 400
    done = [r for r in rows["incident"] if col("incident", r, "triage_status") == "done"]
    in_time = sum(
        col("incident", r, "triage_completed_at")
        <= triage_due(col("incident", r, "attended_at"), col("incident", r, "risk_grade"))
        for r in done
    )
    assert 0.75 < in_time / len(done) < 0.95  # most in time, some late


def test_notifications_for_children_aged_4_to_17_due_by_the_rule(year_of_abuse):
    rows = year_of_abuse
    people = by_id(rows, "person")
    kids = by_id(rows, "incident_child")
    incidents = by_id(rows, "incident")
    schools = {s.id: s for s in SCHOOLS}
    calendars = dict(CALENDARS)
    notified = Counter(col("notification", r, "incident_child_id") for r in rows["notification"])
    for kid_id, kid in kids.items():
        at = col("incident", incidents[col("incident_child", kid, "incident_id")], "attended_at")
        born = col("person", people[col("incident_child", kid, "child_id")], "date_of_birth")
        assert notified[kid_id] == (1 if 4 <= age_on(born, at.date()) <= 17 else 0)
    until = Plan(seed=2026, force_years=1).until
    routes, statuses = Counter(), Counter()
    on_time = sent = 0
    for row in rows["notification"]:
        kid = kids[col("notification", row, "incident_child_id")]
        assert col("notification", row, "child_id") == col("incident_child", kid, "child_id")
        incident_at, due = (
            col("notification", row, "incident_at"),
            col("notification", row, "due_at"),
        )
        born = col("notification", row, "child_dob")
        assert 4 <= age_on(born, incident_at.date()) <= 17
        assert due > incident_at
        route = Route(col("notification", row, "route"))
        school = schools.get(col("notification", row, "school_id"))
        if route == Route.SCHOOL:
            assert school is not None
            assert col("incident_child", kid, "school_urn") == school.urn
        expected = notification_due(
            incident_at=incident_at,
            route=route,
            calendar=calendars.get(school.la_code) if school else None,
            school_starts_at=school.day_starts_at if school else None,
        )
        assert due == expected
        status = col("notification", row, "status")
        sent_at = col("notification", row, "sent_at")
        read_at = col("notification", row, "read_at")
        acknowledged = col("notification", row, "acknowledged_at")
        assert (sent_at is not None) == (status in ("sent", "acknowledged"))
        assert (acknowledged is not None) == (status == "acknowledged")
        assert acknowledged is None or read_at <= acknowledged <= until
        assert read_at is None or sent_at <= read_at <= until
        if status == "to_resolve":
            assert col("notification", row, "school_id") is None
        routes[route] += 1
        statuses[status] += 1
        if sent_at is not None:
            sent += 1
            on_time += sent_at <= due
    total = sum(routes.values())
    assert routes[Route.SCHOOL] / total > 0.9 and routes[Route.LOCAL_AUTHORITY] > 0
    assert 0.72 < on_time / sent < 0.88  # about four in five before the school day starts
    assert statuses["acknowledged"] > statuses["sent"] > 0
    assert sent / total > 0.95
    # Disclosed to each school's key adult when sent (the reader's Encompass list).
    disclosed = {
        int(col("disclosure", r, "object_id"))
        for r in rows["disclosure"]
        if col("disclosure", r, "object_type") == "encompass_notification"
    }
    assert disclosed == {
        col("notification", r, "id")
        for r in rows["notification"]
        if col("notification", r, "sent_at")
    }


# Written to the database ---------------------------------------------------------------------


@pytest.mark.django_db
def test_written_incidents_serve_the_queue_the_desk_and_the_clocks(force, unit, make_user):
    make_user("officer")
    UnitFactory(force=force, name="Domestic Abuse Triage", unit_type="da_triage")
    desk_unit = UnitFactory(force=force, name="Operation Encompass Desk", unit_type="encompass")
    plan = Plan(seed=4, force_years=1, max_cases=900, case_types=("domestic_abuse",))
    generate(force_code=force.code, plan=plan, progress=False)

    incidents = Incident.objects.filter(force=force)
    assert incidents.count() == Case.objects.filter(force=force).count() == 900
    assert not incidents.exclude(attended_at=F("case__received_at")).exists()
    assert DashAssessment.objects.filter(force=force).count() > 800
    # Schools, their DSLs and each council's term dates were made for the area.
    assert School.objects.count() == len(area_schools())
    assert (
        KeyAdult.objects.filter(force=force, user__isnull=False).count() == School.objects.count()
    )
    assert TermCalendar.objects.filter(force=force, school_urn="").count() == 4
    notifications = Notification.objects.filter(force=force)
    assert notifications.exists()
    assert not notifications.filter(due_at__lte=F("incident_at")).exists()
    assert not notifications.exclude(unit=desk_unit).exists()
    assert set(
        IncidentChild.objects.filter(encompass__isnull=False, school_urn__gt="").values_list(
            "school_urn", flat=True
        )
    ) <= set(School.objects.values_list("urn", flat=True))
    sent = notifications.filter(sent_at__isnull=False)
    assert Disclosure.objects.filter(object_type="encompass_notification").count() == sent.count()
    assert audit_verify_chain().ok

    # The triage queue for a supervisor of the triage unit, the capacity, and the desk.
    triage_unit = Unit.objects.get(force=force, unit_type="da_triage")
    supervisor = make_user("supervisor", units=[triage_unit])
    backlog = incidents.exclude(triage_status="done").count()
    queue = da_selectors.triage_queue(actor=actor_for(supervisor))
    assert queue.total == backlog > 0
    capacity = da_selectors.triage_capacity(actor=actor_for(supervisor), now=plan.until)
    assert capacity.backlog_now == backlog and sum(capacity.arrivals) > 0
    officer = make_user("investigator", units=[desk_unit])
    desk = encompass_selectors.encompass_desk(actor=actor_for(officer), now=plan.until)
    unsent = notifications.filter(sent_at__isnull=True).count()
    assert len(desk.due) <= unsent and desk.acknowledged

    # Clocks: rebuild_clocks derives da.* on the open cases, and the notifications' own.
    call_command("rebuild_clocks", stdout=io.StringIO())
    open_cases = set(
        Case.objects.filter(force=force).exclude(status="closed").values_list("pk", flat=True)
    )
    names = defaultdict(set)
    for object_id, name in ClockState.objects.filter(
        object_type="case", object_id__in=open_cases
    ).values_list("object_id", "name"):
        names[object_id].add(name)
    assert all({"da.dash_completed", "da.triage"} <= names[pk] for pk in open_cases)
    marac_open = set(
        incidents.filter(marac__isnull=False, case__in=open_cases).values_list("case_id", flat=True)
    )
    assert all("da.marac_referral" in names[pk] for pk in marac_open)
    clocked = set(
        ClockState.objects.filter(
            object_type="encompass_notification", name="encompass.notification"
        ).values_list("object_id", flat=True)
    )
    assert set(notifications.filter(sent_at__isnull=True).values_list("pk", flat=True)) <= clocked
    assert (
        set(notifications.filter(incident__case__in=open_cases).values_list("pk", flat=True))
        <= clocked
    )


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_incidents_into_another_force():
    plan = Plan(seed=9, force_years=1, max_cases=300, case_types=("domestic_abuse",))

    def written(code: str) -> list[tuple]:
        generate(force_code=code, plan=plan, progress=False)
        incidents = list(
            Incident.objects.filter(force__code=code)
            .order_by("case__reference")
            .values_list(
                "case__reference",
                "attended_at",
                "relationship",
                "triage_status",
                "risk_grade",
                "dash__score",
                "dash__grade",
                "marac__routes",
            )
        )
        notifications = list(
            Notification.objects.filter(force__code=code)
            # Every column: two children of one incident may share a name, and a tie would be
            # listed in any order (PostgreSQL does not keep insertion order).
            .order_by("police_reference", "child_name", "route", "status", "due_at", "sent_at")
            .values_list("police_reference", "child_name", "route", "status", "due_at", "sent_at")
        )
        return [*incidents, *notifications]

    first = written("sa")
    assert first and first == written("sb")
    assert time(8, 30) in set(School.objects.values_list("day_starts_at", flat=True))
