"""Reading the demo mailbox: the Maildir the demo's SMTP sink writes (sink.py).

The mailbox holds what the demo sent: password-reset links and notifications about synthetic
people. Reading it is scoped by the permission table (DEMO_MAILBOX_VIEW) and audited as a view.
"""

import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from django.conf import settings

from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission


@dataclass(frozen=True)
class DemoMail:
    key: str
    to: str
    subject: str
    received_at: datetime
    body: str


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    return str(make_header(decode_header(str(value)))).strip()


def _body(message: Message) -> str:
    """The plain-text part (the service writes one for every email), else the first text part."""
    parts = [part for part in message.walk() if part.get_content_maintype() == "text"]
    plain = [part for part in parts if part.get_content_subtype() == "plain"]
    for part in plain or parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def _read(key: str, message: mailbox.MaildirMessage) -> DemoMail:
    # The envelope recipients the sink recorded, else the To header.
    to = _header(message, "X-RcptTos") or _header(message, "To")
    return DemoMail(
        key=key,
        to=to,
        subject=_header(message, "Subject") or "(no subject)",
        received_at=datetime.fromtimestamp(message.get_date(), tz=UTC),
        body=_body(message),
    )


def demo_mailbox_dir() -> Path:
    return Path(settings.DEMO_MAILBOX_DIR)


def demo_mail_list(*, actor: Actor, page_label: str = "") -> list[DemoMail]:
    """Every message the sink received, newest first (then by key, so the order is stable)."""
    actor.require(Permission.DEMO_MAILBOX_VIEW)
    folder = demo_mailbox_dir()
    mails: list[DemoMail] = []
    if (folder / "cur").is_dir() or (folder / "new").is_dir():
        box = mailbox.Maildir(folder, create=False)
        for key in box.iterkeys():
            try:
                message = box.get_message(key)
            except (KeyError, FileNotFoundError):
                continue  # removed while we read
            mails.append(_read(key, message))
    mails.sort(key=lambda mail: (mail.received_at, mail.key), reverse=True)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="demo_mailbox",
        object_id=page_label,
    )
    return mails
