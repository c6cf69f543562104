"""Per-request context that the audit log reads: the request id and the client address."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served, or a fresh one for work outside a request."""
    return request_id_var.get() or f"job-{uuid.uuid4().hex}"
