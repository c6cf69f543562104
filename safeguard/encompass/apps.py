from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "safeguard.encompass"
    label = "encompass"
    verbose_name = "Operation Encompass"

    def ready(self) -> None:
        # A notification per child on each new incident, without domestic_abuse knowing us.
        from safeguard.core.clocks import deriver_register, link_register, rebuilder_register
        from safeguard.domestic_abuse.services import incident_hook_register
        from safeguard.encompass.clocks import notification_clocks, notification_clocks_rebuild
        from safeguard.encompass.services import notifications_for_incident

        deriver_register("encompass_notification", notification_clocks)
        rebuilder_register("encompass_notification", notification_clocks_rebuild)
        link_register("encompass_notification", "/encompass/notifications/{id}/")
        incident_hook_register(notifications_for_incident)
