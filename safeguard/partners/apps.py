from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "safeguard.partners"
    label = "partners"
    verbose_name = "Partners"
