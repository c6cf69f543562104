from django.urls import path

from safeguard.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.verify_code, name="verify_code"),
    path("sign-in/set-up-authenticator/", views.set_up_authenticator, name="set_up_authenticator"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/import/example.csv", views.staff_import_example, name="staff_import_example"),
    path("staff/<int:user_id>/edit/", views.staff_edit, name="staff_edit"),
    path(
        "staff/<int:user_id>/password-reset/",
        views.staff_password_reset,
        name="staff_password_reset",
    ),
    path("staff/<int:user_id>/reset-mfa/", views.staff_reset_mfa, name="staff_reset_mfa"),
    path("staff/<int:user_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:user_id>/activity/", views.staff_activity, name="staff_activity"),
    path("staff/<int:user_id>/roles/", views.staff_set_roles, name="staff_set_roles"),
    path("staff/<int:user_id>/active/", views.staff_set_active, name="staff_set_active"),
    path("staff/<int:user_id>/end-sessions/", views.staff_end_sessions, name="staff_end_sessions"),
    path("staff/<int:user_id>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("admin/permissions/", views.permissions_table, name="permissions"),
    path("audit/", views.audit_search, name="audit_search"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path(
        "account/api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"
    ),
]
# Downloads of the staff list and the audit search (docs/exports.md).
urlpatterns += [
    path("staff/export/", views.staff_list_export, name="staff_list_export"),
    path("audit/export/", views.audit_search_export, name="audit_search_export"),
]
