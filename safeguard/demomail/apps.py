from django.apps import AppConfig


class DemoMailConfig(AppConfig):
    name = "safeguard.demomail"
    label = "demomail"
    verbose_name = "Demo mailbox"
