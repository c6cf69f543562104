"""The audit chain: written with the change, refused by the database if edited, and verified."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safeguard.accounts import services
from safeguard.accounts.models import RoleGrant
from safeguard.core.audit import audit_record, audit_verify_chain
from safeguard.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def write_entries(n: int) -> None:
    for i in range(n):
        audit_record(
            actor=None, username="tester", action=AuditAction.VIEW, object_type="user", object_id=i
        )


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def disable_protection() -> None:
    """What an attacker with DDL rights would do first; rolled back with the test."""
    if connection.vendor == "postgresql":
        execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    else:
        execute("DROP TRIGGER core_auditentry_no_update")
        execute("DROP TRIGGER core_auditentry_no_delete")


def test_an_untouched_chain_verifies():
    write_entries(5)
    report = audit_verify_chain()
    assert report.ok
    assert report.checked == AuditEntry.objects.count() == 5


def test_each_entry_links_to_the_one_before():
    write_entries(3)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash


@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_auditentry SET actor_username = 'mallory'", "DELETE FROM core_auditentry"],
)
def test_the_database_refuses_updates_and_deletes(statement):
    write_entries(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        execute(statement)
    assert audit_verify_chain().ok
    assert AuditEntry.objects.filter(actor_username="tester").count() == 2


def test_an_altered_entry_is_named():
    write_entries(5)
    disable_protection()
    execute("UPDATE core_auditentry SET actor_username = 'mallory' WHERE seq = 3")
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 3
    assert report.problem == "entry #3 was altered: its content does not match its hash"


def test_an_altered_entry_with_a_recomputed_hash_is_caught_by_the_next_link():
    write_entries(5)
    disable_protection()
    execute("UPDATE core_auditentry SET entry_hash = %s WHERE seq = 3", ["f" * 64])
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 3


def test_a_deleted_entry_is_named():
    write_entries(5)
    disable_protection()
    execute("DELETE FROM core_auditentry WHERE seq = 2")
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.problem == "entry #2 is missing: it was deleted"


def test_deleting_the_newest_entries_is_caught_by_the_chain_head():
    write_entries(5)
    disable_protection()
    execute("DELETE FROM core_auditentry WHERE seq >= 4")
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 4


def test_reordered_entries_are_named():
    write_entries(5)
    disable_protection()
    execute("UPDATE core_auditentry SET seq = 1000 WHERE seq = 2")
    execute("UPDATE core_auditentry SET seq = 2 WHERE seq = 4")
    execute("UPDATE core_auditentry SET seq = 4 WHERE seq = 1000")
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.problem == "entry #2 is out of place: entries were reordered"


def test_verify_audit_command_exit_status():
    write_entries(3)
    call_command("verify_audit")
    disable_protection()
    execute("UPDATE core_auditentry SET object_id = '999' WHERE seq = 1")
    with pytest.raises(CommandError, match="entry #1 was altered"):
        call_command("verify_audit")


def test_an_entry_commits_and_rolls_back_with_its_change(make_user, force):
    admin = make_user("force_admin")
    target = make_user("officer")
    actor = services.actor_for(admin)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.staff_set_roles(
            actor=actor, user_id=target.pk, roles=["auditor"], version=target.version
        )
        raise RuntimeError("the request failed after the service ran")
    assert AuditEntry.objects.count() == before
    assert list(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == ["officer"]
    services.staff_set_roles(
        actor=actor, user_id=target.pk, roles=["auditor"], version=target.version
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.changed_fields) == (
        "update",
        str(target.pk),
        ["roles"],
    )
    assert entry.actor_username == admin.username
    assert entry.force_id == force.pk
    assert audit_verify_chain().ok


def test_entries_record_field_names_never_free_text_values(make_user):
    admin = make_user("force_admin")
    target = make_user("officer")
    services.staff_set_active(
        actor=services.actor_for(admin), user_id=target.pk, active=False, version=target.version
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.changed_fields == ["is_active", "session_epoch"]
    assert target.username not in str(entry.changed_fields)
