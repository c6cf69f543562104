from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safeguard.core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit non-zero and name the first bad entry if broken."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN after {report.checked} good entries: {report.problem}"
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries verified.")
