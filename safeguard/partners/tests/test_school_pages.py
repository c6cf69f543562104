"""The schools pages: the directory search, a school with its key adults and term dates, the
GIAS upload and its report, the start time, and adding and removing key adults; and the
selectors the Encompass app reads (key_adults_for, school_by_urn, schools_of_user)."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguard.accounts.models import Force
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Role
from safeguard.partners.models import KeyAdult, School, Term, TermCalendar
from safeguard.partners.selectors import key_adults_for, school_by_urn, schools_of_user
from safeguard.partners.tests.gias_csv import gias_csv, school_row

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


def make_school(urn: str, name: str, **kwargs: object) -> School:
    values: dict[str, object] = {
        "la_code": "383",
        "la_name": "Leeds",
        "phase": "Primary",
        "status": "Open",
        "postcode": "LS6 2AB",
        "updated_at": NOW,
    }
    return School.objects.create(urn=urn, name=name, **(values | kwargs))


def key_adult(force: Force, school: School, name: str, role: str, **kwargs: object) -> KeyAdult:
    email = kwargs.pop("secure_email", f"{name.split()[0].lower()}@school.gov.uk")
    return KeyAdult.objects.create(
        force=force,
        school=school,
        name=name,
        role=role,
        secure_email=email,
        added_at=NOW,
        **kwargs,
    )


@pytest.fixture
def oak() -> School:
    return make_school("100000", "Oak Primary School")


# --- the selectors the Encompass app uses ----------------------------------------------------


def test_key_adults_for_is_the_forces_active_ones_dsl_first(
    oak: School, force: Force, other_force: Force
) -> None:
    key_adult(force, oak, "Zara Deputy", KeyAdult.Role.DEPUTY)
    key_adult(force, oak, "Yusuf Lead", KeyAdult.Role.DSL)
    key_adult(force, oak, "Adam Deputy", KeyAdult.Role.DEPUTY)
    key_adult(force, oak, "Gone Deputy", KeyAdult.Role.DEPUTY, active=False)
    key_adult(other_force, oak, "Other Force Lead", KeyAdult.Role.DSL)
    names = [adult.name for adult in key_adults_for(force.pk, "100000")]
    assert names == ["Yusuf Lead", "Adam Deputy", "Zara Deputy"]
    assert key_adults_for(force.pk, " 100000 ")[0].school == oak
    assert key_adults_for(force.pk, "999999") == []


def test_school_by_urn(oak: School) -> None:
    assert school_by_urn("100000") == oak and school_by_urn(" 100000") == oak
    assert school_by_urn("100001") is None and school_by_urn("") is None


def test_schools_of_user(oak: School, force: Force, other_force: Force, make_user) -> None:
    dsl = make_user(Role.PARTNER)
    elm = make_school("100001", "Elm Academy")
    ash = make_school("100002", "Ash Infant School")
    key_adult(force, oak, "Priya Patel", KeyAdult.Role.DSL, user=dsl)
    key_adult(force, elm, "Priya Patel", KeyAdult.Role.DEPUTY, user=dsl)
    key_adult(force, ash, "Priya Patel", KeyAdult.Role.DSL, user=dsl, active=False)
    key_adult(other_force, ash, "Priya Patel", KeyAdult.Role.DSL, user=dsl)
    assert schools_of_user(dsl.pk, force.pk) == [elm, oak]
    assert schools_of_user(dsl.pk, other_force.pk) == [ash]


# --- the directory ----------------------------------------------------------------------------


def test_an_empty_directory_says_so(admin_client: Client, officer_client: Client) -> None:
    response = admin_client.get(reverse("partners:school_list"))
    assert response.status_code == 200
    assert b'id="schools-empty"' in response.content and b"Import the GIAS" in response.content
    response = officer_client.get(reverse("partners:school_list"))
    assert b"A force admin fills it" in response.content
    assert b"Import from GIAS" not in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "oak"}, ["Oak Primary School"]),
        ({"q": "1000"}, ["Elm Academy", "Oak Primary School"]),
        ({"q": "100001"}, ["Elm Academy"]),
        ({"q": "ls7 1"}, ["Elm Academy"]),
        ({"q": "LS71AA"}, ["Elm Academy"]),
        ({"la": "330"}, ["Ash Infant School"]),
        ({"la": "birmingham"}, ["Ash Infant School"]),
        ({"q": "school", "la": "leeds"}, ["Oak Primary School"]),
        ({}, ["Ash Infant School", "Elm Academy", "Oak Primary School"]),
    ],
)
def test_search_by_name_urn_postcode_or_local_authority(
    oak: School, officer_client: Client, query: dict[str, str], expected: list[str]
) -> None:
    make_school("100001", "Elm Academy", postcode="LS7 1AA")
    make_school("200000", "Ash Infant School", la_code="330", la_name="Birmingham")
    response = officer_client.get(reverse("partners:school_list"), query)
    assert response.status_code == 200
    assert [s.name for s in response.context["page"].items] == expected


def test_no_match_says_so(oak: School, officer_client: Client) -> None:
    response = officer_client.get(reverse("partners:school_list"), {"q": "nothing like it"})
    assert b"No school matches this search" in response.content


def test_the_directory_pages_by_name(officer_client: Client) -> None:
    School.objects.bulk_create(
        School(urn=str(100000 + n), name=f"School {n:03d}", updated_at=NOW) for n in range(120)
    )
    url = reverse("partners:school_list")
    first = officer_client.get(url, {"q": "school"})
    page = first.context["page"]
    assert [s.name for s in page.items][:2] == ["School 000", "School 001"]
    assert len(page.items) == 50 and page.next_cursor
    second = officer_client.get(url, {"q": "school", "after": page.next_cursor})
    assert second.context["page"].items[0].name == "School 050"
    third = officer_client.get(url, {"q": "school", "after": second.context["page"].next_cursor})
    assert len(third.context["page"].items) == 20 and third.context["page"].next_cursor is None
    assert b"First page" in third.content
    broken = officer_client.get(url, {"after": "not-a-cursor"})
    assert broken.status_code == 302 and broken["Location"] == url


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER])
def test_analysts_and_partners_do_not_see_the_directory(make_client, oak: School, role) -> None:
    client = make_client(role)
    assert client.get(reverse("partners:school_list")).status_code == 403
    assert client.get(reverse("partners:school_detail", args=["100000"])).status_code == 403


# --- a school ---------------------------------------------------------------------------------


def test_a_school_page_shows_the_forces_key_adults_start_time_and_term_dates(
    oak: School, force: Force, other_force: Force, make_client
) -> None:
    client = make_client(Role.OFFICER)
    oak.day_starts_at = time(9, 0)
    oak.save()
    key_adult(force, oak, "Yusuf Lead", KeyAdult.Role.DSL)
    key_adult(other_force, oak, "Secret Other", KeyAdult.Role.DSL)
    calendar = TermCalendar.objects.create(
        force=force, name="Leeds 2026/27", la_code="383", updated_at=NOW
    )
    Term.objects.create(
        calendar=calendar, name="Autumn 1", first_day=date(2026, 9, 3), last_day=date(2099, 10, 23)
    )
    Term.objects.create(
        calendar=calendar, name="Long ago", first_day=date(2020, 9, 3), last_day=date(2020, 10, 23)
    )
    response = client.get(reverse("partners:school_detail", args=["100000"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Oak Primary School" in html and "yusuf@school.gov.uk" in html
    assert "Secret Other" not in html
    assert '<dd class="govuk-summary-list__value" id="school-start">09:00</dd>' in html
    assert "the local authority" in html and "Autumn 1" in html and "Long ago" not in html
    assert "Remove" not in html and "Add a key adult" not in html  # an officer only reads
    entry = AuditEntry.objects.get(object_type="school_key_adults")
    assert entry.object_id == "100000" and entry.action == "view"


def test_a_school_with_no_key_adult_or_term_dates_warns(oak: School, admin_client: Client) -> None:
    response = admin_client.get(reverse("partners:school_detail", args=["100000"]))
    assert b'id="key-adults-none"' in response.content
    assert b"holds no term dates" in response.content
    assert not AuditEntry.objects.filter(object_type="school_key_adults").exists()


def test_an_unknown_urn_is_not_found(admin_client: Client) -> None:
    for name in ("school_detail", "key_adult_add", "school_start_time"):
        assert admin_client.get(reverse(f"partners:{name}", args=["999999"])).status_code == 404


# --- the upload -------------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str = "edubasealldata20260901.csv"):
    return client.post(
        reverse("partners:school_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_the_upload_shows_the_report_and_again_shows_nothing_changed(admin_client: Client) -> None:
    rows = [school_row("100000", "Oak Primary School"), school_row("100001", "Elm Academy")]
    response = upload(admin_client, gias_csv(rows, junk_columns=40))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Schools imported" in html and 'id="report-added">2<' in html
    assert School.objects.count() == 2
    rows[1]["EstablishmentStatus (name)"] = "Closed"
    html = upload(admin_client, gias_csv(rows)).content.decode()
    assert 'id="report-added">0<' in html and 'id="report-unchanged">1<' in html
    assert 'id="report-updated">1: status (1)<' in html


def test_a_bad_file_shows_every_problem_and_imports_nothing(admin_client: Client) -> None:
    rows = [
        school_row("100000", "Oak Primary School"),
        school_row("10000X", "Bad URN School"),
        school_row("100000", "Oak again"),
        school_row("100002", ""),
    ]
    response = upload(admin_client, gias_csv(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "it has 3 problems, listed below" in html
    assert "line 3: URN &#x27;10000X&#x27; is not a URN" in html
    assert "line 4: URN 100000 is already on line 2" in html
    assert "line 5: EstablishmentName is missing" in html
    assert "Nothing was imported" in html and not School.objects.exists()


def test_missing_columns_and_the_wrong_encoding_are_explained(admin_client: Client) -> None:
    html = upload(admin_client, b"URN,Name\r\n100000,Oak\r\n").content.decode()
    assert "not a GIAS establishment fields CSV" in html and "&quot;EstablishmentName&quot;" in html
    content = gias_csv([school_row("100000", "Oak")]).replace(b"Oak", b"O\x81k")
    html = upload(admin_client, content).content.decode()
    assert "could not be read as UTF-8 or as Windows-1252" in html
    assert not School.objects.exists()


def test_no_file_chosen(admin_client: Client) -> None:
    response = admin_client.post(reverse("partners:school_import"), {})
    assert b"Select the GIAS CSV file" in response.content


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.PARTNER])
def test_only_a_force_admin_uploads(make_client, role) -> None:
    client = make_client(role)
    assert client.get(reverse("partners:school_import")).status_code == 403
    assert upload(client, gias_csv([school_row("100000", "Oak")])).status_code == 403
    assert not School.objects.exists()


# --- key adults and the start time ------------------------------------------------------------


def test_add_a_key_adult_linked_to_a_partner_user(
    oak: School, admin_client: Client, make_user, force: Force
) -> None:
    partner = make_user(Role.PARTNER, username="priya.dsl")
    url = reverse("partners:key_adult_add", args=["100000"])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "name": " Priya Patel ",
            "role": "dsl",
            "secure_email": "Priya.Patel@Oak.Leeds.sch.uk.cjsm.net",
            "username": "priya.dsl",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:school_detail", args=["100000"])
    adult = KeyAdult.objects.get()
    assert (adult.name, adult.role, adult.user, adult.force) == (
        "Priya Patel",
        "dsl",
        partner,
        force,
    )
    assert adult.secure_email == "priya.patel@oak.leeds.sch.uk.cjsm.net" and adult.active
    entry = AuditEntry.objects.get(object_type="key_adult")
    assert entry.action == "create" and entry.object_id == str(adult.pk)
    assert schools_of_user(partner.pk, force.pk) == [oak]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "role": "dsl", "secure_email": "a@b.gov.uk"}, "Enter the key adult"),
        ({"name": "Jo", "role": "dsl", "secure_email": ""}, "Enter the key adult&#x27;s secure"),
        ({"name": "Jo", "role": "dsl", "secure_email": "not an email"}, "in the correct format"),
        (
            {"name": "Jo", "role": "head", "secure_email": "a@b.gov.uk"},
            "Choose the role from the list",
        ),
        (
            {"name": "Jo", "role": "dsl", "secure_email": "a@b.gov.uk", "username": "nobody"},
            "No active partner user of this force has that username",
        ),
    ],
)
def test_a_key_adult_needs_a_name_a_role_and_a_valid_email(
    oak: School, admin_client: Client, data: dict[str, str], message: str
) -> None:
    response = admin_client.post(reverse("partners:key_adult_add", args=["100000"]), data)
    assert response.status_code == 200
    assert message in response.content.decode() and b"There is a problem" in response.content
    assert not KeyAdult.objects.exists()


def test_a_username_of_staff_or_of_another_force_is_not_a_partner(
    oak: School, admin_client: Client, make_user, other_force: Force
) -> None:
    make_user(Role.OFFICER, username="olivia")
    make_user(Role.PARTNER, username="elsewhere", force=other_force, units=[])
    for username in ("olivia", "elsewhere"):
        response = admin_client.post(
            reverse("partners:key_adult_add", args=["100000"]),
            {"name": "Jo", "role": "dsl", "secure_email": "jo@b.gov.uk", "username": username},
        )
        assert b"No active partner user of this force" in response.content
    assert not KeyAdult.objects.exists()


def test_the_same_address_twice_is_refused_and_a_removed_one_comes_back(
    oak: School, admin_client: Client, force: Force
) -> None:
    adult = key_adult(force, oak, "Jo Lead", KeyAdult.Role.DSL, secure_email="jo@b.gov.uk")
    url = reverse("partners:key_adult_add", args=["100000"])
    data = {"name": "Jo Lead", "role": "deputy", "secure_email": "JO@b.gov.uk"}
    response = admin_client.post(url, data)
    assert b"already a key adult of this school" in response.content
    response = admin_client.post(reverse("partners:key_adult_deactivate", args=[adult.pk]))
    assert response.status_code == 302
    adult.refresh_from_db()
    assert not adult.active and key_adults_for(force.pk, "100000") == []
    assert admin_client.post(url, data).status_code == 302
    adult.refresh_from_db()
    assert adult.active and adult.role == "deputy" and KeyAdult.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(object_type="key_adult")
        .order_by("seq")
        .values_list("action", "changed_fields")
    )
    assert actions[0] == ("update", ["active"]) and actions[1][0] == "update"


def test_removing_another_forces_key_adult_is_not_found(
    oak: School, admin_client: Client, other_force: Force
) -> None:
    adult = key_adult(other_force, oak, "Other Lead", KeyAdult.Role.DSL)
    response = admin_client.post(reverse("partners:key_adult_deactivate", args=[adult.pk]))
    assert response.status_code == 404
    adult.refresh_from_db()
    assert adult.active
    assert (
        admin_client.get(reverse("partners:key_adult_deactivate", args=[adult.pk])).status_code
        == 405
    )


def test_the_admin_sees_remove_buttons_and_removed_adults(
    oak: School, admin_client: Client, force: Force
) -> None:
    key_adult(force, oak, "Jo Lead", KeyAdult.Role.DSL)
    key_adult(force, oak, "Old Deputy", KeyAdult.Role.DEPUTY, active=False)
    html = admin_client.get(reverse("partners:school_detail", args=["100000"])).content.decode()
    assert "Remove<span" in html and "Add a key adult" in html
    assert "Removed key adults (1)" in html and "Old Deputy" in html


def test_change_the_start_time(oak: School, admin_client: Client) -> None:
    url = reverse("partners:school_start_time", args=["100000"])
    response = admin_client.get(url)
    assert b'value="08:30"' in response.content
    response = admin_client.post(url, {"day_starts_at": "25:00"})
    assert b"like 08:45" in response.content
    response = admin_client.post(url, {"day_starts_at": "09:05"})
    assert response.status_code == 302
    oak.refresh_from_db()
    assert oak.day_starts_at == time(9, 5)
    assert AuditEntry.objects.get(object_type="school").changed_fields == ["day_starts_at"]


def test_an_officer_cannot_change_key_adults_or_the_start_time(
    oak: School, officer_client: Client, force: Force
) -> None:
    adult = key_adult(force, oak, "Jo Lead", KeyAdult.Role.DSL)
    data = {"name": "Eve", "role": "dsl", "secure_email": "eve@b.gov.uk"}
    assert (
        officer_client.post(reverse("partners:key_adult_add", args=["100000"]), data).status_code
        == 403
    )
    assert (
        officer_client.post(reverse("partners:key_adult_deactivate", args=[adult.pk])).status_code
        == 403
    )
    url = reverse("partners:school_start_time", args=["100000"])
    assert officer_client.post(url, {"day_starts_at": "10:00"}).status_code == 403
    adult.refresh_from_db()
    oak.refresh_from_db()
    assert adult.active and oak.day_starts_at == time(8, 30) and KeyAdult.objects.count() == 1


def test_the_navigation_has_schools_for_staff_only(officer_client: Client, make_client) -> None:
    html = officer_client.get(reverse("frontend:my_work")).content.decode()
    assert reverse("partners:school_list") in html
    html = make_client(Role.PARTNER).get(reverse("frontend:my_work")).content.decode()
    assert reverse("partners:school_list") not in html
