from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguard.accounts"
    label = "accounts"
    verbose_name = "Forces, units and staff"

    def ready(self) -> None:
        # The clock sweeper asks who to tell; staff and their roles are known here.
        from safeguard.accounts.selectors import escalation_recipients
        from safeguard.core.clocks import resolver_register

        resolver_register(escalation_recipients)
