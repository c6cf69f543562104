"""Bearer-token authentication that builds the same Actor as the pages."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from safeguard.accounts.services import actor_for, api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token, now=timezone.now())
        if user is None or user.force_id is None:
            return None
        request.user = user
        request.actor = actor_for(user, channel="api")  # type: ignore[attr-defined]
        return user
