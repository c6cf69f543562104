from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Synthetic data for demos and benchmarks. It writes every context's tables, so it sits
    above them all and nothing imports it."""

    name = "safeguard.synthetic"
    label = "synthetic"
    verbose_name = "Synthetic data"
