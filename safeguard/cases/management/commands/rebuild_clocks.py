"""Derive every open case's clocks afresh from its stored times (after an import, a policy
change, or data loaded without the services), then the clocks of other records whose contexts
registered a rebuilder (core.clocks.REBUILDERS: Operation Encompass notifications). Safe to run
again: clocks are derived."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from safeguard.cases.models import Case
from safeguard.cases.services import case_clocks_rederive
from safeguard.core.clocks import REBUILDERS


class Command(BaseCommand):
    help = "Re-derive the clocks of open cases and other running records (all, or one force's)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force-id", type=int, default=None)
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        cases = Case.objects.exclude(status="closed").order_by("pk")
        if options["force_id"]:
            cases = cases.filter(force_id=options["force_id"])
        now = timezone.now()
        done, last = 0, 0
        while True:
            batch = list(cases.filter(pk__gt=last)[: options["batch_size"]])
            if not batch:
                break
            with transaction.atomic():
                for case in batch:
                    case_clocks_rederive(case, now)
            done += len(batch)
            last = batch[-1].pk
        self.stdout.write(f"Clocks re-derived for {done:,} open cases.")
        for object_type, rebuild in sorted(REBUILDERS.items()):
            count = rebuild(options["force_id"], now)
            self.stdout.write(f"Clocks re-derived for {count:,} records of type {object_type}.")
