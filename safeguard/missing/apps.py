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

        # A warning marker on people's results: missing count in the last 90 days.
        from safeguard.missing.selectors import missing_count_markers
        from safeguard.people.selectors import marker_source_register

        marker_source_register("missing.count_90_days", missing_count_markers)
