"""import_gias PATH [--user USERNAME]: load the schools directory from a DfE GIAS CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.accounts.services import actor_for
from safeguard.partners.services import gias_import


class Command(BaseCommand):
    help = (
        "Add and update the schools directory from a DfE GIAS 'establishment fields' CSV "
        "(UTF-8 or Windows-1252), upserting by URN. Nothing is saved if the file has any "
        "problem; every problem is printed with its line number. Safe to run again: the report "
        "says what was added, updated (which fields) and unchanged, and how many schools in the "
        "directory were not in the file (left alone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--user",
            default="",
            help="the force admin doing the import, for the audit log (default: the operator)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
            actor = actor_for(user, channel="cli")
        try:
            content = options["path"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['path']}: {error}") from error
        report = gias_import(actor=actor, content=content, now=timezone.now())
        if not report.accepted:
            for line in report.lines():
                self.stderr.write(line)
            raise CommandError("Nothing was imported.")
        for line in report.lines():
            self.stdout.write(line)
