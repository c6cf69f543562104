from django.apps import AppConfig


class DomesticAbuseConfig(AppConfig):
    name = "safeguard.domestic_abuse"
    label = "domestic_abuse"
    verbose_name = "Domestic abuse"

    def ready(self) -> None:
        # The incident's clocks ride on its case, beside the case's own.
        from safeguard.core.clocks import deriver_register
        from safeguard.domestic_abuse.clocks import incident_clocks

        deriver_register("case", incident_clocks)
