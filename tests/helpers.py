"""Signing test clients in the way the pages do, and computing TOTP codes like an app would."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.middleware import AUTH_AT, EPOCH, LAST_SEEN
from safeguard.accounts.models import User


def totp_now(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def sign_in(client: Client, user: User) -> Client:
    """A fully signed-in session: password step done, TOTP verified, session clock started."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    now = time.time()
    session[AUTH_AT] = now
    session[LAST_SEEN] = now
    session[EPOCH] = user.session_epoch
    session.save()
    return client
