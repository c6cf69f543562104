"""Bad input to the API gets one JSON error shape and the right status, and changes nothing."""

import json

import pytest

from safeguard.accounts.models import RoleGrant

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "message", "fields"}


@pytest.fixture
def admin_api(admin_client, make_api_client):
    return make_api_client(admin_client.user)


@pytest.fixture
def colleague(make_user):
    return make_user("officer")


def roles_of(user):
    return sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def put_roles(api, user, body):
    return api.put(f"/api/v1/staff/{user.pk}/roles", data=body, content_type="application/json")


def test_malformed_json_is_400_and_changes_nothing(admin_api, colleague):
    response = put_roles(admin_api, colleague, "{not json")
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["error"] == "bad_request"
    assert roles_of(colleague) == ["officer"]


def test_unknown_field_is_422_naming_the_field(admin_api, colleague):
    body = json.dumps({"roles": ["supervisor"], "version": colleague.version, "is_superuser": True})
    response = put_roles(admin_api, colleague, body)
    assert response.status_code == 422
    assert response.json()["fields"] == {"is_superuser": "This field is not allowed here."}
    colleague.refresh_from_db()
    assert not colleague.is_superuser
    assert roles_of(colleague) == ["officer"]


def test_invalid_value_is_422_with_field_message(admin_api, colleague):
    body = json.dumps({"roles": ["chief_constable"], "version": colleague.version})
    response = put_roles(admin_api, colleague, body)
    assert response.status_code == 422
    assert "roles.0" in response.json()["fields"]
    assert roles_of(colleague) == ["officer"]


def test_body_over_the_limit_is_413(admin_api, colleague):
    response = put_roles(admin_api, colleague, json.dumps({"roles": ["x" * 11_000_000]}))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert roles_of(colleague) == ["officer"]


def test_stale_version_is_409_and_keeps_the_newer_change(admin_api, colleague):
    stale = colleague.version
    first = put_roles(
        admin_api, colleague, json.dumps({"roles": ["investigator"], "version": stale})
    )
    assert first.status_code == 200
    assert first.json()["version"] == stale + 1
    second = put_roles(admin_api, colleague, json.dumps({"roles": ["auditor"], "version": stale}))
    assert second.status_code == 409
    assert second.json()["error"] == "conflict"
    assert roles_of(colleague) == ["investigator"]


def test_another_forces_id_is_404_not_403(admin_api, other_force, foreign_unit):
    from tests.factories import UserFactory

    stranger = UserFactory(force=other_force, units=[foreign_unit])
    for response in (
        admin_api.get(f"/api/v1/staff/{stranger.pk}"),
        put_roles(admin_api, stranger, json.dumps({"roles": ["officer"], "version": 1})),
        admin_api.get(f"/api/v1/units/{foreign_unit.pk}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_missing_or_revoked_token_is_401(client, admin_client, make_api_client):
    assert client.get("/api/v1/me").status_code == 401
    bogus = client.get("/api/v1/me", headers={"Authorization": "Bearer sgpat_nonsense"})
    assert bogus.status_code == 401
    assert bogus.json()["error"] == "unauthorized"
    api = make_api_client(admin_client.user)
    token_id = api.get("/api/v1/tokens").json()[0]["id"]
    assert api.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_unknown_path_and_wrong_method_are_json(admin_api):
    missing = admin_api.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert set(missing.json()) == ERROR_KEYS
    wrong = admin_api.post("/api/v1/me")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"


def test_query_out_of_range_is_422(admin_api):
    response = admin_api.get("/api/v1/staff?limit=1000")
    assert response.status_code == 422
    assert "limit" in response.json()["fields"]


def test_openapi_and_docs_need_sign_in(client, admin_api, admin_client):
    assert client.get("/api/v1/openapi.json").status_code == 401
    schema = admin_api.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/staff/{user_id}" in schema.json()["paths"]
    docs = admin_client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content  # bundled, no CDN
    assert b"cdn." not in docs.content


def test_api_calls_are_audited_with_the_api_channel(admin_api, colleague):
    from safeguard.core.models import AuditEntry

    admin_api.get(f"/api/v1/staff/{colleague.pk}")
    entry = AuditEntry.objects.filter(object_type="user", object_id=str(colleague.pk)).last()
    assert entry.action == "view"
    assert entry.channel == "api"
    assert entry.request_id


def test_etag_and_if_match(admin_api, colleague):
    read = admin_api.get(f"/api/v1/staff/{colleague.pk}")
    tag = read["ETag"]
    assert tag == f'"v{colleague.version}"'
    ok = admin_api.put(
        f"/api/v1/staff/{colleague.pk}/roles",
        data=json.dumps({"roles": ["supervisor"]}),
        content_type="application/json",
        headers={"If-Match": tag},
    )
    assert ok.status_code == 200
    assert ok["ETag"] == f'"v{colleague.version + 1}"'
    stale = admin_api.put(
        f"/api/v1/staff/{colleague.pk}/roles",
        data=json.dumps({"roles": ["auditor"]}),
        content_type="application/json",
        headers={"If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["error"] == "precondition_failed"
    missing = put_roles(admin_api, colleague, json.dumps({"roles": ["auditor"]}))
    assert missing.status_code == 428
    assert missing.json()["error"] == "precondition_required"
    assert roles_of(colleague) == ["supervisor"]


def test_every_refusal_keeps_the_one_error_shape(admin_api, colleague, make_api_client):
    """403, 404, 409, 412, 413, 422 and 428: each its own status, the same three keys."""
    officer_api = make_api_client(colleague)
    stale = json.dumps({"roles": ["auditor"], "version": colleague.version - 1})
    answers = {
        403: put_roles(officer_api, colleague, json.dumps({"roles": ["officer"], "version": 1})),
        404: admin_api.get("/api/v1/staff/999999"),
        409: put_roles(admin_api, colleague, stale),
        412: admin_api.put(
            f"/api/v1/staff/{colleague.pk}/roles",
            data=json.dumps({"roles": ["auditor"]}),
            content_type="application/json",
            headers={"If-Match": '"v999"'},
        ),
        413: put_roles(admin_api, colleague, json.dumps({"roles": ["x" * 11_000_000]})),
        422: put_roles(admin_api, colleague, json.dumps({"roles": ["chief"], "version": 1})),
        428: put_roles(admin_api, colleague, json.dumps({"roles": ["auditor"]})),
    }
    for status, response in answers.items():
        assert response.status_code == status
        body = response.json()
        assert set(body) == ERROR_KEYS
        assert isinstance(body["message"], str) and body["message"]
    assert roles_of(colleague) == ["officer"]


def test_the_staff_list_is_read_from_the_users(admin_api, colleague):
    body = admin_api.get("/api/v1/staff").json()
    mine = next(item for item in body["items"] if item["id"] == colleague.pk)
    assert mine["roles"] == ["officer"] and mine["unit_ids"] == sorted(
        colleague.units.values_list("pk", flat=True)
    )
    assert body["count"] == len(body["items"])
