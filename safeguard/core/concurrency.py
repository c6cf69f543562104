"""Optimistic concurrency: an edit names the version it read, and a stale one is refused."""

from typing import Any

from django.db.models import F, Model

from safeguard.core.errors import Conflict


def update_versioned(
    instance: Model, *, expected_version: int, changes: dict[str, Any]
) -> list[str]:
    """Apply `changes` if the row is still at `expected_version`; return the changed field names.

    One UPDATE ... WHERE version = expected, so two writers can never both win.
    """
    model = type(instance)
    current = model._default_manager.filter(pk=instance.pk).values(*changes, "version").first()
    if current is None:
        raise Conflict("This record no longer exists.")
    if current["version"] != expected_version:
        raise Conflict(
            "Somebody else changed this record after you opened it. "
            "Check their changes, then make yours again.",
            {"current_version": current["version"]},
        )
    changed = [name for name, value in changes.items() if current[name] != value]
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        **changes, version=F("version") + 1
    )
    if updated == 0:
        raise Conflict("Somebody else changed this record at the same moment. Try again.")
    instance.refresh_from_db()
    return changed
