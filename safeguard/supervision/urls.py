from django.urls import path

from safeguard.supervision import views

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.reviews_due, name="reviews_due"),
    path("cases/<int:case_id>/allocate/", views.allocate, name="allocate"),
    path("cases/<int:case_id>/reviews/new/", views.review_new, name="review_new"),
    path("cases/<int:case_id>/approve-closure/", views.closure_approve, name="closure_approve"),
    path("cases/<int:case_id>/return/", views.return_for_work, name="return_for_work"),
    path("cases/<int:case_id>/reopen/", views.reopen, name="reopen"),
    path("settings/supervision/", views.policy, name="policy"),
    path("settings/supervision/change/", views.policy_edit, name="policy_edit"),
]
