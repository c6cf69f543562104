from django.urls import path

from safeguard.partners import views

app_name = "partners"
urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/import/", views.school_import, name="school_import"),
    path("schools/<str:urn>/", views.school_detail, name="school_detail"),
    path("schools/<str:urn>/start-time/", views.school_start_time, name="school_start_time"),
    path("schools/<str:urn>/key-adults/add/", views.key_adult_add, name="key_adult_add"),
    path(
        "key-adults/<int:key_adult_id>/deactivate/",
        views.key_adult_deactivate,
        name="key_adult_deactivate",
    ),
]
