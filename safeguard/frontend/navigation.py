"""Service navigation by role: a link appears only when the actor has its permission."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from safeguard.core.actor import Actor
from safeguard.core.permissions import Permission


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    permission: Permission
    section: str
    # A settings flag the item needs (its page is mounted only when the flag is on).
    setting: str = ""


NAVIGATION = (
    NavItem("My work", "frontend:my_work", Permission.MY_WORK_VIEW, "my_work"),
    NavItem("Shared with you", "frontend:shared_with_me", Permission.DISCLOSURE_VIEW, "shared"),
    NavItem("Team", "frontend:team", Permission.TEAM_VIEW, "team"),
    NavItem("Duty inspector", "frontend:duty", Permission.DUTY_VIEW, "duty"),
    NavItem("Cases", "cases:case_list", Permission.CASE_VIEW, "cases"),
    NavItem("People", "people:person_search", Permission.PERSON_VIEW, "people"),
    NavItem("Missing children", "missing:board", Permission.CASE_VIEW, "missing"),
    NavItem(
        "Missing figures", "missing:figures", Permission.MISSING_FIGURES_VIEW, "missing_figures"
    ),
    NavItem(
        "Return interviews",
        "missing:interview_list",
        Permission.RETURN_INTERVIEW_RECORD,
        "interviews",
    ),
    NavItem(
        "Domestic abuse triage", "domestic_abuse:triage_queue", Permission.CASE_WORK, "da_triage"
    ),
    NavItem(
        "Triage capacity",
        "domestic_abuse:triage_capacity",
        Permission.DA_CAPACITY_VIEW,
        "da_capacity",
    ),
    NavItem("Operation Encompass", "encompass:desk", Permission.ENCOMPASS_MANAGE, "encompass"),
    NavItem(
        "Encompass notifications",
        "encompass:received_list",
        Permission.ENCOMPASS_RECEIVE,
        "encompass_received",
    ),
    NavItem("Reviews due", "supervision:reviews_due", Permission.CASE_SUPERVISE, "supervision"),
    NavItem("Schools", "partners:school_list", Permission.SCHOOLS_VIEW, "schools"),
    NavItem("Units", "accounts:unit_list", Permission.UNIT_VIEW, "units"),
    NavItem("Staff", "accounts:staff_list", Permission.STAFF_VIEW, "staff"),
    NavItem("Audit log", "accounts:audit_search", Permission.AUDIT_SEARCH, "audit"),
    NavItem("Roles and permissions", "accounts:permissions", Permission.PERMISSIONS_VIEW, "roles"),
    NavItem("API tokens", "accounts:api_tokens", Permission.API_TOKEN_MANAGE, "tokens"),
    NavItem("Settings", "supervision:policy", Permission.POLICY_VIEW, "policy"),
    NavItem("Alerts", "notifications:alerts", Permission.MY_WORK_VIEW, "alerts"),
    NavItem(
        "Undelivered messages",
        "notifications:undelivered",
        Permission.OUTBOX_MANAGE,
        "undelivered",
    ),
    NavItem(
        "Demo mailbox",
        "demomail:mailbox",
        Permission.DEMO_MAILBOX_VIEW,
        "demo_mailbox",
        setting="DEMO_MAILBOX",
    ),
)


def navigation_for(actor: Actor, current_section: str) -> list[dict[str, object]]:
    return [
        {
            "text": item.text,
            "href": reverse(item.url_name),
            "current": item.section == current_section,
        }
        for item in NAVIGATION
        if actor.can(item.permission) and (not item.setting or getattr(settings, item.setting))
    ]
