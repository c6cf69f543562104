from typing import Any

from django.core.management.base import BaseCommand

from safeguard.accounts.demo import demo_force, load_demo
from safeguard.partners.demo import load_demo_partners


class Command(BaseCommand):
    help = "Load the demo force 'Demo Constabulary' with one user per role, and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        force = demo_force()
        assert force is not None
        load_demo_partners(force)
        self.stdout.write("Demo Constabulary is ready. Sign in at http://127.0.0.1:8000/sign-in/")
        self.stdout.write("Each user needs the password and a code from an authenticator app")
        self.stdout.write("set up with the TOTP secret shown (or: oathtool --totp -b SECRET).\n")
        self.stdout.write(f"{'username':<14}{'role':<38}{'password':<38}TOTP secret")
        for login in logins:
            self.stdout.write(
                f"{login.username:<14}{login.role:<38}{login.password:<38}{login.totp_secret}"
            )
