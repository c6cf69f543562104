from django.urls import path

from safeguard.encompass import views

app_name = "encompass"
urlpatterns = [
    # The Operation Encompass desk (ENCOMPASS_MANAGE).
    path("encompass/", views.desk, name="desk"),
    path("encompass/compliance/", views.compliance, name="compliance"),
    path(
        "encompass/notifications/<int:notification_id>/",
        views.notification,
        name="notification",
    ),
    path(
        "encompass/notifications/<int:notification_id>/send/",
        views.notification_send,
        name="notification_send",
    ),
    path(
        "encompass/notifications/<int:notification_id>/retry/",
        views.notification_retry,
        name="notification_retry",
    ),
    path(
        "encompass/notifications/<int:notification_id>/other-route/",
        views.notification_other_route,
        name="notification_other_route",
    ),
    path(
        "encompass/notifications/<int:notification_id>/resolve/",
        views.notification_resolve,
        name="notification_resolve",
    ),
    # A school's key adult (ENCOMPASS_RECEIVE): only what was disclosed to them. The email's
    # link is /encompass/received/<id>/ (services.notification_send).
    path("encompass/received/", views.received_list, name="received_list"),
    path("encompass/received/<int:notification_id>/", views.received, name="received"),
    path(
        "encompass/received/<int:notification_id>/acknowledge/",
        views.received_acknowledge,
        name="received_acknowledge",
    ),
    path(
        "encompass/received/<int:notification_id>/action/",
        views.received_action,
        name="received_action",
    ),
]
# The download of the desk (docs/exports.md).
urlpatterns += [path("encompass/export/", views.desk_export, name="desk_export")]
