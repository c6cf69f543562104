"""Scoping: force first, then the role's reach; a partner sees only what was disclosed to them."""

import pytest
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.accounts.services import actor_for
from safeguard.core.errors import PermissionDenied
from safeguard.core.models import Disclosure
from safeguard.core.permissions import ROLE_PERMISSIONS, Permission, Role, Scope, scope_for
from safeguard.core.scoping import scope_queryset

pytestmark = pytest.mark.django_db


def visible_ids(actor, permission, **kwargs):
    queryset = scope_queryset(
        User.objects.all(), actor=actor, permission=permission, object_type="user", **kwargs
    )
    return set(queryset.values_list("pk", flat=True))


def test_the_widest_scope_of_several_roles_wins():
    assert scope_for(frozenset({"supervisor"}), Permission.STAFF_VIEW) == Scope.UNIT
    assert scope_for(frozenset({"supervisor", "auditor"}), Permission.STAFF_VIEW) == Scope.FORCE
    assert scope_for(frozenset({"officer"}), Permission.STAFF_VIEW) is None
    assert scope_for(frozenset(), Permission.MY_WORK_VIEW) is None


def test_every_role_is_in_the_table_and_only_partners_reach_disclosures():
    assert set(ROLE_PERMISSIONS) == set(Role)
    for role, grants in ROLE_PERMISSIONS.items():
        assert (Scope.DISCLOSED in grants.values()) == (role == Role.PARTNER)


def test_analysts_see_no_individual_records():
    analyst = frozenset({"analyst"})
    for permission in (Permission.STAFF_VIEW, Permission.AUDIT_SEARCH, Permission.DISCLOSURE_VIEW):
        assert scope_for(analyst, permission) is None


def test_force_and_unit_scopes(make_user, other_unit, other_force, foreign_unit):
    from tests.factories import UserFactory

    supervisor = make_user("supervisor")
    admin = make_user("force_admin", units=[other_unit])
    colleague = make_user("officer")
    elsewhere = make_user("officer", units=[other_unit])
    foreigner = UserFactory(force=other_force, units=[foreign_unit])
    unit_view = visible_ids(actor_for(supervisor), Permission.STAFF_VIEW, unit_field="units")
    assert {supervisor.pk, colleague.pk} <= unit_view
    assert elsewhere.pk not in unit_view and foreigner.pk not in unit_view
    force_view = visible_ids(actor_for(admin), Permission.STAFF_VIEW, unit_field="units")
    assert {supervisor.pk, colleague.pk, elsewhere.pk, admin.pk} <= force_view
    assert foreigner.pk not in force_view


def test_a_scope_the_model_cannot_express_yields_nothing(make_user):
    supervisor = make_user("supervisor")
    assert visible_ids(actor_for(supervisor), Permission.STAFF_VIEW) == set()


def test_no_permission_is_refused(make_user):
    with pytest.raises(PermissionDenied):
        visible_ids(actor_for(make_user("officer")), Permission.STAFF_VIEW)


def test_partner_sees_only_what_was_disclosed_to_them(make_user, other_force, foreign_unit):
    partner = make_user("partner")
    other_partner = make_user("partner")
    officer = make_user("officer")
    shared = make_user("officer")
    not_shared = make_user("officer")
    now = timezone.now()
    Disclosure.objects.create(
        force=partner.force,
        object_type="user",
        object_id=str(shared.pk),
        recipient=partner,
        disclosed_by=officer,
        purpose="test",
        disclosed_at=now,
    )
    revoked = Disclosure.objects.create(
        force=partner.force,
        object_type="user",
        object_id=str(not_shared.pk),
        recipient=partner,
        disclosed_by=officer,
        purpose="test",
        disclosed_at=now,
        revoked_at=now,
    )
    assert revoked.revoked_at is not None
    assert visible_ids(actor_for(partner), Permission.DISCLOSURE_VIEW) == {shared.pk}
    assert visible_ids(actor_for(other_partner), Permission.DISCLOSURE_VIEW) == set()


def test_shared_with_you_page_lists_only_the_partners_own_disclosures(make_client, make_user):
    partner_client = make_client("partner")
    partner = partner_client.user
    officer = make_user("officer")
    now = timezone.now()
    Disclosure.objects.create(
        force=partner.force,
        object_type="encompass_notification",
        object_id="41",
        recipient=partner,
        disclosed_by=officer,
        purpose="Operation Encompass",
        disclosed_at=now,
    )
    Disclosure.objects.create(
        force=partner.force,
        object_type="encompass_notification",
        object_id="42",
        recipient=make_user("partner"),
        disclosed_by=officer,
        purpose="someone else",
        disclosed_at=now,
    )
    page = partner_client.get("/shared-with-me/").content.decode()
    assert "encompass_notification 41" in page
    assert "someone else" not in page
    assert "Shared with you" in partner_client.get("/").content.decode()


def test_shared_with_you_empty_state_and_staff_refused(make_client):
    assert (
        b"Nothing has been shared with you yet"
        in make_client("partner").get("/shared-with-me/").content
    )
    assert make_client("officer").get("/shared-with-me/").status_code == 403
