from django.urls import path

from safeguard.frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("shared-with-me/", views.shared_with_me, name="shared_with_me"),
    path("team/", views.team, name="team"),
    path("duty/", views.duty, name="duty"),
    path("find/", views.quick_find, name="quick_find"),
]
