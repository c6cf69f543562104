from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.accounts.services import api_token_create
from safeguard.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it once (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="created from the command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']!r}.")
        try:
            _, raw = api_token_create(
                actor=None, user=user, name=options["name"], now=timezone.now()
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)
