from django.http import HttpRequest

from safeguard.core.permissions import Permission
from safeguard.frontend.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, object]:
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"navigation": []}
    section = getattr(request, "nav_section", "")
    return {
        "navigation": navigation_for(actor, section),
        "actor": actor,
        "can_quick_find": actor.can(Permission.PERSON_VIEW),
    }
