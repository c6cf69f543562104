from django.urls import path

from safeguard.frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("start/", views.landing, name="landing"),
    path("shared-with-me/", views.shared_with_me, name="shared_with_me"),
    path("team/", views.team, name="team"),
    path("duty/", views.duty, name="duty"),
    path("find/", views.quick_find, name="quick_find"),
]
# Downloads of the work lists (docs/exports.md).
urlpatterns += [
    path("export/my-work/", views.my_work_export, name="my_work_export"),
    path("team/export/", views.team_export, name="team_export"),
    path("duty/export/", views.duty_export, name="duty_export"),
]
