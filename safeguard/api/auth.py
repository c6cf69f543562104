"""Bearer-token authentication that builds the same Actor as the pages."""

from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from safeguard.accounts.services import actor_for, api_token_authenticate
from safeguard.core.views import ActorRequest


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token, now=timezone.now())
        if user is None or user.force_id is None:
            return None
        request.user = user
        # The token check is the API's gate: from here an operation's request is an ActorRequest.
        cast(ActorRequest, request).actor = actor_for(user, channel="api")
        return user
