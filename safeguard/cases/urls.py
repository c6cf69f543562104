from django.urls import path

from safeguard.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/timeline/", views.case_timeline, name="case_timeline"),
    path("cases/<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:case_id>/people/add/", views.case_add_person, name="case_add_person"),
    path("cases/<int:case_id>/decisions/new/", views.decision_new, name="decision_new"),
    path("cases/<int:case_id>/notes/new/", views.note_new, name="note_new"),
    path("cases/<int:case_id>/actions/new/", views.action_new, name="action_new"),
    path(
        "cases/<int:case_id>/actions/<int:action_id>/complete/",
        views.action_complete,
        name="action_complete",
    ),
    path("cases/<int:case_id>/voice/new/", views.voice_new, name="voice_new"),
    path("cases/<int:case_id>/triage/", views.case_triage, name="triage"),
    path(
        "cases/<int:case_id>/start-investigation/",
        views.case_start_investigation,
        name="start_investigation",
    ),
    path("cases/<int:case_id>/request-closure/", views.request_closure, name="request_closure"),
    # A merge of two records of one person moves their case records too: cases owns it.
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("people/<int:person_id>/chronology/", views.child_chronology, name="child_chronology"),
]
# Print and export (docs/exports.md).
urlpatterns += [
    path("cases/export/", views.case_list_export, name="case_list_export"),
    path("cases/<int:case_id>/summary.pdf", views.case_summary_pdf, name="case_summary_pdf"),
    path("cases/<int:case_id>/timeline.pdf", views.case_timeline_pdf, name="case_timeline_pdf"),
    path(
        "people/<int:person_id>/chronology.pdf",
        views.child_chronology_pdf,
        name="child_chronology_pdf",
    ),
]
