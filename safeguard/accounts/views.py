"""Sign-in, MFA, password reset, staff, units, permissions, audit search and API tokens (thin)."""

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts import forms, selectors, services
from safeguard.accounts.middleware import (
    ENDED_MESSAGES,
    ENDED_REASON,
    signed_in_user,
    start_session_clock,
)
from safeguard.accounts.models import User
from safeguard.accounts.rules.staff_import import COLUMNS
from safeguard.core.errors import Conflict, DomainError
from safeguard.core.models import AuditAction, AuditEntry
from safeguard.core.permissions import ROLE_PERMISSIONS, Permission, Role
from safeguard.core.views import PUBLIC, SIGNED_IN, ActorRequest, requires
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import show_domain_error
from safeguard.frontend.pages import conflict_message, form_page

WRONG_CREDENTIALS = "Enter a correct username and password. Both are case-sensitive."
WRONG_CODE = "The code is not correct or has expired. Enter the current code from your app."
LOCKED = (
    "This account is locked after 5 failed sign-in attempts. Try again in 15 minutes, "
    "or ask your force administrator to unlock it."
)
NEXT = "sg_next"
PAGE_SIZE = 25


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    # The home page is no particular page: each role starts on its main page (docs/demo.md).
    if candidate == reverse("frontend:my_work"):
        candidate = None
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    # Each role starts on its main page (docs/demo.md), not on an empty My work.
    return reverse("frontend:landing")


def locked_out(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    """django-axes calls this for every attempt on a locked account, whatever the password."""
    username = str((credentials or {}).get("username", ""))[:150]
    if request.user.is_authenticated:
        logout(request)
    services.auth_event_record(
        action=AuditAction.LOCKED_OUT, username=username, user=None, outcome="refused"
    )
    # A bound, valid form so the lock-out shows in the error summary like any other problem.
    form = forms.SignInForm({"username": username, "password": "-"})
    form.is_valid()
    form.add_error(None, LOCKED)
    return render(request, "accounts/sign_in.html", {"form": form}, status=403)


@requires(PUBLIC)
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if services.user_is_verified(request.user):
        return redirect("frontend:my_work")
    ended = request.session.pop(ENDED_REASON, None)
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            services.auth_event_record(
                action=AuditAction.SIGN_IN_FAILED, username=username, user=None, outcome="refused"
            )
            form.add_error(None, WRONG_CREDENTIALS)
        else:
            next_url = request.GET.get("next")
            login(request, user)
            request.session[NEXT] = _safe_next(request, next_url)
            start_session_clock(request)
            if services.totp_device_confirmed(signed_in_user(request)) is None:
                return redirect("accounts:set_up_authenticator")
            return redirect("accounts:verify_code")
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "ended_message": ENDED_MESSAGES.get(ended or "")},
    )


def _complete_sign_in(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # ASVS 7.2.4: a new session id once fully signed in
    user = signed_in_user(request)
    services.auth_event_record(action=AuditAction.SIGN_IN, username=user.username, user=user)
    return HttpResponseRedirect(_safe_next(request, request.session.pop(NEXT, None)))


def _code_failed(request: HttpRequest, form: forms.CodeForm) -> None:
    user = signed_in_user(request)
    form.add_error("code", WRONG_CODE)
    services.auth_event_record(
        action=AuditAction.SIGN_IN_FAILED, username=user.username, user=user, outcome="wrong_code"
    )
    # A wrong code counts towards the same lock-out as a wrong password (CJIS AC-7).
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )


@requires(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def verify_code(request: ActorRequest) -> HttpResponse:
    user = signed_in_user(request)
    if services.user_is_verified(user):
        return redirect("frontend:my_work")
    device = services.totp_device_confirmed(user)
    if device is None:
        return redirect("accounts:set_up_authenticator")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            return _complete_sign_in(request, device)
        _code_failed(request, form)
    return render(request, "accounts/verify_code.html", {"form": form})


@requires(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def set_up_authenticator(request: ActorRequest) -> HttpResponse:
    user = signed_in_user(request)
    if services.totp_device_confirmed(user) is not None:
        return redirect("accounts:verify_code")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = services.totp_device_start(user=user)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            services.totp_device_confirm(user=user, device=device)
            return _complete_sign_in(request, device)
        _code_failed(request, form)
    secret_b32 = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(device.config_url, micro=False)
    return render(
        request,
        "accounts/set_up_authenticator.html",
        {"form": form, "secret": secret_b32, "qr_data_uri": qr.svg_data_uri(scale=4)},
    )


@requires(SIGNED_IN)
@require_POST
def sign_out(request: ActorRequest) -> HttpResponse:
    user = signed_in_user(request)
    services.auth_event_record(action=AuditAction.SIGN_OUT, username=user.username, user=user)
    logout(request)  # flushes the session row: the old cookie is worthless from now on
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign_in")


# Password reset: Django's views, our forms and templates, email sent by the worker.
password_reset = requires(PUBLIC)(
    auth_views.PasswordResetView.as_view(
        form_class=forms.GovukPasswordResetForm,
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_sent"),
    )
)
password_reset_sent = requires(PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
)
password_reset_confirm = requires(PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        form_class=forms.GovukSetPasswordForm,
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = requires(PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@requires(Permission.STAFF_VIEW)
def staff_list(request: ActorRequest) -> HttpResponse:
    request.nav_section = "staff"
    actor = request.actor
    units = [(u.pk, u.name) for u in selectors.unit_list_visible_to(actor=actor)]
    form = forms.StaffFilterForm(request.GET or None, units=units)
    filters = selectors.StaffFilters()
    if form.is_valid():
        filters = selectors.StaffFilters(
            search=form.cleaned_data["search"],
            role=form.cleaned_data["role"],
            unit_id=form.cleaned_data["unit"],
        )
    page = _page(request, selectors.staff_list_visible_to(actor=actor, filters=filters))
    return render(
        request,
        "accounts/staff_list.html",
        {"form": form, "page": page, "can_manage": actor.can(Permission.STAFF_MANAGE)},
    )


@requires(Permission.STAFF_VIEW)
def staff_detail(request: ActorRequest, user_id: int) -> HttpResponse:
    request.nav_section = "staff"
    actor = request.actor
    member = selectors.staff_get(actor=actor, user_id=user_id)
    roles_form = forms.StaffRolesForm(
        initial={"roles": sorted(member.role_names), "version": member.version}
    )
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "member": member,
            "roles_form": roles_form,
            "can_manage": actor.can(Permission.STAFF_MANAGE),
            "can_see_activity": actor.can(Permission.AUDIT_SEARCH),
            "role_labels": [Role(r).label for r in sorted(member.role_names)],
        },
    )


def _manage(request: HttpRequest, user_id: int, action: Any, success: str) -> HttpResponse:
    try:
        action()
        messages.success(request, success)
    except (DomainError, Conflict) as error:
        messages.error(request, error.message)
    return redirect("accounts:staff_detail", user_id=user_id)


@requires(Permission.AUDIT_SEARCH)
def staff_activity(request: ActorRequest, user_id: int) -> HttpResponse:
    """The staff record's story: every audited event about it, newest first, as a timeline."""
    request.nav_section = "staff"
    actor = request.actor
    member = selectors.staff_get(actor=actor, user_id=user_id)
    entries = selectors.audit_search(
        actor=actor, filters=selectors.AuditFilters(object_type="user", object_id=str(member.pk))
    )
    page = _page(request, entries)
    events = [
        {
            "title": entry.get_action_display()
            + (f": {entry.reason_code.replace('_', ' ')}" if entry.reason_code else ""),
            "byline": entry.actor_username or "system",
            "at": entry.at,
            "description": (
                f"Changed: {', '.join(entry.changed_fields)}" if entry.changed_fields else ""
            ),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "accounts/staff_activity.html",
        {"member": member, "page": page, "events": events, "can_see_activity": True},
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_set_roles(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    form = forms.StaffRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose at least one role.")
        return redirect("accounts:staff_detail", user_id=user_id)
    return _manage(
        request,
        user_id,
        lambda: services.staff_set_roles(
            actor=actor,
            user_id=user_id,
            roles=form.cleaned_data["roles"],
            version=form.cleaned_data["version"],
        ),
        "Roles saved. They apply from the person's next page.",
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_set_active(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    form = forms.VersionForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, "The page was out of date. Try again.")
        return redirect("accounts:staff_detail", user_id=user_id)
    return _manage(
        request,
        user_id,
        lambda: services.staff_set_active(
            actor=actor, user_id=user_id, active=active, version=form.cleaned_data["version"]
        ),
        "Account enabled." if active else "Account disabled and signed out everywhere.",
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_end_sessions(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    return _manage(
        request,
        user_id,
        lambda: services.staff_end_sessions(actor=actor, user_id=user_id),
        "Every session of this person has been ended.",
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_unlock(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    return _manage(
        request,
        user_id,
        lambda: services.staff_unlock_sign_in(actor=actor, user_id=user_id),
        "Sign-in unlocked. They can sign in again now.",
    )


@requires(Permission.UNIT_VIEW)
def unit_list(request: ActorRequest) -> HttpResponse:
    request.nav_section = "units"
    units = selectors.unit_list_visible_to(actor=request.actor).select_related("parent")
    return render(
        request,
        "accounts/unit_list.html",
        {"units": units, "can_manage": request.actor.can(Permission.UNIT_MANAGE)},
    )


@requires(Permission.UNIT_VIEW)
def unit_detail(request: ActorRequest, unit_id: int) -> HttpResponse:
    request.nav_section = "units"
    actor = request.actor
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    members = selectors.unit_members(actor=actor, unit=unit)
    return render(
        request,
        "accounts/unit_detail.html",
        {
            "unit": unit,
            "members": members,
            "children": unit.children.order_by("name"),
            "can_manage": actor.can(Permission.UNIT_MANAGE),
        },
    )


@requires(Permission.PERMISSIONS_VIEW)
def permissions_table(request: ActorRequest) -> HttpResponse:
    request.nav_section = "roles"
    rows = [
        {
            "permission": permission,
            "cells": [ROLE_PERMISSIONS[role].get(permission) for role in Role],
        }
        for permission in Permission
    ]
    return render(request, "accounts/permissions.html", {"roles": list(Role), "rows": rows})


@requires(Permission.AUDIT_SEARCH)
def audit_search(request: ActorRequest) -> HttpResponse:
    request.nav_section = "audit"
    form = forms.AuditSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        filters = selectors.AuditFilters(**form.cleaned_data)
        page = _page(request, selectors.audit_search(actor=request.actor, filters=filters))
    return render(request, "accounts/audit_search.html", {"form": form, "page": page})


@requires(Permission.API_TOKEN_MANAGE)
@require_http_methods(["GET", "POST"])
def api_tokens(request: ActorRequest) -> HttpResponse:
    request.nav_section = "tokens"
    actor = request.actor
    # An empty POST is bound too, so it shows "Enter a name for the token".
    form = forms.ApiTokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.api_token_create(
                actor=actor,
                user=signed_in_user(request),
                name=form.cleaned_data["name"],
                now=timezone.now(),
            )
            form = forms.ApiTokenForm()
        except (DomainError, Conflict) as error:
            form.add_error("name", error.message)
    tokens = selectors.api_token_list_for(actor=actor)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@requires(Permission.API_TOKEN_MANAGE)
@require_POST
def api_token_revoke(request: ActorRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(actor=request.actor, token_id=token_id, now=timezone.now())
    messages.success(request, "Token revoked. It no longer works.")
    return redirect("accounts:api_tokens")


# Downloads of the staff list and the audit search (docs/exports.md): the same selectors and
# filters as the pages, every row rather than one page.

STAFF_COLUMNS: list[Column[User]] = [
    Column("Name", lambda u: u.display_name),
    Column("Username", lambda u: u.username),
    Column("Email", lambda u: u.email),
    Column("Units", lambda u: ", ".join(unit.name for unit in u.units.all())),
    Column("Roles", lambda u: ", ".join(sorted(u.role_names))),
    Column("Active", lambda u: u.is_active),
]


@requires(Permission.STAFF_VIEW)
def staff_list_export(request: ActorRequest) -> HttpResponseBase:
    request.nav_section = "staff"
    actor = request.actor
    units = [(u.pk, u.name) for u in selectors.unit_list_visible_to(actor=actor)]
    form = forms.StaffFilterForm(request.GET or None, units=units)
    filters = selectors.StaffFilters()
    if form.is_valid():
        filters = selectors.StaffFilters(
            search=form.cleaned_data["search"],
            role=form.cleaned_data["role"],
            unit_id=form.cleaned_data["unit"],
        )
    rows = selectors.staff_list_visible_to(actor=actor, filters=filters)
    return export_response(
        request,
        name="staff",
        object_type="user",
        columns=STAFF_COLUMNS,
        rows=rows.prefetch_related("units", "role_grants").iterator(chunk_size=2000),
        count=rows.count(),
        title="Staff",
    )


AUDIT_COLUMNS: list[Column[AuditEntry]] = [
    Column("#", lambda e: e.seq),
    Column("When", lambda e: e.at),
    Column("Who", lambda e: e.actor_username or "system"),
    Column("Channel", lambda e: e.channel),
    Column("Action", lambda e: e.get_action_display()),
    Column("Outcome", lambda e: e.outcome),
    Column("Record type", lambda e: e.object_type),
    Column("Record", lambda e: e.object_id),
    Column("Reason", lambda e: e.reason_code),
    Column("Fields", lambda e: ", ".join(e.changed_fields)),
    Column("Recipient", lambda e: e.recipient),
]


@requires(Permission.AUDIT_SEARCH)
def audit_search_export(request: ActorRequest) -> HttpResponseBase:
    request.nav_section = "audit"
    form = forms.AuditSearchForm(request.GET or None)
    rows = AuditEntry.objects.none()
    if form.is_bound and form.is_valid():
        filters = selectors.AuditFilters(**form.cleaned_data)
        rows = selectors.audit_search(actor=request.actor, filters=filters)
    return export_response(
        request,
        name="audit_log",
        object_type="audit_log",
        columns=AUDIT_COLUMNS,
        rows=rows.iterator(chunk_size=2000),
        count=rows.count(),
        title="Audit log",
    )


# --- Force administration: creating and changing staff, units, and importing staff ---------


def _posted(request: HttpRequest) -> Any:
    """The POST data, even when empty: an empty form posted is bound, and names every error."""
    return request.POST if request.method == "POST" else None


def _unit_choices(request: ActorRequest) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in selectors.unit_list_visible_to(actor=request.actor)]


@requires(Permission.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_create(request: ActorRequest) -> HttpResponse:
    """Add a person: they are emailed a one-time link to choose a password, and set up their
    authenticator app by QR code at their first sign-in."""
    request.nav_section = "staff"
    actor = request.actor
    form = forms.StaffCreateForm(_posted(request), units=_unit_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.staff_create(
                actor=actor,
                force=services.force_of(actor),
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
                roles=data["roles"],
                units=services.units_of_force(actor, data["units"]),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                f"{member.display_name} was added. We have emailed them a link to choose a "
                "password; they set up their authenticator app when they first sign in.",
            )
            return redirect("accounts:staff_detail", user_id=member.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "member": None})


@requires(Permission.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_edit(request: ActorRequest, user_id: int) -> HttpResponse:
    request.nav_section = "staff"
    actor = request.actor
    member = selectors.staff_get(actor=actor, user_id=user_id)
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "job_title": member.job_title,
        "units": [unit.pk for unit in member.units.all()],
        "version": member.version,
    }
    form = forms.StaffDetailsForm(_posted(request), initial=initial, units=_unit_choices(request))
    return form_page(
        request,
        form,
        template="accounts/staff_form.html",
        context={"member": member},
        write=lambda data: services.staff_update(
            actor=actor,
            user_id=member.pk,
            version=data["version"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            job_title=data["job_title"],
            unit_ids=data["units"],
        ),
        success="Details saved. A change of units applies from the person's next page.",
        done_url=reverse("accounts:staff_detail", args=[member.pk]),
        conflict_on=("user", member.pk),
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_password_reset(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    return _manage(
        request,
        user_id,
        lambda: services.staff_send_password_reset(actor=actor, user_id=user_id),
        "We have emailed them a link to choose a new password. "
        "Their current password works until they use it.",
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_reset_mfa(request: ActorRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    return _manage(
        request,
        user_id,
        lambda: services.staff_reset_mfa(actor=actor, user_id=user_id),
        "Second factor reset and their sessions ended. At their next sign-in they set up "
        "their authenticator app again by scanning a QR code.",
    )


EXAMPLE_CSV = (
    ",".join(COLUMNS) + "\r\n"
    "Priya,Patel,ppatel,priya.patel@police.example,officer,Response Team North,"
    "Police Constable\r\n"
    "Tom,O'Neill,toneill,tom.oneill@police.example,investigator;supervisor,"
    "Child Abuse Investigation Unit,Detective Sergeant\r\n"
)
IMPORT_COLUMNS = [
    ("first_name", "Required. Their first name."),
    ("last_name", "Required. Their last name."),
    ("username", "Required. What they type to sign in; not already in use."),
    ("email", "Required. Their work email: the link to choose a password is sent here."),
    (
        "roles",
        "Required. One or more roles, separated by semicolons, for example "
        "officer;supervisor. Use the role's code or its name: "
        + ", ".join(f"{code} ({label})" for code, label in Role.choices)
        + ".",
    ),
    ("units", "Optional. Names of your force's units, separated by semicolons."),
    ("job_title", "Optional. For example Detective Constable."),
]


@requires(Permission.STAFF_MANAGE)
def staff_import_example(request: ActorRequest) -> HttpResponse:
    response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-import-example.csv"'
    return response


@requires(Permission.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_import(request: ActorRequest) -> HttpResponse:
    """Import staff from a CSV file: every line checked first, problems listed by line, and
    nobody saved unless every line is good."""
    request.nav_section = "staff"
    form = forms.StaffImportForm(
        _posted(request), request.FILES if request.method == "POST" else None
    )
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.staff_import_csv(
                actor=request.actor, content=form.cleaned_data["file"].read()
            )
        except services.StaffImportRefused as error:
            form.add_error("file", error.message)
            problems = error.problems
        else:
            messages.success(
                request,
                f"{len(created)} {'person was' if len(created) == 1 else 'people were'} "
                "imported. Each has been emailed a link to choose a password.",
            )
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_import.html",
        {"form": form, "problems": problems, "columns": IMPORT_COLUMNS},
    )


@requires(Permission.UNIT_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_create(request: ActorRequest) -> HttpResponse:
    request.nav_section = "units"
    actor = request.actor
    form = forms.UnitForm(_posted(request), units=_unit_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                actor=actor,
                name=data["name"],
                unit_type=data["unit_type"],
                parent_id=data["parent"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"{unit.name} was added.")
            return redirect("accounts:unit_detail", unit_id=unit.pk)
    return render(request, "accounts/unit_form.html", {"form": form, "unit": None})


@requires(Permission.UNIT_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_edit(request: ActorRequest, unit_id: int) -> HttpResponse:
    request.nav_section = "units"
    actor = request.actor
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    initial = {
        "name": unit.name,
        "unit_type": unit.unit_type,
        "parent": unit.parent_id,
        "version": unit.version,
    }
    form = forms.UnitForm(
        _posted(request),
        initial=initial,
        units=[choice for choice in _unit_choices(request) if choice[0] != unit.pk],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                actor=actor,
                unit_id=unit.pk,
                version=data["version"] if data["version"] is not None else unit.version,
                name=data["name"],
                unit_type=data["unit_type"],
                parent_id=data["parent"],
            )
        except Conflict as error:
            form.add_error(
                None,
                conflict_message(
                    actor,
                    error,
                    object_type="unit",
                    object_id=unit.pk,
                    read_version=data["version"],
                ),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, "Unit saved.")
            return redirect("accounts:unit_detail", unit_id=unit.pk)
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})
