import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.accounts.demo import DEMO_FORCE
from safeguard.core.calendars import london_date
from safeguard.synthetic.demo import demo_supervisor_inbox
from safeguard.synthetic.generator import DEFAULT_UNTIL, Plan
from safeguard.synthetic.volumes import CASE_TYPES
from safeguard.synthetic.writer import anchor, generate


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate synthetic people, households and child protection cases for a force: "
        "a force-year's volume per year (about 17,000 cases), the same data for the same seed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--force-years", type=_positive, default=1, help="years of cases")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force", default=DEMO_FORCE[1], help="force code (created if it does not exist)"
        )
        parser.add_argument("--batch-size", type=_positive, default=5000)
        parser.add_argument(
            "--cases", type=_positive, default=None, help="at most this many cases, spread evenly"
        )
        parser.add_argument(
            "--until",
            default=london_date(DEFAULT_UNTIL).isoformat(),
            help="the cases end here (YYYY-MM-DD); the data never depends on today's date",
        )
        parser.add_argument(
            "--case-types",
            default="",
            help="only these case types, comma-separated, each at its own yearly volume "
            f"(of: {', '.join(CASE_TYPES)}); the exploitation cases that missing episodes' "
            "triggers raise come too",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the force already has cases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            until = anchor(options["until"])
        except ValueError as error:
            raise CommandError(f"--until must be a date like 2026-11-01: {error}") from None
        types = tuple(t.strip() for t in options["case_types"].split(",") if t.strip())
        unknown = sorted(set(types) - set(CASE_TYPES))
        if unknown:
            raise CommandError(f"--case-types: no such case type {', '.join(unknown)}")
        plan = Plan(
            seed=options["seed"],
            force_years=options["force_years"],
            until=until,
            max_cases=options["cases"],
            batch_size=options["batch_size"],
            case_types=types,
        )
        began = time.perf_counter()
        result = generate(
            force_code=options["force"],
            plan=plan,
            if_empty=options["if_empty"],
            progress=not options["quiet"],
        )
        if result.force.code == DEMO_FORCE[1]:
            # The demo supervisor always has referrals to allocate (synthetic/demo.py).
            added = demo_supervisor_inbox(result.force, timezone.now())
            if added:
                self.stdout.write(f"{added} referrals wait for the demo supervisor to allocate.")
        if result.skipped:
            self.stdout.write(f"{result.force.name} already has cases: nothing generated.")
            return
        seconds = time.perf_counter() - began
        self.stdout.write(
            f"{result.force.name}: {result.cases:,} cases, {result.people:,} people, "
            f"{result.rows:,} rows in {result.batches} batches, {seconds:.1f} s "
            f"({result.rows / max(seconds, 1e-9):,.0f} rows/s, "
            f"{result.cases / max(seconds, 1e-9):,.0f} cases/s)"
        )
