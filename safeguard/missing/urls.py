from django.urls import path

from safeguard.missing.views import episode, oversight

app_name = "missing"
urlpatterns = [
    # Oversight: the duty inspector's board, figures, a child's profile, force policy, and a
    # local authority's return home interview tasks (views/oversight.py).
    path("missing/", oversight.board, name="board"),
    path("missing/figures/", oversight.figures, name="figures"),
    path("people/<int:person_id>/missing/", oversight.child_profile, name="child_profile"),
    path("settings/missing/", oversight.policy, name="policy"),
    path("settings/missing/change/", oversight.policy_edit, name="policy_edit"),
    path("return-interviews/", oversight.interview_list, name="interview_list"),
    path(
        "return-interviews/<int:interview_id>/",
        oversight.interview_record,
        name="interview_record",
    ),
    # One episode, from report to return (views/episode.py).
    path("missing/report/", episode.report, name="report"),
    path("cases/<int:case_id>/missing/", episode.for_case, name="for_case"),
    path("missing/<int:episode_id>/", episode.detail, name="detail"),
    path("missing/<int:episode_id>/photo/", episode.photo, name="photo"),
    path("missing/<int:episode_id>/photo/add/", episode.photo_add, name="photo_add"),
    path("missing/<int:episode_id>/regrade/", episode.regrade, name="regrade"),
    path("missing/<int:episode_id>/review/", episode.supervisor_review, name="supervisor_review"),
    path("missing/<int:episode_id>/attended/", episode.attended, name="attended"),
    path("missing/<int:episode_id>/risk-review/", episode.risk_review, name="risk_review"),
    path("missing/<int:episode_id>/acknowledge/", episode.acknowledge, name="acknowledge"),
    path("missing/<int:episode_id>/plan/", episode.plan_add, name="plan_add"),
    path("missing/<int:episode_id>/found/", episode.found, name="found"),
    path("missing/<int:episode_id>/prevention/", episode.prevention, name="prevention"),
    path(
        "missing/<int:episode_id>/return-interview/",
        episode.interview_on_behalf,
        name="interview_on_behalf",
    ),
]
# Downloads of the board and the return home interview tasks (docs/exports.md).
urlpatterns += [
    path("missing/export/", oversight.board_export, name="board_export"),
    path(
        "return-interviews/export/", oversight.interview_list_export, name="interview_list_export"
    ),
]
