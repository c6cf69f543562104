from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "safeguard.missing"
    label = "missing"
    verbose_name = "Missing children"

    def ready(self) -> None:
        # A missing episode's six clocks ride on its case, beside the case's own.
        from safeguard.core.clocks import deriver_register
        from safeguard.missing.clocks import episode_clocks

        deriver_register("case", episode_clocks)
