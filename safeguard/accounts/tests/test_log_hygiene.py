"""Logs carry no passwords, codes or tokens, and user input cannot forge log lines (row 28)."""

import logging

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CANARY_PASSWORD = "canary-password-7f3a9c"


def test_sign_in_logs_no_secrets(make_user, caplog):
    from django.utils import timezone

    from safeguard.accounts.services import api_token_create

    user = make_user("officer")
    caplog.set_level(logging.DEBUG)
    client = Client()
    for _ in range(6):  # through the lock-out too
        client.post("/sign-in/", {"username": user.username, "password": CANARY_PASSWORD})
    client.post("/sign-in/", {"username": user.username, "password": TEST_PASSWORD})
    client.post("/sign-in/code/", {"code": "135791"})
    _, token = api_token_create(actor=None, user=user, name="canary", now=timezone.now())
    Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/staff/999999")
    Client(headers={"Authorization": f"Bearer {token}x"}).get("/api/v1/me")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (CANARY_PASSWORD, TEST_PASSWORD, "135791", token):
        assert secret not in logged


def test_crlf_in_a_path_cannot_forge_a_log_line(officer_client, caplog):
    caplog.set_level(logging.WARNING)
    officer_client.get("/no-such-page/%0d%0aFAKE%20ENTRY")
    for record in caplog.records:
        assert "\nFAKE ENTRY" not in record.getMessage()
        assert "\rFAKE ENTRY" not in record.getMessage()
