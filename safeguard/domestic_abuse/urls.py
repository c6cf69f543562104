from django.urls import path

from safeguard.domestic_abuse import views

app_name = "domestic_abuse"
urlpatterns = [
    # The triage unit's queue and its capacity.
    path("domestic-abuse/triage/", views.triage_queue, name="triage_queue"),
    path("domestic-abuse/triage/capacity/", views.triage_capacity, name="triage_capacity"),
    # Force policy: the domestic abuse times and the potential-escalation count.
    path("settings/domestic-abuse/", views.policy, name="policy"),
    path("settings/domestic-abuse/change/", views.policy_edit, name="policy_edit"),
    # One incident, from the attendance to DASH, MARAC and the secondary assessment.
    path("domestic-abuse/new/", views.record, name="record"),
    path("cases/<int:case_id>/domestic-abuse/", views.for_case, name="for_case"),
    path("domestic-abuse/<int:incident_id>/", views.detail, name="detail"),
    path("domestic-abuse/<int:incident_id>/dash/", views.dash, name="dash"),
    path("domestic-abuse/<int:incident_id>/marac/sent/", views.marac_send, name="marac_send"),
    path("domestic-abuse/<int:incident_id>/claim/", views.triage_claim, name="triage_claim"),
    path("domestic-abuse/<int:incident_id>/assign/", views.triage_assign, name="triage_assign"),
    path("domestic-abuse/<int:incident_id>/assess/", views.triage_complete, name="triage_complete"),
]
# The download of the triage queue (docs/exports.md).
urlpatterns += [
    path("domestic-abuse/triage/export/", views.triage_queue_export, name="triage_queue_export")
]
