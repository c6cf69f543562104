"""The embedded demo: SQLite under var/, plain-HTTP cookies on 127.0.0.1, a local SMTP port."""

from config.env import env_bool, env_int, env_list, env_str
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)
# Not a secret: the demo runs on a laptop with synthetic data; production requires SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "demo-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

# The demo's email goes to its own SMTP sink (safeguard/demomail/sink.py), which `safeguard
# serve` starts beside the server; the Demo mailbox page lists what it received.
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
DEMO_MAILBOX = env_bool("DEMO_MAILBOX", True)
DEMO_MAILBOX_DIR = env_str("DEMO_MAILBOX_DIR", str(VAR_DIR / "demo-mail"))  # noqa: F405
