"""Every write partners makes goes through the unit of work: one audit entry per change, and
nothing when nothing changed."""

from datetime import UTC, datetime, time

import pytest

from safeguard.accounts.services import actor_for
from safeguard.core.errors import DomainError, NotFound, PermissionDenied
from safeguard.core.models import AuditEntry
from safeguard.partners import services
from safeguard.partners.models import KeyAdult, School

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.fixture
def school() -> School:
    return School.objects.create(
        urn="100000",
        name="Oak Primary School",
        la_code="383",
        la_name="Leeds",
        phase="Primary",
        status="Open",
        postcode="LS6 2AB",
        updated_at=NOW,
    )


def trail(object_type: str, object_id: object) -> list[tuple[str, list[str]]]:
    return list(
        AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
        .order_by("seq")
        .values_list("action", "changed_fields")
    )


def add(actor, **kwargs) -> KeyAdult:
    values = {"urn": "100000", "name": "Jo Lead", "role": "dsl", "secure_email": "jo@oak.gov.uk"}
    return services.key_adult_add(actor=actor, now=NOW, **(values | kwargs))


def test_a_key_adult_is_added_removed_and_brought_back_each_audited(make_user, school):
    admin = actor_for(make_user("force_admin"))
    adult = add(admin)
    with pytest.raises(DomainError, match="already a key adult"):
        add(admin, name="Jo Again")
    services.key_adult_deactivate(actor=admin, key_adult_id=adult.pk, now=NOW)
    services.key_adult_deactivate(actor=admin, key_adult_id=adult.pk, now=NOW)
    back = add(admin, role="deputy")
    assert back.pk == adult.pk and back.active and back.role == "deputy"
    assert trail("key_adult", adult.pk) == [
        ("create", []),
        ("update", ["active"]),
        ("update", ["active", "role"]),
    ]


def test_a_key_adult_of_another_force_is_not_found(make_user, school, other_force):
    admin = actor_for(make_user("force_admin"))
    other = KeyAdult.objects.create(
        force=other_force,
        school=school,
        name="Other",
        role="dsl",
        secure_email="o@oak.gov.uk",
        added_at=NOW,
    )
    with pytest.raises(NotFound):
        services.key_adult_deactivate(actor=admin, key_adult_id=other.pk, now=NOW)
    assert trail("key_adult", other.pk) == []


def test_a_start_time_change_is_audited_once_and_stamped(make_user, school):
    admin = actor_for(make_user("force_admin"))
    later = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    services.school_start_time_set(actor=admin, urn="100000", day_starts_at=time(9, 5), now=later)
    services.school_start_time_set(actor=admin, urn="100000", day_starts_at=time(9, 5), now=later)
    school.refresh_from_db()
    assert (school.day_starts_at, school.updated_at) == (time(9, 5), later)
    assert trail("school", school.pk) == [("update", ["day_starts_at"])]
    with pytest.raises(NotFound):
        services.school_start_time_set(actor=admin, urn="999999", day_starts_at=time(9), now=NOW)
    with pytest.raises(PermissionDenied):
        services.school_start_time_set(
            actor=actor_for(make_user("officer")), urn="100000", day_starts_at=time(8), now=NOW
        )
    assert len(trail("school", school.pk)) == 1
