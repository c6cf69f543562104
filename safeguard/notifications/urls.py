from django.urls import path

from safeguard.notifications import views

app_name = "notifications"
urlpatterns = [
    path("admin/undelivered-messages/", views.undelivered, name="undelivered"),
    path(
        "admin/undelivered-messages/<int:message_id>/retry/",
        views.retry,
        name="retry",
    ),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:message_id>/read/", views.alert_read, name="alert_read"),
]
# The download of the alerts list (docs/exports.md).
urlpatterns += [path("alerts/export/", views.alerts_export, name="alerts_export")]
