"""The demo force: Demo Constabulary, its units and one user per role. Safe to load twice."""

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction

from safeguard.accounts import services
from safeguard.accounts.models import Force, Unit, User
from safeguard.core.permissions import Role

DEMO_FORCE = ("Demo Constabulary", "demo")
DEMO_UNITS = [
    ("Response Team North", Unit.Type.RESPONSE),
    ("Child Abuse Investigation Unit", Unit.Type.CHILD_ABUSE),
    ("Missing Persons Unit", Unit.Type.MISSING),
    ("Online Child Sexual Exploitation Team", Unit.Type.OCSE),
    ("Central Custody Suite", Unit.Type.CUSTODY),
    ("Multi-Agency Safeguarding Hub", Unit.Type.MASH),
    ("Domestic Abuse Triage", Unit.Type.DA_TRIAGE),
    ("Operation Encompass Desk", Unit.Type.ENCOMPASS),
    ("Audit and Assurance", Unit.Type.ASSURANCE),
    ("Partner Agencies", Unit.Type.PARTNERS),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str
    unit: str
    job_title: str
    organisation: str = ""


DEMO_USERS = [
    DemoUser(
        "officer", Role.OFFICER, "Olivia", "Okafor", "Response Team North", "Police Constable"
    ),
    DemoUser(
        "investigator",
        Role.INVESTIGATOR,
        "Ibrahim",
        "Iqbal",
        "Child Abuse Investigation Unit",
        "Detective Constable",
    ),
    DemoUser(
        "supervisor",
        Role.SUPERVISOR,
        "Sarah",
        "Sutton",
        "Child Abuse Investigation Unit",
        "Detective Sergeant",
    ),
    DemoUser(
        "inspector", Role.DUTY_INSPECTOR, "Dev", "Desai", "Response Team North", "Duty Inspector"
    ),
    DemoUser(
        "custody",
        Role.CUSTODY_OFFICER,
        "Carl",
        "Curtis",
        "Central Custody Suite",
        "Custody Sergeant",
    ),
    DemoUser("auditor", Role.AUDITOR, "Aisha", "Adeyemi", "Audit and Assurance", "Audit Officer"),
    DemoUser(
        "analyst",
        Role.ANALYST,
        "Nadia",
        "Novak",
        "Audit and Assurance",
        "Analyst, Office of the Police and Crime Commissioner",
    ),
    DemoUser(
        "partner",
        Role.PARTNER,
        "Priya",
        "Patel",
        "Partner Agencies",
        "Designated Safeguarding Lead",
        organisation="Demo Primary School",
    ),
    # Every key adult of the demo schools signs in (partners/demo.py DEMO_KEY_ADULTS).
    DemoUser(
        "deputy",
        Role.PARTNER,
        "Tom",
        "Hughes",
        "Partner Agencies",
        "Deputy Designated Safeguarding Lead",
        organisation="Demo Primary School",
    ),
    DemoUser(
        "northshire",
        Role.PARTNER,
        "Grace",
        "Obi",
        "Partner Agencies",
        "Designated Safeguarding Lead",
        organisation="Northshire Academy",
    ),
    DemoUser(
        "rhi",
        Role.PARTNER,
        "Lena",
        "Lawson",
        "Partner Agencies",
        "Return Home Interview Coordinator",
        organisation="Demo County Council",
    ),
    DemoUser(
        "triage",
        Role.INVESTIGATOR,
        "Tariq",
        "Thomas",
        "Domestic Abuse Triage",
        "Domestic Abuse Triage Investigator",
    ),
    DemoUser(
        "missing",
        Role.INVESTIGATOR,
        "Molly",
        "Moss",
        "Missing Persons Unit",
        "Missing Persons Coordinator",
    ),
    DemoUser(
        "encompass",
        Role.INVESTIGATOR,
        "Erin",
        "Ellis",
        "Operation Encompass Desk",
        "Operation Encompass Officer",
    ),
    DemoUser(
        "admin", Role.FORCE_ADMIN, "Alex", "Ainsworth", "Audit and Assurance", "Force Administrator"
    ),
]

DEMO_PASSWORD_SUFFIX = "-demo-passphrase-2026"


def demo_password(username: str) -> str:
    """Demo passwords are fixed so a person can sign in; they exist only on the demo force."""
    return f"{username}{DEMO_PASSWORD_SUFFIX}"


def demo_totp_key_hex(username: str) -> str:
    """A fixed TOTP secret per demo user, so running the demo again prints the same secrets."""
    return hashlib.sha256(f"safeguard-demo-totp:{username}".encode()).hexdigest()[:40]


def totp_secret_base32(key_hex: str) -> str:
    return base64.b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str
    totp_secret: str


def load_demo() -> list[DemoLogin]:
    """Create (or find) the demo force, units and users; return their logins."""
    logins = []
    with transaction.atomic():
        force = services.force_get_or_create(name=DEMO_FORCE[0], code=DEMO_FORCE[1])
        units = {
            name: services.unit_get_or_create(force=force, name=name, unit_type=unit_type)
            for name, unit_type in DEMO_UNITS
        }
        for demo in DEMO_USERS:
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                user = services.staff_create(
                    actor=None,
                    force=force,
                    username=demo.username,
                    password=demo_password(demo.username),
                    first_name=demo.first_name,
                    last_name=demo.last_name,
                    email=f"{demo.username}@demo.police.example",
                    roles=[demo.role],
                    units=[units[demo.unit]],
                    organisation=demo.organisation,
                    job_title=demo.job_title,
                )
            key = demo_totp_key_hex(demo.username)
            if services.totp_device_confirmed(user) is None:
                services.totp_device_create_confirmed(user=user, key_hex=key)
            logins.append(
                DemoLogin(
                    demo.username,
                    demo.role.label,
                    demo_password(demo.username),
                    totp_secret_base32(key),
                )
            )
    return logins


def demo_force() -> Force | None:
    return Force.objects.filter(code=DEMO_FORCE[1]).first()
