"""The demo force's local authorities; the demo return-interview user acts for the first."""

from safeguard.accounts.models import Force, User
from safeguard.partners.models import LocalAuthority

DEMO_LOCAL_AUTHORITIES = [
    ("999", "Demo County Council", ["rhi"]),
    ("998", "Northshire Council", []),
]


def load_demo_partners(force: Force) -> list[LocalAuthority]:
    made = []
    for code, name, usernames in DEMO_LOCAL_AUTHORITIES:
        authority, _ = LocalAuthority.objects.get_or_create(
            force=force, code=code, defaults={"name": name}
        )
        authority.members.add(*User.objects.filter(username__in=usernames, force=force))
        made.append(authority)
    return made
