"""Password reset by email: written to the outbox in the request, sent by the worker over SMTP."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.core.models import OutboxMessage
from safeguard.core.outbox import outbox_deliver_due

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-and-long-passphrase"


def deliver() -> None:
    """Deliver the due outbox rows as the worker does, over the real local SMTP server."""
    report = outbox_deliver_due(now=timezone.now())
    assert report.retrying == 0
    assert report.dead == 0


def test_reset_link_arrives_by_smtp_and_sets_a_new_password(make_user, smtp_server):
    user = make_user("officer", email="reset.me@police.example")
    client = Client()
    response = client.post("/password-reset/", {"email": "reset.me@police.example"})
    assert response["Location"] == "/password-reset/sent/"
    assert smtp_server.messages == []  # nothing is sent inside the request
    row = OutboxMessage.objects.get()
    assert row.channel == OutboxMessage.Channel.EMAIL
    assert row.status == OutboxMessage.Status.QUEUED
    assert row.to_address == "reset.me@police.example"
    assert row.recipient_user_id == user.pk
    assert user.force_id is not None
    assert row.force_id == user.force_id
    deliver()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "reset.me@police.example"
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    # Nothing is due any more: the email arrives once.
    deliver()
    assert len(smtp_server.messages) == 1
    assert message["Subject"] == "Reset your Safeguard password"
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", message.get_payload()).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert b"This link has expired" in again.content


def test_unknown_address_gets_the_same_answer_and_no_email(smtp_server):
    response = Client().post("/password-reset/", {"email": "nobody@police.example"})
    assert response["Location"] == "/password-reset/sent/"
    assert not OutboxMessage.objects.exists()
    deliver()
    assert smtp_server.messages == []


def test_invalid_address_gets_a_form_error():
    response = Client().post("/password-reset/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a valid email address" in response.content


def test_weak_new_password_is_refused_and_the_old_one_kept(make_user, smtp_server):
    user = make_user("officer", email="weak@police.example")
    client = Client()
    client.post("/password-reset/", {"email": "weak@police.example"})
    deliver()
    link = re.search(
        r"http://testserver(/password-reset/\S+/\S+/)", smtp_server.messages[0].get_payload()
    ).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert b"This password is too short" in response.content
    user.refresh_from_db()
    assert not user.check_password("short")
    assert User.objects.get(pk=user.pk).password == user.password
