"""The Undelivered messages page (force admins) and the Alerts page (everybody's own)."""

import pytest
from django.db import transaction
from django.utils import timezone

from safeguard.core.models import OutboxMessage
from safeguard.core.outbox import outbox_enqueue
from safeguard.core.permissions import Role

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def enqueue(**kwargs):
    with transaction.atomic():
        return outbox_enqueue(
            subject="Case overdue", body="Overdue by 40 minutes", now=timezone.now(), **kwargs
        )


def test_a_force_admin_sees_dead_and_retrying_messages_of_their_force_and_retries_one(
    admin_client, force, other_force
):
    dead = enqueue(channel="email", to_address="dsl@school.example", force_id=force.pk)
    retrying = enqueue(channel="email", to_address="b@school.example", force_id=force.pk)
    foreign = enqueue(channel="email", to_address="c@school.example", force_id=other_force.pk)
    OutboxMessage.objects.filter(pk__in=[dead.pk, foreign.pk]).update(
        status=Status.DEAD, attempts=1, last_error="Recipient refused: 550 No such mailbox"
    )
    OutboxMessage.objects.filter(pk=retrying.pk).update(
        status=Status.FAILED_RETRYING, attempts=2, last_error="Mail server unreachable"
    )

    page = admin_client.get("/admin/undelivered-messages/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "550 No such mailbox" in html and "Mail server unreachable" in html
    assert "c@school.example" not in html  # another force's message
    assert html.count("Retry<span") == 1  # only the dead message has the button

    response = admin_client.post(f"/admin/undelivered-messages/{dead.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == "/admin/undelivered-messages/"
    assert OutboxMessage.objects.get(pk=dead.pk).status == Status.QUEUED
    assert admin_client.post(f"/admin/undelivered-messages/{foreign.pk}/retry/").status_code == 404
    assert OutboxMessage.objects.get(pk=foreign.pk).status == Status.DEAD


def test_officers_cannot_see_or_retry_undelivered_messages(officer_client, force):
    message = enqueue(channel="email", to_address="a@school.example", force_id=force.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.DEAD)
    assert officer_client.get("/admin/undelivered-messages/").status_code == 403
    assert (
        officer_client.post(f"/admin/undelivered-messages/{message.pk}/retry/").status_code == 403
    )
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.DEAD


def test_alerts_lists_my_alerts_newest_first_and_marks_one_read(make_client, force):
    client = make_client(Role.OFFICER)
    me = client.user
    enqueue(channel="alert", recipient_user_id=me.pk, force_id=force.pk, link="/cases/1/")
    newest = enqueue(channel="alert", recipient_user_id=me.pk, force_id=force.pk)
    OutboxMessage.objects.filter(pk=newest.pk).update(subject="Newest alert")
    someone_else = enqueue(channel="alert", recipient_user_id=me.pk + 999, force_id=force.pk)
    OutboxMessage.objects.filter(pk=someone_else.pk).update(subject="Not mine")

    html = client.get("/alerts/").content.decode()
    assert "Not mine" not in html
    assert html.index("Newest alert") < html.index("Case overdue")
    assert html.count("Mark as read") == 2

    assert client.post(f"/alerts/{newest.pk}/read/").status_code == 302
    assert OutboxMessage.objects.get(pk=newest.pk).read_at is not None
    assert client.get("/alerts/").content.decode().count("Mark as read") == 1
    assert client.post(f"/alerts/{someone_else.pk}/read/").status_code == 404
