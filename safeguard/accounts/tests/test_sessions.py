"""Session limits, server-side sign-out, disabled users and ended sessions (battery row 9)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safeguard.accounts import services
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

MESSAGES = {
    "idle": b"You were signed out because you had not done anything for 30 minutes.",
    "expired": b"Your session has ended. Sign in again to continue.",
    "absolute": b"You were signed out because you had been signed in for 12 hours.",
    "ended": b"Your session was ended by an administrator.",
}


def follow_to_sign_in(client: Client, path: str = "/staff/") -> bytes:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    return client.get(response["Location"]).content


def test_thirty_minutes_idle_signs_you_out_with_a_message(make_user):
    user = make_user("force_admin")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = sign_in(Client(), user)
        clock.shift(timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=31))
        page = follow_to_sign_in(client)
    assert MESSAGES["idle"] in page or MESSAGES["expired"] in page


def test_twelve_hours_signs_out_even_an_active_user(make_user):
    user = make_user("force_admin")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = sign_in(Client(), user)
        for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11h40m
            clock.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=21))
        page = follow_to_sign_in(client, "/")
    assert MESSAGES["absolute"] in page


def test_sign_out_ends_the_session_on_the_server(make_user):
    user = make_user("officer")
    client = sign_in(Client(), user)
    stolen_cookie = client.cookies["sessionid"].value
    response = client.post("/sign-out/")
    assert response["Location"] == "/sign-in/"
    replay = Client()
    replay.cookies["sessionid"] = stolen_cookie
    assert replay.get("/").status_code == 302


def test_sign_out_needs_post(make_user):
    client = sign_in(Client(), make_user("officer"))
    assert client.get("/sign-out/").status_code == 405
    assert client.get("/").status_code == 200


def test_disabling_a_user_ends_their_sessions_at_once(make_user):
    admin = make_user("force_admin")
    victim = make_user("officer")
    victim_client = sign_in(Client(), victim)
    assert victim_client.get("/").status_code == 200
    services.staff_set_active(
        actor=services.actor_for(admin), user_id=victim.pk, active=False, version=victim.version
    )
    assert victim_client.get("/").status_code == 302


def test_an_admin_can_end_all_sessions_of_a_user(make_user):
    admin_client = sign_in(Client(), make_user("force_admin"))
    target = make_user("officer")
    target_client = sign_in(Client(), target)
    response = admin_client.post(f"/staff/{target.pk}/end-sessions/")
    assert response.status_code == 302
    page = follow_to_sign_in(target_client, "/")
    assert MESSAGES["ended"] in page
    target.refresh_from_db()
    assert target.is_active


def test_a_role_change_applies_on_the_next_request(make_user):
    admin = make_user("force_admin")
    user = make_user("supervisor")
    client = sign_in(Client(), user)
    assert client.get("/staff/").status_code == 200
    services.staff_set_roles(
        actor=services.actor_for(admin), user_id=user.pk, roles=["officer"], version=user.version
    )
    assert client.get("/staff/").status_code == 403


def test_production_settings_harden_cookies(monkeypatch):
    import importlib

    for name, value in {
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "safeguard.example",
        "DATABASE_URL": "postgresql://app@db/safeguard",
        "EMAIL_HOST": "smtp.example",
    }.items():
        monkeypatch.setenv(name, value)
    production = importlib.import_module("config.settings.production")
    importlib.reload(production)
    assert production.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SESSION_COOKIE_AGE == 1800
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_settings_have_no_secret_defaults(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        importlib.reload(importlib.import_module("config.settings.production"))


def test_signed_in_pages_are_never_cached(make_user):
    client = sign_in(Client(), make_user("officer"))
    assert client.get("/")["Cache-Control"] == "no-store"
