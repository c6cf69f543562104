"""The Actor: who is acting, for which force and units, in which roles. Built once per request."""

from dataclasses import dataclass, field

from safeguard.core.errors import PermissionDenied
from safeguard.core.permissions import Permission, Scope, scope_for


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    force_id: int
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    # "web" or "api": recorded in the audit log so a reader knows which door was used.
    channel: str = "web"

    def scope(self, permission: Permission) -> Scope | None:
        return scope_for(self.roles, permission)

    def can(self, permission: Permission) -> bool:
        return self.scope(permission) is not None

    def require(self, permission: Permission) -> Scope:
        """Return the actor's scope for the permission, or refuse."""
        scope = self.scope(permission)
        if scope is None:
            raise PermissionDenied()
        return scope
