"""Sign-in with a password and a TOTP code, lock-out, and user enumeration (battery rows 7-8)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts import services
from safeguard.accounts.views import LOCKED, WRONG_CODE
from safeguard.core.models import AuditEntry
from tests.factories import TEST_PASSWORD
from tests.helpers import totp_now

pytestmark = pytest.mark.django_db


def post_password(client: Client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def post_code(client: Client, code: str):
    return client.post("/sign-in/code/", {"code": code})


def normalise(html: bytes) -> str:
    """Drop what differs between any two renders (CSRF tokens), keep what a user sees."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", html.decode())


def test_password_then_code_signs_in_and_rotates_the_session(make_user):
    user = make_user("officer")
    client = Client()
    client.get("/sign-in/")
    first = post_password(client, user.username)
    assert first.status_code == 302
    assert first["Location"] == "/sign-in/code/"
    password_step_key = client.session.session_key
    # Half signed-in: every page still leads back to the code step.
    assert client.get("/").headers["Location"] == "/sign-in/code/"
    done = post_code(client, totp_now(TOTPDevice.objects.get(user=user)))
    assert done.status_code == 302
    # Signing in leads to the role's main page (an officer's is My work).
    assert done["Location"] == "/start/"
    assert client.get("/start/")["Location"] == "/"
    assert client.session.session_key != password_step_key
    assert b"You have no work assigned" in client.get("/").content
    actions = list(
        AuditEntry.objects.filter(actor_username=user.username).values_list("action", flat=True)
    )
    assert "sign_in" in actions


def test_next_is_followed_only_within_the_site(make_user):
    user = make_user("force_admin")
    client = Client()
    post_password(client, user.username, QUERY_STRING="next=/staff/")
    client.post("/sign-in/?next=/staff/", {"username": user.username, "password": TEST_PASSWORD})
    assert post_code(client, totp_now(user.totpdevice_set.get()))["Location"] == "/staff/"
    evil = Client()
    evil.post(
        "/sign-in/?next=https://evil.example/",
        {"username": user.username, "password": TEST_PASSWORD},
    )
    response = post_code(evil, totp_now(user.totpdevice_set.get(), offset_steps=1))
    assert response["Location"] == "/start/"


def test_wrong_password_and_unknown_user_get_the_same_answer(make_user):
    user = make_user("officer")
    wrong = post_password(Client(), user.username, "not-the-password-at-all")
    unknown = post_password(Client(), "nobody-by-this-name", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 200
    assert b"Enter a correct username and password" in wrong.content
    assert normalise(wrong.content).replace(user.username, "X") == normalise(
        unknown.content
    ).replace("nobody-by-this-name", "X")
    assert "_auth_user_id" not in Client().session


def test_empty_form_names_each_missing_field():
    response = Client().post("/sign-in/", {"username": "", "password": ""})
    assert b"There is a problem" in response.content
    assert b'href="#id_username">Enter your username' in response.content
    assert b'href="#id_password">Enter your password' in response.content


def test_fifth_failure_locks_and_the_right_password_is_refused_while_locked(make_user):
    user = make_user("officer")
    client = Client()
    for _ in range(4):
        assert post_password(client, user.username, "wrong-password-guess").status_code == 200
    fifth = post_password(client, user.username, "wrong-password-guess")
    assert fifth.status_code == 403
    assert LOCKED.encode() in fifth.content
    right = post_password(Client(), user.username)
    assert right.status_code == 403
    assert LOCKED.encode() in right.content
    assert "_auth_user_id" not in right.client.session if hasattr(right, "client") else True
    assert AuditEntry.objects.filter(action="locked_out", actor_username=user.username).exists()


def test_an_unknown_username_locks_the_same_way(make_user):
    client = Client()
    for _ in range(5):
        last = post_password(client, "ghost-user", "wrong-password-guess")
    assert last.status_code == 403
    assert LOCKED.encode() in last.content


def test_the_lock_lifts_after_fifteen_minutes(make_user):
    user = make_user("officer")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            post_password(Client(), user.username, "wrong-password-guess")
        assert post_password(Client(), user.username).status_code == 403
        clock.shift(timedelta(minutes=16))
        assert post_password(Client(), user.username).status_code == 302


def test_wrong_codes_count_towards_the_lock(make_user):
    user = make_user("officer")
    client = Client()
    assert post_password(client, user.username).status_code == 302
    for _ in range(4):
        response = post_code(client, "000000")
        assert WRONG_CODE.encode() in response.content
    locked = post_code(client, "000000")
    assert locked.status_code == 403
    assert LOCKED.encode() in locked.content
    assert post_password(Client(), user.username).status_code == 403


def test_a_code_can_be_used_only_once(make_user):
    user = make_user("officer")
    device = TOTPDevice.objects.get(user=user)
    with time_machine.travel(timezone.now(), tick=False):
        code = totp_now(device)
        first = Client()
        post_password(first, user.username)
        assert post_code(first, code).status_code == 302
        second = Client()
        post_password(second, user.username)
        replay = post_code(second, code)
        assert replay.status_code == 200
        assert WRONG_CODE.encode() in replay.content


def test_malformed_code_gets_a_clear_message(make_user):
    user = make_user("officer")
    client = Client()
    post_password(client, user.username)
    response = post_code(client, "12ab")
    assert b"The code must be 6 digits" in response.content


def test_a_user_without_an_authenticator_must_set_one_up(make_user):
    user = make_user("officer", totp=False)
    client = Client()
    response = post_password(client, user.username)
    assert response["Location"] == "/sign-in/set-up-authenticator/"
    page = client.get("/sign-in/set-up-authenticator/")
    assert b"Set up your authenticator app" in page.content
    assert client.get("/").headers["Location"] == "/sign-in/code/"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert post_code(client, "000000").status_code == 302  # code page sends them back to set-up
    done = client.post("/sign-in/set-up-authenticator/", {"code": totp_now(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2(settings, force):
    from config.settings.base import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
    user = services.staff_create(
        actor=None,
        force=force,
        username="newcomer",
        password="a-long-enough-passphrase-for-sure",
        first_name="New",
        last_name="Comer",
        email="new@police.example",
        roles=["officer"],
    )
    assert identify_hasher(user.password).algorithm == "argon2"


def test_short_or_common_passwords_are_refused(force):
    from safeguard.core.errors import DomainError

    for weak in ("short-pass", "yfdbufnjh10305070"):  # too short; on the common-password list
        with pytest.raises(DomainError) as error:
            services.staff_create(
                actor=None,
                force=force,
                username=f"u{len(weak)}",
                password=weak,
                first_name="A",
                last_name="B",
                email="a@b.example",
                roles=["officer"],
            )
        assert error.value.code == "weak_password"


def test_an_admin_can_release_a_lock_out(make_user, admin_client):
    user = make_user("officer")
    for _ in range(5):
        post_password(Client(), user.username, "wrong-password-guess")
    assert post_password(Client(), user.username).status_code == 403
    page = admin_client.post(f"/staff/{user.pk}/unlock/", follow=True)
    assert b"Sign-in unlocked" in page.content
    assert post_password(Client(), user.username).status_code == 302
    assert AuditEntry.objects.filter(reason_code="unlocked", object_id=str(user.pk)).exists()
