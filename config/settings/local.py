"""The embedded demo: SQLite under var/, plain-HTTP cookies on 127.0.0.1, a local SMTP port."""

from config.env import env_bool, env_list, env_str
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)
# Not a secret: the demo runs on a laptop with synthetic data; production requires SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "demo-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
