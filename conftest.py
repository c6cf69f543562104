"""Shared fixtures: forces and units, users and signed-in clients named by role, SMTP, API."""

import socket
from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.test import Client
from django.utils import timezone

from safeguard.accounts.models import Force, Unit, User
from safeguard.accounts.services import api_token_create
from safeguard.core.permissions import Role
from tests.factories import ForceFactory, UnitFactory, UserFactory
from tests.helpers import sign_in


@pytest.fixture
def force() -> Force:
    return ForceFactory(name="Home Force", code="home")


@pytest.fixture
def other_force() -> Force:
    return ForceFactory(name="Neighbouring Force", code="neighbour")


@pytest.fixture
def unit(force: Force) -> Unit:
    return UnitFactory(force=force, name="Child Abuse Investigation Unit")


@pytest.fixture
def other_unit(force: Force) -> Unit:
    return UnitFactory(force=force, name="Response Team South")


@pytest.fixture
def foreign_unit(other_force: Force) -> Unit:
    return UnitFactory(force=other_force, name="Foreign Unit")


@pytest.fixture
def make_user(force: Force, unit: Unit) -> Callable[..., User]:
    def make(*roles: str, **kwargs: object) -> User:
        kwargs.setdefault("force", force)
        kwargs.setdefault("units", [unit])
        return UserFactory(roles=list(roles) or [Role.OFFICER], **kwargs)

    return make


@pytest.fixture
def make_client(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(*roles: str, **kwargs: object) -> Client:
        client = Client()
        client.user = make_user(*roles, **kwargs)  # type: ignore[attr-defined]
        return sign_in(client, client.user)  # type: ignore[attr-defined]

    return make


def _role_client(role: Role) -> Callable[..., Client]:
    @pytest.fixture
    def fixture(make_client: Callable[..., Client]) -> Client:
        return make_client(role)

    return fixture


officer_client = _role_client(Role.OFFICER)
investigator_client = _role_client(Role.INVESTIGATOR)
supervisor_client = _role_client(Role.SUPERVISOR)
inspector_client = _role_client(Role.DUTY_INSPECTOR)
custody_client = _role_client(Role.CUSTODY_OFFICER)
auditor_client = _role_client(Role.AUDITOR)
analyst_client = _role_client(Role.ANALYST)
partner_client = _role_client(Role.PARTNER)
admin_client = _role_client(Role.FORCE_ADMIN)


@pytest.fixture
def make_api_client() -> Callable[[User], Client]:
    """A client that calls the API with a real personal access token of the user."""

    def make(user: User) -> Client:
        _, raw = api_token_create(actor=None, user=user, name="test", now=timezone.now())
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[object] = []
        sink = self

        class Handler(Message):
            def handle_message(self, message: object) -> None:
                sink.messages.append(message)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp_server(settings: object) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.controller.start()
    # The test runner swaps in an in-memory backend; these tests use real SMTP instead.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = sink.port  # type: ignore[attr-defined]
    try:
        yield sink
    finally:
        sink.controller.stop()
