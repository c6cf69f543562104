"""Scoping a queryset to what an actor may see: force first, then the role's scope."""

from typing import TypeVar

from django.db.models import Model, QuerySet

from safeguard.core.actor import Actor
from safeguard.core.models import Disclosure
from safeguard.core.permissions import Permission, Scope

M = TypeVar("M", bound=Model)


def _spans_many(model: type[Model], path: str) -> bool:
    """Whether a lookup path crosses a to-many relation (and so may repeat a row)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model  # type: ignore[assignment]
    return False


def scope_queryset(
    queryset: QuerySet[M],
    *,
    actor: Actor,
    permission: Permission,
    object_type: str,
    force_field: str = "force_id",
    unit_field: str | None = None,
    owner_field: str | None = None,
) -> QuerySet[M]:
    """Filter by the actor's force, then by the scope their roles give for the permission.

    A scope the model cannot express (no unit or owner field) yields nothing: deny by default.
    """
    scope = actor.require(permission)
    queryset = queryset.filter(**{force_field: actor.force_id})
    if scope == Scope.FORCE:
        return queryset
    if scope == Scope.UNIT and unit_field:
        mine = queryset.filter(**{f"{unit_field}__in": actor.unit_ids})
        # DISTINCT only where the path can repeat a row: over a plain foreign key it would make
        # the database de-duplicate every row of the unit for nothing.
        return mine.distinct() if _spans_many(queryset.model, unit_field) else mine
    if scope == Scope.OWN and owner_field:
        return queryset.filter(**{owner_field: actor.user_id})
    if scope == Scope.DISCLOSED:
        disclosed_ids = Disclosure.objects.filter(
            force_id=actor.force_id,
            recipient_id=actor.user_id,
            object_type=object_type,
            revoked_at__isnull=True,
        ).values_list("object_id", flat=True)
        return queryset.filter(pk__in=[int(pk) for pk in disclosed_ids])
    return queryset.none()


def scope_reaches(
    *,
    actor: Actor,
    permission: Permission,
    force_id: int | None,
    unit_ids: frozenset[int] = frozenset(),
    owner_id: int | None = None,
) -> bool:
    """The same rule as scope_queryset, for one record already in hand."""
    scope = actor.scope(permission)
    if scope is None or force_id != actor.force_id:
        return False
    if scope == Scope.FORCE:
        return True
    if scope == Scope.UNIT:
        return bool(unit_ids & actor.unit_ids)
    return scope == Scope.OWN and owner_id is not None and owner_id == actor.user_id
