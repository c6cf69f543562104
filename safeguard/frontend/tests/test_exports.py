"""Downloads of lists as CSV and XLSX: each holds its page's rows in its page's scope (another
unit's or force's rows absent), is audited with its row count, is refused to a role that cannot
see the list, and neutralises cells a spreadsheet would run as formulas."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from safeguard.accounts.services import actor_for
from safeguard.cases.tests.builders import a_case, a_person
from safeguard.core.models import AuditAction, AuditEntry
from safeguard.core.permissions import Role
from safeguard.frontend.exports import Column, csv_lines, neutralise_cell
from tests.helpers import sign_in
from tests.security.battery import Loc, World

pytestmark = pytest.mark.django_db


# --- the machinery ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1473 613500", "'+44 1473 613500"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Benjamin Smith", "Benjamin Smith"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_csv_lines_stream_one_row_at_a_time():
    produced = []

    def rows():
        for n in range(3):
            produced.append(n)
            yield {"name": f"=cmd{n}", "n": n}

    columns = [Column("Name", lambda r: r["name"]), Column("N", lambda r: r["n"])]
    lines = csv_lines(rows(), columns)
    assert next(lines) == "\ufeffName,N\r\n"
    assert produced == []  # nothing read before it is asked for
    assert next(lines) == "'=cmd0,0\r\n"
    assert produced == [0]
    assert list(lines) == ["'=cmd1,1\r\n", "'=cmd2,2\r\n"]


# --- helpers ---------------------------------------------------------------------------------


def _body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def _csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return list(csv.DictReader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _xlsx(response) -> list[dict[str, object]]:
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(_body(response)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def _both(client: Client, url: str, query: str = "") -> list[list[dict]]:
    sep = "&" if query else ""
    return [
        _csv(client.get(f"{url}?{query}{sep}format=csv")),
        _xlsx(client.get(f"{url}?{query}{sep}format=xlsx")),
    ]


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("seq"))


@pytest.fixture
def world(make_user, force, other_force, unit, other_unit, foreign_unit) -> World:
    return World.build(make_user, force, other_force, unit, other_unit, foreign_unit)


def _client(user) -> Client:
    return sign_in(Client(), user)


# --- the case list ---------------------------------------------------------------------------


def test_the_case_list_export_holds_the_pages_rows_in_its_order_and_scope(world, make_user):
    supervisor = make_user(Role.SUPERVISOR, units=[world.unit])
    own = [world.new_case(Loc.OWN, None) for _ in range(3)]
    other_unit = world.new_case(Loc.SAME_FORCE, None)
    foreign = world.new_case(Loc.OTHER_FORCE, None)
    client = _client(supervisor)
    page = client.get("/cases/").content.decode()
    on_page = re.findall(r">(SEC-\d{6})[ <]", page)
    assert sorted(on_page) == sorted(c.reference for c in own)
    for rows in _both(client, "/cases/export/"):
        assert [row["Reference"] for row in rows] == on_page
        assert other_unit.reference not in {row["Reference"] for row in rows}
        assert foreign.reference not in {row["Reference"] for row in rows}


def test_the_case_list_export_takes_the_pages_filters(world, make_user):
    inspector = make_user(Role.DUTY_INSPECTOR, units=[world.unit])
    high = world.new_case(Loc.OWN, None)
    high.risk_grade = "high"
    high.save()
    world.new_case(Loc.OWN, None)
    elsewhere = world.new_case(Loc.SAME_FORCE, None)  # the force reaches it
    client = _client(inspector)
    for rows in _both(client, "/cases/export/"):
        assert {row["Reference"] for row in rows} >= {high.reference, elsewhere.reference}
    for rows in _both(client, "/cases/export/", "risk_grade=high"):
        assert [row["Reference"] for row in rows] == [high.reference]
        assert rows[0]["Risk grade"] == "High"


def test_an_export_is_audited_with_its_format_and_row_count(world, make_user):
    supervisor = make_user(Role.SUPERVISOR, units=[world.unit])
    for _ in range(2):
        world.new_case(Loc.OWN, None)
    client = _client(supervisor)
    before = len(_exports())
    _csv(client.get("/cases/export/?format=csv"))
    _xlsx(client.get("/cases/export/?format=xlsx"))
    entries = _exports()[before:]
    assert [(e.object_type, e.object_id, e.reason_code) for e in entries] == [
        ("case", "list:cases", "csv:2 rows"),
        ("case", "list:cases", "xlsx:2 rows"),
    ]
    assert {e.actor_user_id for e in entries} == {supervisor.pk}


def test_an_unknown_format_is_not_found_and_not_audited(world, make_user):
    client = _client(make_user(Role.SUPERVISOR, units=[world.unit]))
    before = len(_exports())
    assert client.get("/cases/export/?format=pdf").status_code == 404
    assert len(_exports()) == before


# --- every other list ------------------------------------------------------------------------


def _page_and_export_counts(client, page_url, export_url, marker: str):
    page = client.get(page_url)
    assert page.status_code == 200
    shown = page.content.decode().count(marker)
    csv_rows, xlsx_rows = _both(client, export_url)
    assert len(csv_rows) == len(xlsx_rows)
    return shown, csv_rows


def test_the_triage_queue_export_is_the_queue_in_its_order(world, make_user):
    investigator = make_user(Role.INVESTIGATOR, units=[world.unit])
    mine = [world.new_incident(Loc.OWN, None), world.new_incident(Loc.OWN, None, "marac")]
    other = world.new_incident(Loc.SAME_FORCE, None)
    foreign = world.new_incident(Loc.OTHER_FORCE, None)
    client = _client(investigator)
    page = client.get("/domestic-abuse/triage/").content.decode()
    on_page = re.findall(r'id="incident-\d+">\s*<th[^>]*><a[^>]*>(SEC-\d{6})[ <]', page)
    assert sorted(on_page) == sorted(i.case.reference for i in mine)
    for rows in _both(client, "/domestic-abuse/triage/export/"):
        assert [row["Reference"] for row in rows] == on_page
        assert not {other.case.reference, foreign.case.reference} & {r["Reference"] for r in rows}


def test_the_missing_board_export_holds_the_boards_children(world, make_user):
    supervisor = make_user(Role.SUPERVISOR, units=[world.unit])
    mine = [world.new_episode(Loc.OWN, None), world.new_episode(Loc.OWN, None, "high")]
    world.new_episode(Loc.SAME_FORCE, None)
    world.new_episode(Loc.OTHER_FORCE, None)
    client = _client(supervisor)
    page = client.get("/missing/").content.decode()
    on_page = re.findall(r'href="/cases/\d+/">(SEC-\d{6})[ <]', page)
    assert sorted(on_page) == sorted(e.case.reference for e in mine)
    for rows in _both(client, "/missing/export/"):
        assert [row["Case"] for row in rows] == on_page


def test_the_return_interview_export_holds_only_what_was_disclosed(world, make_user):
    task, _, partner = world.new_interview(Loc.OWN, make_user(Role.PARTNER, units=[]))
    world.new_interview(Loc.SAME_FORCE, None)
    world.new_interview(Loc.OTHER_FORCE, None)
    client = _client(partner)
    shown, rows = _page_and_export_counts(
        client, "/return-interviews/", "/return-interviews/export/", 'id="task-'
    )
    assert shown == len(rows) == 1
    assert rows[0]["Child"] == task.episode.child.full_name


def test_the_encompass_desk_export_holds_the_desks_lists(world, make_user):
    desk_officer = make_user(Role.INVESTIGATOR, units=[world.unit])
    mine, _ = world.new_notification(Loc.OWN, None)
    mine.due_at = timezone.now() + timedelta(hours=1)
    mine.save()
    world.new_notification(Loc.SAME_FORCE, None)
    world.new_notification(Loc.OTHER_FORCE, None)
    client = _client(desk_officer)
    shown, rows = _page_and_export_counts(
        client, "/encompass/", "/encompass/export/", 'id="notification-'
    )
    assert shown == len(rows) == 1
    assert rows[0]["List"] == "Due before tomorrow's school start"
    assert rows[0]["Police reference"] == mine.police_reference


def test_the_alerts_export_holds_only_my_alerts(world, make_user):
    me = make_user(Role.OFFICER, units=[world.unit])
    for _ in range(2):
        world.new_outbox_message(me.force_id, alert_to=me)
    world.new_outbox_message(me.force_id, alert_to=world.staff[Loc.SAME_FORCE])
    client = _client(me)
    page = client.get("/alerts/").content.decode()
    assert page.count("Case overdue for triage") >= 2
    for rows in _both(client, "/alerts/export/"):
        assert len(rows) == 2
        assert {row["Status"] for row in rows} == {"New"}


def test_the_deadline_lists_export_their_pages_rows(world, make_user, unit, foreign_unit):
    officer = make_user(Role.OFFICER, units=[unit])
    inspector = make_user(Role.DUTY_INSPECTOR, units=[unit])
    foreign = make_user(Role.OFFICER, force=foreign_unit.force, units=[foreign_unit])
    for actor_user, where in ((officer, unit), (foreign, foreign_unit)):
        actor = actor_for(actor_user)
        a_case(actor, where, a_person(actor), now=timezone.now(), risk_grade="high")
    for user, page_url, export_url in (
        (officer, "/", "/export/my-work/"),
        (inspector, "/team/", "/team/export/"),
        (inspector, "/duty/", "/duty/export/"),
    ):
        client = _client(user)
        page = client.get(page_url).content.decode()
        table = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
        shown = table.count('<tr class="govuk-table__row">') - table.count("Nothing is due.")
        for rows in _both(client, export_url):
            assert len(rows) == shown, page_url
            assert shown > 0 or page_url == "/", page_url
            assert all(row["Due"] for row in rows)


def test_the_people_search_export_holds_the_results(world, make_user):
    officer = make_user(Role.OFFICER, units=[world.unit])
    actor = actor_for(officer)
    a_person(actor, "Benjamin", "Smith")
    a_person(actor, "Bea", "Smith")
    a_person(actor, "Carla", "Jones")
    foreign = world.staff[Loc.OTHER_FORCE]
    a_person(actor_for(foreign), "Benjamin", "Smith")
    client = _client(officer)
    page = client.get("/people/?name=Smith").content.decode()
    names = re.findall(r'href="/people/\d+/">([^<]+)<', page)
    for rows in _both(client, "/people/export/", "name=Smith"):
        assert [row["Name"] for row in rows] == names
        assert len(rows) == 2


def test_the_staff_export_neutralises_formulas_in_csv_and_xlsx(make_user, unit):
    admin = make_user(Role.FORCE_ADMIN)
    make_user(Role.OFFICER, units=[unit], first_name='=HYPERLINK("http://x")', last_name="A")
    make_user(Role.OFFICER, units=[unit], first_name="@SUM(1)", last_name="B")
    make_user(Role.OFFICER, units=[unit], first_name="-1+2", last_name="C")
    client = _client(admin)
    for rows in _both(client, "/staff/export/"):
        names = {row["Name"] for row in rows}
        assert {'\'=HYPERLINK("http://x") A', "'@SUM(1) B", "'-1+2 C"} <= names
        assert not any(str(name).startswith(("=", "@", "-", "+")) for name in names)


def test_the_staff_export_is_the_staff_list_in_scope(make_user, unit, other_unit, foreign_unit):
    supervisor = make_user(Role.SUPERVISOR, units=[unit], last_name="Aaron")
    make_user(Role.OFFICER, units=[unit], last_name="Baker")
    make_user(Role.OFFICER, units=[other_unit], last_name="Carter")
    make_user(Role.OFFICER, force=foreign_unit.force, units=[foreign_unit], last_name="Dent")
    client = _client(supervisor)
    page = client.get("/staff/").content.decode()
    names = re.findall(r'href="/staff/\d+/">([^<]+)<', page)
    for rows in _both(client, "/staff/export/"):
        assert [row["Name"] for row in rows] == names
        assert not any("Carter" in n or "Dent" in n for n in (r["Name"] for r in rows))


def test_the_audit_export_holds_the_searchs_entries(make_user):
    auditor = make_user(Role.AUDITOR)
    client = _client(auditor)
    client.get("/cases/")
    query = f"username={auditor.username}&action=view"
    page = client.get(f"/audit/?{query}").content.decode()
    row = r'<tr class="govuk-table__row"><td class="govuk-table__cell">\d+<'
    shown = len(re.findall(row, page))
    rows = _csv(client.get(f"/audit/export/?{query}&format=csv"))
    # The page's own search is one more entry, seen by the export (it came later).
    assert len(rows) == shown + 1
    assert {row["Who"] for row in rows} == {auditor.username}
    assert {row["Action"] for row in rows} == {"Viewed (consultation)"}


# --- permission ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.ANALYST, "/cases/export/"),
        (Role.PARTNER, "/cases/export/"),
        (Role.FORCE_ADMIN, "/cases/export/"),
        (Role.OFFICER, "/team/export/"),
        (Role.SUPERVISOR, "/duty/export/"),
        (Role.OFFICER, "/staff/export/"),
        (Role.OFFICER, "/audit/export/"),
        (Role.AUDITOR, "/domestic-abuse/triage/export/"),
        (Role.OFFICER, "/encompass/export/"),
        (Role.OFFICER, "/return-interviews/export/"),
        (Role.FORCE_ADMIN, "/missing/export/"),
        (Role.FORCE_ADMIN, "/people/export/"),
    ],
)
def test_a_role_that_cannot_see_a_list_cannot_export_it(make_user, role, url):
    client = _client(make_user(role))
    before = len(_exports())
    assert client.get(f"{url}?format=csv").status_code == 403
    assert len(_exports()) == before


def test_each_list_page_offers_its_downloads(world, make_user):
    inspector = make_user(Role.DUTY_INSPECTOR, units=[world.unit])
    world.new_case(Loc.OWN, None)
    client = _client(inspector)
    for page_url, export_url in (
        ("/cases/?risk_grade=medium", "/cases/export/"),
        ("/team/", "/team/export/"),
        ("/duty/", "/duty/export/"),
        ("/missing/", "/missing/export/"),
        ("/alerts/", "/alerts/export/"),
        ("/", "/export/my-work/"),
        ("/staff/", "/staff/export/"),
    ):
        page = client.get(page_url).content.decode()
        assert "Download CSV" in page and "Download XLSX" in page, page_url
        links = re.findall(rf'href="({re.escape(export_url)}[^"]*)"', page)
        assert any("format=csv" in link for link in links), page_url
        assert any("format=xlsx" in link for link in links), page_url
        if "risk_grade" in page_url:
            # The page's filters go with it.
            assert all("risk_grade=medium" in link for link in links)
