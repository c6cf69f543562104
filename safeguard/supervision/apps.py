from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "safeguard.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        # The case clocks are kept here, where the force's intervals are; cases asks core to
        # re-derive a case's clocks after each change without knowing who keeps them.
        from safeguard.core.clocks import deriver_register
        from safeguard.supervision.clocks import case_clocks

        deriver_register("case", case_clocks)
