"""import_term_dates FORCE_CODE NAME (--la CODE | --urn URN) FILE.csv --user USERNAME"""

from datetime import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeguard.accounts.models import Force, User
from safeguard.accounts.services import actor_for
from safeguard.core.errors import DomainError
from safeguard.partners.services import term_calendar_import


class Command(BaseCommand):
    help = (
        "Import a local authority's (--la) or a school's (--urn) term dates from a CSV with the "
        "header term,first_day,last_day, replacing that calendar's terms. Nothing is saved if "
        "the file has any problem; every problem is printed with its line number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("force_code")
        parser.add_argument("name")
        whose = parser.add_mutually_exclusive_group(required=True)
        whose.add_argument("--la", default="", help="local authority code")
        whose.add_argument("--urn", default="", help="the school's URN")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", required=True, help="the force admin doing the import (for the audit log)"
        )
        parser.add_argument("--day-starts-at", default="", help="HH:MM, default 08:30")

    def handle(self, *args: Any, **options: Any) -> None:
        force = Force.objects.filter(code=options["force_code"]).first()
        if force is None:
            raise CommandError(f"No force with the code {options['force_code']!r}.")
        user = User.objects.filter(username=options["user"], is_active=True, force=force).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r} in {force.name}.")
        starts = None
        if options["day_starts_at"]:
            try:
                starts = time.fromisoformat(options["day_starts_at"])
            except ValueError:
                raise CommandError("--day-starts-at must be a time such as 08:30.") from None
        try:
            csv_text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        try:
            calendar = term_calendar_import(
                actor=actor_for(user, channel="cli"),
                name=options["name"],
                la_code=options["la"],
                school_urn=options["urn"],
                csv_text=csv_text,
                now=timezone.now(),
                day_starts_at=starts,
            )
        except DomainError as error:
            self.stderr.write(error.message)
            raise CommandError("Nothing was imported.") from error
        count = calendar.terms.count()
        self.stdout.write(f"Imported {count} terms into {calendar.name!r}.")
