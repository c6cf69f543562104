from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeguard.cases"
    label = "cases"
    verbose_name = "Child protection cases"

    def ready(self) -> None:
        # Lists and messages in core (clock rows, escalation emails) name a case as people do.
        from safeguard.cases.selectors import case_record_labels
        from safeguard.core.clocks import labeller_register

        labeller_register("case", case_record_labels)
