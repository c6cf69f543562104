from django.urls import path

from safeguard.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.person_search, name="person_search"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/addresses/new/", views.address_new, name="address_new"),
    path("people/<int:person_id>/markers/", views.markers_edit, name="markers_edit"),
    path("people/<int:person_id>/aliases/new/", views.alias_new, name="alias_new"),
    path(
        "people/<int:person_id>/relationships/new/",
        views.relationship_new,
        name="relationship_new",
    ),
]
# The download of the search results (docs/exports.md).
urlpatterns += [path("people/export/", views.person_search_export, name="person_search_export")]
