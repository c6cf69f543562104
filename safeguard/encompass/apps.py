from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "safeguard.encompass"
    label = "encompass"
    verbose_name = "Operation Encompass"

    def ready(self) -> None:
        # The notification's clock (a registry of definitions). The notifications themselves
        # are made by the service recording an incident calling notifications_for_incident.
        from safeguard.core.clocks import (
            deriver_register,
            labeller_register,
            link_register,
            rebuilder_register,
        )
        from safeguard.core.delivery import delivery_listener_register
        from safeguard.encompass.clocks import notification_clocks, notification_clocks_rebuild
        from safeguard.encompass.selectors import DISCLOSURE, notification_record_labels
        from safeguard.encompass.services import notification_delivery

        deriver_register("encompass_notification", notification_clocks)
        rebuilder_register("encompass_notification", notification_clocks_rebuild)
        link_register("encompass_notification", "/encompass/notifications/{id}/")
        labeller_register("encompass_notification", notification_record_labels)
        # A notification counts as sent when the outbox delivers its email (core.delivery).
        delivery_listener_register(f"disclosure:{DISCLOSURE}", notification_delivery)
