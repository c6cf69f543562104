from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "safeguard.supervision"
    label = "supervision"
    verbose_name = "Supervision"
