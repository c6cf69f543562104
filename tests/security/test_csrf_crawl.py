"""Row 12 of the battery: every state-changing request needs a CSRF token (ASVS 3.5.1).

With `Client(enforce_csrf_checks=True)`, as a signed-in force admin and anonymously, a POST to
every route of the resolver with no token, a forged token, a forged header, another session's
token, or no CSRF cookie at all, is refused with 403 and the "Your form could not be sent" page,
and nothing changes. With the right token the same requests go through (the control). The API
takes no session cookie at all, so CSRF cannot reach it.
"""

import json
import secrets
import string
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from safeguard.accounts.middleware import AUTH_AT, EPOCH, LAST_SEEN
from safeguard.accounts.models import ApiToken, RoleGrant, User
from safeguard.cases.models import (
    Action,
    Allocation,
    Case,
    Decision,
    Involvement,
    Note,
    VoiceOfChild,
)
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.core.permissions import Role
from safeguard.people.models import Address, Alias, Person, Relationship
from safeguard.supervision.models import Review, ReviewPolicySetting
from tests.factories import TEST_PASSWORD
from tests.helpers import sign_in, totp_now
from tests.security.battery import WEB_ROUTES, Loc, World, error_body_problem, web_routes

pytestmark = pytest.mark.django_db

CSRF_PAGE = b"Your form could not be sent"
NEW_PASSWORD = "a-brand-new-and-long-passphrase-77"
_ALPHABET = string.ascii_letters + string.digits


def forged_token() -> str:
    """Well formed (64 letters and digits, like a masked token) but not this session's."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(64))


def csrf_cookie(client: Client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def with_cookie(client: Client, page: str) -> Client:
    assert client.get(page).status_code == 200
    assert csrf_cookie(client)
    return client


def password_only(client: Client, user: User) -> Client:
    """Signed in with the password but not yet with the code (the MFA step is pending)."""
    client.force_login(user)
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session[AUTH_AT] = session[LAST_SEEN] = time.time()
    session[EPOCH] = user.session_epoch
    session.save()
    return client


def state() -> tuple:
    """Everything a forged request could change."""
    return (
        tuple(
            User.objects.order_by("pk").values_list(
                "pk", "version", "is_active", "session_epoch", "password", "is_superuser"
            )
        ),
        tuple(RoleGrant.objects.order_by("pk").values_list("user_id", "role")),
        tuple(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        tuple(TOTPDevice.objects.order_by("pk").values_list("pk", "confirmed")),
        AuditEntry.objects.count(),
        DBTaskResult.objects.count(),
        AccessAttempt.objects.count(),
        case_core_state(),
    )


VERSIONED = (Person, Case, Action, ReviewPolicySetting)
COUNTED = (
    Alias,
    Address,
    Relationship,
    Involvement,
    Allocation,
    Decision,
    Note,
    VoiceOfChild,
    Review,
    TimelineEvent,
)


def case_core_state() -> tuple:
    """Every person, case, action and policy at its version, and the count of each record."""
    versions = tuple(
        tuple(model.objects.order_by("pk").values_list("pk", "version")) for model in VERSIONED
    )
    return versions, tuple(model.objects.count() for model in COUNTED)


def payloads(world: World, actor: User | None) -> list[tuple[str, str, dict]]:
    """(route name, url, a body that would succeed with a token) for every route."""
    member = world.staff[Loc.OWN]
    bodies = {
        "accounts:sign_in": {"username": member.username, "password": TEST_PASSWORD},
        "accounts:verify_code": {"code": "123456"},
        "accounts:set_up_authenticator": {"code": "123456"},
        "accounts:password_reset": {"email": member.email},
        "accounts:password_reset_confirm": {
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        "accounts:staff_set_roles": {"roles": ["force_admin"], "version": member.version},
        "accounts:staff_set_active": {"active": "0", "version": member.version},
        "accounts:api_tokens": {"name": "forged"},
    }
    requests = []
    for route in web_routes():
        specs = WEB_ROUTES.get(route.name)
        assert specs, f"{route.name} is not in the route table"
        # The POST the route table declares (a GET-only page gets an empty body).
        spec = next((s for s in specs if s.method == "POST"), specs[0])
        target, _, kwargs = world.target(spec.target, Loc.OWN, actor, spec.state)
        body = bodies.get(route.name)
        if body is None:
            body = spec.data(world, target) if spec.data else {}
        if route.name == "accounts:password_reset_confirm":
            kwargs = {
                "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
                "token": default_token_generator.make_token(member),
            }
        url = reverse(route.name, kwargs=kwargs or None)
        requests.append((route.name, url, body))
    return requests


def forgeries(client: Client, other_token: str) -> dict[str, tuple[dict, dict]]:
    """Ways to send a POST without this session's token: (extra form fields, extra headers)."""
    return {
        "no token": ({}, {}),
        "forged token": ({"csrfmiddlewaretoken": forged_token()}, {}),
        "forged header": ({}, {"HTTP_X_CSRFTOKEN": forged_token()}),
        "another session's token": ({"csrfmiddlewaretoken": other_token}, {}),
        "empty token": ({"csrfmiddlewaretoken": ""}, {}),
    }


def attack(client: Client, requests: list[tuple[str, str, dict]], other_token: str) -> list[str]:
    problems = []
    for name, url, body in requests:
        for how, (extra, headers) in forgeries(client, other_token).items():
            response = client.post(url, {**body, **extra}, **headers)
            if response.status_code != 403 or CSRF_PAGE not in response.content:
                problems.append(f"POST {url} ({name}) with {how}: {response.status_code}")
    # And with no CSRF cookie at all (a first visit, or cookies blocked), but a token.
    cookie = client.cookies.pop(settings.CSRF_COOKIE_NAME)
    try:
        for name, url, body in requests:
            response = client.post(url, {**body, "csrfmiddlewaretoken": cookie.value})
            if response.status_code != 403 or CSRF_PAGE not in response.content:
                problems.append(f"POST {url} ({name}) without the cookie: {response.status_code}")
    finally:
        client.cookies[settings.CSRF_COOKIE_NAME] = cookie.value
    return problems


@pytest.fixture
def other_token() -> str:
    """A genuine token of somebody else's session: what an attacker can get for themselves."""
    return csrf_cookie(with_cookie(Client(enforce_csrf_checks=True), reverse("accounts:sign_in")))


def test_every_route_refuses_a_forged_post_from_a_signed_in_admin(
    world: World, make_user, other_token
):
    admin = make_user(Role.FORCE_ADMIN)
    client = with_cookie(
        sign_in(Client(enforce_csrf_checks=True), admin), reverse("accounts:api_tokens")
    )
    requests = payloads(world, admin)
    before = state()
    problems = attack(client, requests, other_token)
    assert not problems, f"{len(problems)} forged POSTs were not refused:\n" + "\n".join(problems)
    assert state() == before, "a refused POST changed something"
    assert client.get(reverse("frontend:my_work")).status_code == 200  # still signed in


def test_every_route_refuses_a_forged_post_from_an_anonymous_visitor(world: World, other_token):
    client = with_cookie(Client(enforce_csrf_checks=True), reverse("accounts:sign_in"))
    requests = payloads(world, None)
    before = state()
    problems = attack(client, requests, other_token)
    assert not problems, f"{len(problems)} forged POSTs were not refused:\n" + "\n".join(problems)
    assert state() == before, "a refused POST changed something"
    assert SESSION_KEY not in client.session  # not signed in by a forged sign-in


def test_the_mfa_steps_refuse_a_forged_post(make_user):
    # The code step: a correct code, but no token, does not complete the sign-in.
    user = make_user(Role.OFFICER)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    client = with_cookie(password_only(Client(enforce_csrf_checks=True), user), "/sign-in/code/")
    response = client.post("/sign-in/code/", {"code": totp_now(device)})
    assert response.status_code == 403 and CSRF_PAGE in response.content
    assert client.get(reverse("frontend:my_work"))["Location"] == "/sign-in/code/"
    # The control: with the token, the same code signs in.
    response = client.post(
        "/sign-in/code/", {"code": totp_now(device), "csrfmiddlewaretoken": csrf_cookie(client)}
    )
    assert response.status_code == 302
    assert client.get(reverse("frontend:my_work")).status_code == 200

    # Enrolment: a correct code for the new device, but no token, does not confirm it.
    newcomer = make_user(Role.OFFICER, totp=False)
    url = reverse("accounts:set_up_authenticator")
    client = with_cookie(password_only(Client(enforce_csrf_checks=True), newcomer), url)
    device = TOTPDevice.objects.get(user=newcomer)
    response = client.post(url, {"code": totp_now(device)})
    assert response.status_code == 403 and CSRF_PAGE in response.content
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    response = client.post(
        url, {"code": totp_now(device), "csrfmiddlewaretoken": csrf_cookie(client)}
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()


def test_setting_a_new_password_from_a_reset_link_refuses_a_forged_post(make_user):
    user = make_user(Role.OFFICER)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    client = Client(enforce_csrf_checks=True)
    form_url = client.get(link)["Location"]  # the token moves into the session
    assert client.get(form_url).status_code == 200
    body = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(form_url, {**body, "csrfmiddlewaretoken": forged_token()})
    assert response.status_code == 403 and CSRF_PAGE in response.content
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    response = client.post(form_url, {**body, "csrfmiddlewaretoken": csrf_cookie(client)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_with_the_right_token_the_same_posts_go_through(world: World, make_user):
    """The control: the refusals above are CSRF refusals, not broken requests."""
    admin = make_user(Role.FORCE_ADMIN)
    client = with_cookie(
        sign_in(Client(enforce_csrf_checks=True), admin), reverse("accounts:api_tokens")
    )
    token = {"csrfmiddlewaretoken": csrf_cookie(client)}
    member = world.staff[Loc.OWN]
    url = reverse("accounts:staff_set_roles", args=[member.pk])
    response = client.post(url, {"roles": ["auditor"], "version": member.version, **token})
    assert response.status_code == 302
    assert list(RoleGrant.objects.filter(user=member).values_list("role", flat=True)) == ["auditor"]
    count = ApiToken.objects.filter(user=admin).count()
    response = client.post(reverse("accounts:api_tokens"), {"name": "real", **token})
    assert response.status_code == 200 and ApiToken.objects.filter(user=admin).count() == count + 1
    # The header works as well as the form field.
    response = client.post(
        reverse("accounts:staff_end_sessions", args=[member.pk]),
        HTTP_X_CSRFTOKEN=token["csrfmiddlewaretoken"],
    )
    assert response.status_code == 302
    response = client.post(reverse("accounts:sign_out"), token)
    assert response["Location"] == reverse("accounts:sign_in")
    assert SESSION_KEY not in client.session

    anonymous = with_cookie(Client(enforce_csrf_checks=True), reverse("accounts:sign_in"))
    response = anonymous.post(
        reverse("accounts:sign_in"),
        {
            "username": member.username,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": csrf_cookie(anonymous),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/sign-in/code/"


@pytest.mark.parametrize("enforce", [True, False], ids=["csrf-enforcing", "plain"])
def test_the_api_does_not_accept_the_session_cookie(world: World, make_user, enforce):
    admin = make_user(Role.FORCE_ADMIN)
    client = with_cookie(
        sign_in(Client(enforce_csrf_checks=enforce), admin), reverse("accounts:api_tokens")
    )
    member = world.staff[Loc.OWN]
    token, _, _ = world.target("token", Loc.OWN, admin)
    before = state()
    headers = {"HTTP_X_CSRFTOKEN": csrf_cookie(client)}  # even with a valid CSRF token
    responses = {
        "GET /api/v1/me": client.get("/api/v1/me"),
        "GET /api/v1/staff": client.get("/api/v1/staff"),
        "PUT roles": client.put(
            f"/api/v1/staff/{member.pk}/roles",
            json.dumps({"roles": ["force_admin"], "version": member.version}),
            content_type="application/json",
            **headers,
        ),
        "DELETE token": client.delete(f"/api/v1/tokens/{token.pk}", **headers),
    }
    for what, response in responses.items():
        assert response.status_code == 401, what
        assert error_body_problem(response) is None, what
        assert response["WWW-Authenticate"] == "Bearer", what
    assert state() == before


def test_the_api_docs_refuse_a_session_an_admin_has_ended(world: World, make_user):
    """The docs take a signed-in session, so they must honour the same session limits as pages."""
    admin = sign_in(Client(), make_user(Role.FORCE_ADMIN))
    member = world.staff[Loc.OWN]
    session = sign_in(Client(), member)
    assert session.get("/api/v1/openapi.json").status_code == 200
    response = admin.post(reverse("accounts:staff_end_sessions", args=[member.pk]))
    assert response.status_code == 302
    # The ended session reads neither the schema nor the docs, even before it opens a page.
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        response = session.get(url)
        assert response.status_code == 401, url
        assert error_body_problem(response) is None, url


def test_with_the_right_token_case_and_person_posts_go_through(world: World, make_user):
    """The control for the case core: the same bodies the crawl forges succeed with the token."""
    inspector = make_user(Role.DUTY_INSPECTOR)
    client = with_cookie(
        sign_in(Client(enforce_csrf_checks=True), inspector), reverse("cases:case_list")
    )
    token = {"csrfmiddlewaretoken": csrf_cookie(client)}
    bodies = {name: body for name, _, body in payloads(world, inspector)}
    case = world.new_case(Loc.OWN, inspector)
    before = case_core_state()
    response = client.post(
        reverse("cases:decision_new", args=[case.pk]), {**bodies["cases:decision_new"], **token}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.decisions.count() == 1
    # The header works as well as the form field, on a lifecycle step.
    received = world.new_case(Loc.OWN, inspector, "received")
    response = client.post(
        reverse("cases:triage", args=[received.pk]),
        {**bodies["cases:triage"], "version": received.version},
        HTTP_X_CSRFTOKEN=token["csrfmiddlewaretoken"],
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == "triaged"
    person = world.new_person(world.force.pk)
    response = client.post(
        reverse("people:alias_new", args=[person.pk]), {**bodies["people:alias_new"], **token}
    )
    assert response.status_code == 302 and person.aliases.count() == 1
    assert case_core_state() != before
