"""The one permission table: which role may do what, and over which records.

Every route and API operation names one `Permission`; the table below says, for each role,
the `Scope` of records that permission reaches. The permission-matrix tests derive their
expectations from this table, and the force admin's "Roles and permissions" page shows it.
"""

from enum import IntEnum

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    DUTY_INSPECTOR = "duty_inspector", "Duty inspector"
    CUSTODY_OFFICER = "custody_officer", "Custody officer"
    AUDITOR = "auditor", "Auditor"
    ANALYST = "analyst", "Analyst (aggregates only)"
    PARTNER = "partner", "Partner (school or local authority)"
    FORCE_ADMIN = "force_admin", "Force admin"


class Scope(IntEnum):
    """How far a permission reaches. Wider scopes have larger numbers."""

    DISCLOSED = 1  # only records disclosed to this user
    OWN = 2  # records about or owned by this user
    UNIT = 3  # records of the user's own units
    FORCE = 4  # every record of the user's force


class Permission(models.TextChoices):
    MY_WORK_VIEW = "my_work.view", "See my work"
    UNIT_VIEW = "unit.view", "See units and their members"
    STAFF_VIEW = "staff.view", "See staff records"
    STAFF_MANAGE = "staff.manage", "Manage staff: roles, disabling, ending sessions"
    UNIT_MANAGE = "unit.manage", "Create and change units: name, type, parent"
    PERMISSIONS_VIEW = "permissions.view", "See the roles and permissions table"
    AUDIT_SEARCH = "audit.search", "Search the audit log"
    API_TOKEN_MANAGE = "api_token.manage", "Create and revoke API tokens"
    DISCLOSURE_VIEW = "disclosure.view", "See what was shared with me"
    PERSON_VIEW = "person.view", "Search and see people (one nominal index per force)"
    PERSON_MANAGE = "person.manage", "Record and change people; merge duplicates"
    CASE_VIEW = "case.view", "See child protection cases"
    CASE_CREATE = "case.create", "Record a new case"
    CASE_WORK = "case.work", "Work a case: decisions, notes, actions, voice of the child"
    CASE_SUPERVISE = "case.supervise", "Supervise: allocate, review, approve closure, reopen"
    TEAM_VIEW = "team.view", "See overdue and due-soon work of my units"
    DUTY_VIEW = "duty.view", "See every high-risk deadline in the force (duty inspector)"
    POLICY_VIEW = "policy.view", "See force policy settings"
    POLICY_MANAGE = "policy.manage", "Change force policy settings"
    OUTBOX_MANAGE = "outbox.manage", "See and retry undelivered messages"
    MISSING_FIGURES_VIEW = "missing_figures.view", "See missing children figures (aggregates only)"
    DA_CAPACITY_VIEW = (
        "da_capacity.view",
        "See the domestic abuse triage capacity and backlog forecast (aggregates only)",
    )
    ENCOMPASS_MANAGE = (
        "encompass.manage",
        "Review, resolve and send Operation Encompass notifications",
    )
    ENCOMPASS_RECEIVE = (
        "encompass.receive",
        "Read and acknowledge Operation Encompass notifications sent to me (schools)",
    )
    RETURN_INTERVIEW_RECORD = (
        "return_interview.record",
        "Record return home interviews disclosed to me (local authority)",
    )
    SCHOOLS_VIEW = "schools.view", "See the schools directory and key adults"
    SCHOOLS_MANAGE = "schools.manage", "Manage the schools directory and key adults"
    DEMO_MAILBOX_VIEW = "demo_mailbox.view", "Read the demo mailbox (demo settings only)"


P = Permission
S = Scope
_EVERY_STAFF_ROLE = {
    P.MY_WORK_VIEW: S.OWN,
    P.API_TOKEN_MANAGE: S.OWN,
    P.UNIT_VIEW: S.FORCE,
    P.POLICY_VIEW: S.FORCE,
    # Schools are public reference data; their key adults are the force's own contacts.
    P.SCHOOLS_VIEW: S.FORCE,
}
# People are one nominal index per force: whoever records a child must be able to find an
# existing record first, or duplicates multiply (the duplicate check needs the whole force).
# A referral is recorded by whoever takes it and sent to the unit that will work it, so
# recording reaches every unit of the force; the recorder owns it until it is allocated.
_FRONTLINE = {
    P.PERSON_VIEW: S.FORCE,
    P.PERSON_MANAGE: S.FORCE,
    P.CASE_CREATE: S.FORCE,
    P.CASE_VIEW: S.OWN,
    P.CASE_WORK: S.OWN,
}
_INVESTIGATION = {
    **_FRONTLINE,
    P.CASE_VIEW: S.UNIT,
    P.CASE_WORK: S.UNIT,
    # The Operation Encompass desk is a unit: its members review and send notifications.
    P.ENCOMPASS_MANAGE: S.UNIT,
    # The triage unit sees its own queue's capacity (counts of its unit's incidents).
    P.DA_CAPACITY_VIEW: S.UNIT,
}

ROLE_PERMISSIONS: dict[Role, dict[Permission, Scope]] = {
    Role.OFFICER: {**_EVERY_STAFF_ROLE, **_FRONTLINE},
    Role.INVESTIGATOR: {**_EVERY_STAFF_ROLE, **_INVESTIGATION},
    Role.CUSTODY_OFFICER: {**_EVERY_STAFF_ROLE, **_FRONTLINE},
    Role.SUPERVISOR: {
        **_EVERY_STAFF_ROLE,
        **_INVESTIGATION,
        P.STAFF_VIEW: S.UNIT,
        P.CASE_SUPERVISE: S.UNIT,
        P.TEAM_VIEW: S.UNIT,
        P.MISSING_FIGURES_VIEW: S.FORCE,
        # docs/demo.md: the demo's emails hold reset links, so not every demo user reads them.
        P.DEMO_MAILBOX_VIEW: S.FORCE,
        # Counts only: a supervisor plans the force's triage capacity, whatever their unit.
        P.DA_CAPACITY_VIEW: S.FORCE,
    },
    Role.DUTY_INSPECTOR: {
        **_EVERY_STAFF_ROLE,
        **_INVESTIGATION,
        P.STAFF_VIEW: S.FORCE,
        P.CASE_VIEW: S.FORCE,
        P.CASE_WORK: S.FORCE,
        P.CASE_SUPERVISE: S.FORCE,
        P.TEAM_VIEW: S.UNIT,
        P.DUTY_VIEW: S.FORCE,
        P.MISSING_FIGURES_VIEW: S.FORCE,
        P.DA_CAPACITY_VIEW: S.FORCE,
        P.ENCOMPASS_MANAGE: S.FORCE,
    },
    # Assurance reads everything in the force and changes nothing.
    Role.AUDITOR: {
        **_EVERY_STAFF_ROLE,
        P.PERSON_VIEW: S.FORCE,
        P.CASE_VIEW: S.FORCE,
        P.STAFF_VIEW: S.FORCE,
        P.AUDIT_SEARCH: S.FORCE,
        P.PERMISSIONS_VIEW: S.FORCE,
        P.MISSING_FIGURES_VIEW: S.FORCE,
    },
    # The PCC's office: aggregates only, never an individual's record.
    Role.ANALYST: {
        P.MY_WORK_VIEW: S.OWN,
        P.API_TOKEN_MANAGE: S.OWN,
        P.MISSING_FIGURES_VIEW: S.FORCE,
    },
    # A school DSL or local-authority user: only what was disclosed to them.
    Role.PARTNER: {
        P.MY_WORK_VIEW: S.OWN,
        P.DISCLOSURE_VIEW: S.DISCLOSED,
        P.RETURN_INTERVIEW_RECORD: S.DISCLOSED,
        P.ENCOMPASS_RECEIVE: S.DISCLOSED,
    },
    Role.FORCE_ADMIN: {
        **_EVERY_STAFF_ROLE,
        P.STAFF_VIEW: S.FORCE,
        P.STAFF_MANAGE: S.FORCE,
        P.UNIT_MANAGE: S.FORCE,
        P.PERMISSIONS_VIEW: S.FORCE,
        P.AUDIT_SEARCH: S.FORCE,
        # Administers the force; reads no child's record.
        P.POLICY_MANAGE: S.FORCE,
        P.OUTBOX_MANAGE: S.FORCE,
        P.SCHOOLS_MANAGE: S.FORCE,
        P.DEMO_MAILBOX_VIEW: S.FORCE,
    },
}


def scope_for(roles: frozenset[str], permission: Permission) -> Scope | None:
    """The widest scope any of these roles has for the permission, or None."""
    scopes = [
        ROLE_PERMISSIONS[Role(role)][permission]
        for role in roles
        if permission in ROLE_PERMISSIONS.get(Role(role), {})
    ]
    return max(scopes) if scopes else None
