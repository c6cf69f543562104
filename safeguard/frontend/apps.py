from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "safeguard.frontend"
    label = "frontend"
    verbose_name = "Web shell"
