"""Staff, units, the permissions table, the audit search page and API tokens, as people use them."""

import pytest
from django.core.management import call_command

from safeguard.accounts.demo import DEMO_USERS
from safeguard.accounts.models import ApiToken, RoleGrant, User
from safeguard.accounts.services import api_token_authenticate
from safeguard.core.models import AuditEntry
from safeguard.core.permissions import Permission, Role

pytestmark = pytest.mark.django_db


def test_admin_changes_roles_and_it_is_audited(admin_client, make_user):
    target = make_user("officer")
    response = admin_client.post(
        f"/staff/{target.pk}/roles/",
        {"roles": ["supervisor", "investigator"], "version": target.version},
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert b"Roles saved" in page.content
    assert sorted(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == [
        "investigator",
        "supervisor",
    ]
    entry = AuditEntry.objects.filter(action="update", object_id=str(target.pk)).last()
    assert entry.changed_fields == ["roles"]


def test_stale_role_edit_is_refused_with_a_message(admin_client, make_user):
    target = make_user("officer")
    stale = target.version
    admin_client.post(f"/staff/{target.pk}/roles/", {"roles": ["auditor"], "version": stale})
    response = admin_client.post(
        f"/staff/{target.pk}/roles/", {"roles": ["analyst"], "version": stale}, follow=True
    )
    assert b"Somebody else changed this account" in response.content
    assert list(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == ["auditor"]


def test_no_roles_is_refused_and_nothing_changes(admin_client, make_user):
    target = make_user("officer")
    response = admin_client.post(
        f"/staff/{target.pk}/roles/", {"version": target.version}, follow=True
    )
    assert b"Choose at least one role" in response.content
    assert list(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == ["officer"]


def test_an_admin_cannot_disable_themselves(admin_client):
    admin = admin_client.user
    response = admin_client.post(
        f"/staff/{admin.pk}/active/", {"version": admin.version, "active": "0"}, follow=True
    )
    assert b"You cannot disable your own account" in response.content
    admin.refresh_from_db()
    assert admin.is_active


def test_supervisor_sees_only_their_units_staff(supervisor_client, make_user, other_unit):
    mine = make_user("officer", last_name="Inside")
    theirs = make_user("officer", units=[other_unit], last_name="Outside")
    page = supervisor_client.get("/staff/")
    assert b"Inside" in page.content
    assert b"Outside" not in page.content
    assert supervisor_client.get(f"/staff/{mine.pk}/").status_code == 200
    assert supervisor_client.get(f"/staff/{theirs.pk}/").status_code == 404


def test_staff_filters_and_empty_state(admin_client, make_user):
    make_user("auditor", last_name="Zebedee")
    assert b"Zebedee" in admin_client.get("/staff/?role=auditor").content
    assert b"Zebedee" not in admin_client.get("/staff/?role=custody_officer").content
    assert (
        b"No staff match these filters" in admin_client.get("/staff/?search=nobody-at-all").content
    )


def test_staff_list_paginates(admin_client, make_user):
    for i in range(30):
        make_user("officer", last_name=f"Person{i:02d}")
    first = admin_client.get("/staff/")
    assert b"Page 1 of 2" in first.content
    assert b'rel="next"' in first.content
    assert b"Page 2 of 2" in admin_client.get("/staff/?page=2").content


def test_viewing_a_staff_record_is_audited(admin_client, make_user):
    target = make_user("officer")
    admin_client.get(f"/staff/{target.pk}/")
    assert AuditEntry.objects.filter(
        action="view",
        object_type="user",
        object_id=str(target.pk),
        actor_username=admin_client.user.username,
    ).exists()


def test_audit_search_answers_who_viewed_a_record(auditor_client, admin_client, make_user):
    target = make_user("officer")
    admin_client.get(f"/staff/{target.pk}/")
    page = auditor_client.get(f"/audit/?object_type=user&object_id={target.pk}&action=view")
    assert page.status_code == 200
    assert admin_client.user.username.encode() in page.content
    assert b"1 entries" in page.content


def test_audit_search_validates_dates(auditor_client):
    page = auditor_client.get("/audit/?date_from=2026-11-20&date_to=2026-11-01")
    assert b"The to date must be the same as or after the from date" in page.content
    page = auditor_client.get("/audit/?date_from=yesterday")
    assert b"The from date must be a real date" in page.content


def test_audit_search_never_shows_another_forces_entries(auditor_client, other_force, foreign_unit):
    from tests.factories import UserFactory

    foreign_admin = UserFactory(
        force=other_force, units=[foreign_unit], roles=["force_admin"], username="foreignadmin"
    )
    from safeguard.accounts import selectors, services

    selectors.staff_get(actor=services.actor_for(foreign_admin), user_id=foreign_admin.pk)
    page = auditor_client.get("/audit/?username=foreignadmin")
    assert b"No entries match" in page.content


def test_permissions_page_shows_every_role_and_permission(admin_client):
    page = admin_client.get("/admin/permissions/").content.decode()
    for role in Role:
        assert role.label in page
    for permission in Permission:
        assert permission.label in page


def test_unit_pages(officer_client, unit, foreign_unit):
    assert unit.name.encode() in officer_client.get("/units/").content
    assert officer_client.get(f"/units/{unit.pk}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_type="unit", object_id=str(unit.pk), reason_code="members"
    ).exists()
    assert officer_client.get(f"/units/{foreign_unit.pk}/").status_code == 404


def test_create_and_revoke_an_api_token_on_the_page(officer_client):
    from django.utils import timezone

    page = officer_client.post("/account/api-tokens/", {"name": "reporting script"})
    assert b"Copy it now" in page.content
    raw = page.content.decode().split('id="new-token">')[1].split("<")[0]
    token = ApiToken.objects.get(user=officer_client.user)
    assert token.token_hash != raw and raw not in token.token_hash
    assert api_token_authenticate(raw=raw, now=timezone.now()) == officer_client.user
    officer_client.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert api_token_authenticate(raw=raw, now=timezone.now()) is None


def test_blank_token_name_is_a_form_error(officer_client):
    page = officer_client.post("/account/api-tokens/", {"name": ""})
    assert b"Enter a name for the token" in page.content
    assert not ApiToken.objects.exists()


def test_create_api_token_command(make_user, capsys):
    user = make_user("officer")
    call_command("create_api_token", user.username)
    raw = capsys.readouterr().out.strip()
    from django.utils import timezone

    assert api_token_authenticate(raw=raw, now=timezone.now()) == user


def test_load_demo_twice_is_safe(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    assert capsys.readouterr().out == first
    assert User.objects.filter(force__code="demo").count() == len(DEMO_USERS)
    assert {user.role for user in DEMO_USERS} == set(Role)
    for role in Role:
        expected = sum(1 for user in DEMO_USERS if user.role == role)
        assert RoleGrant.objects.filter(role=role, user__force__code="demo").count() == expected
    assert "TOTP secret" in first


def test_health_endpoints(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_error_pages(officer_client, client):
    missing = officer_client.get("/no-such-page/")
    assert missing.status_code == 404
    assert b"Page not found" in missing.content
    forbidden = officer_client.get("/audit/")
    assert forbidden.status_code == 403
    assert b"You do not have permission to see this page" in forbidden.content
    assert AuditEntry.objects.filter(action="access_denied", object_id="/audit/").exists()


def test_staff_activity_timeline_shows_what_happened(admin_client, make_user):
    target = make_user("officer")
    admin_client.post(
        f"/staff/{target.pk}/roles/", {"roles": ["supervisor"], "version": target.version}
    )
    page = admin_client.get(f"/staff/{target.pk}/activity/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "moj-timeline__item" in html
    assert "Changed (alteration): roles changed" in html
    assert f"by {admin_client.user.username}" in html


def test_activity_tab_needs_audit_permission(supervisor_client, make_user):
    colleague = make_user("officer")
    assert supervisor_client.get(f"/staff/{colleague.pk}/activity/").status_code == 403
    assert b"/activity/" not in supervisor_client.get(f"/staff/{colleague.pk}/").content
