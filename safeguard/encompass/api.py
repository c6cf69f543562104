"""Operation Encompass API: the Encompass desk (its lists, one notification with its clock and
deliveries, resolve, preview and send, send again or record another route, compliance) and a
key adult's notifications (read, with a read receipt, acknowledge, record the school's
action). Thin: the same selectors and services as the pages."""

from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from safeguard.api.concurrency import set_etag, with_expected_version
from safeguard.api.permissions import operation_requires
from safeguard.api.schemas import ClockOut, InputSchema, clocks_out
from safeguard.core.clocks import clocks_for
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest
from safeguard.encompass import selectors, services
from safeguard.encompass.models import Notification

router = Router(tags=["operation encompass"])

CLOCK_OBJECT = "encompass_notification"
CLOCK_PREFIX = "encompass."
CLOCKS_DESCRIPTION = (
    "The notification's clock: encompass.notification, from the incident until it is sent "
    "(an email delivered to a key adult, or another route recorded), "
    "due before the start of the child's next school day at that school's start time "
    "(weekends, bank holidays and school holidays skipped). {name, due_at, met_at, status}; "
    "its source is in docs/clocks.md."
)


# --- Output (read from the notification's attributes) -------------------------------------------


class SchoolRef(Schema):
    urn: str
    name: str


class LocalAuthorityRef(Schema):
    id: int
    name: str


class ChildRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(person: Any) -> str:
        return str(person.full_name)


def _username(user: object) -> str | None:
    return getattr(user, "username", None)


class ReceivedItemOut(Schema):
    """A notification sent to you: which pupil and when. Its details are read one at a time,
    which records the read receipt."""

    id: int
    child_name: str
    school: SchoolRef | None
    incident_at: datetime
    sent_at: datetime | None
    read_at: datetime | None
    acknowledged_at: datetime | None
    status: str


class DeskItemOut(ReceivedItemOut):
    police_reference: str
    route: str
    local_authority: LocalAuthorityRef | None
    due_at: datetime
    overdue: bool
    version: int

    @staticmethod
    def resolve_overdue(n: Notification) -> bool:
        return n.sent_at is None and n.due_at < timezone.now()


class DeskOut(Schema):
    """Unsent notifications due before tomorrow's school start (overdue first), then sent and
    unread, read and not acknowledged, and recently acknowledged."""

    due: list[DeskItemOut]
    sent_unread: list[DeskItemOut]
    read_unacknowledged: list[DeskItemOut]
    acknowledged: list[DeskItemOut]
    overdue_count: int
    to_resolve_count: int


class ReceivedOut(ReceivedItemOut):
    """The notification as a key adult reads it (docs/rules.md 4): the child's name and date
    of birth, the police reference, the date, time and place, whether the child was present
    and where, the voice of the child, brief circumstances written for the school, the police
    contact for the incident, and the action the school recorded."""

    child_dob: date | None
    police_reference: str
    place: str
    present: bool
    where: str
    voice: str
    circumstances: str
    contact_name: str
    contact_unit: str
    contact_phone: str
    contact_email: str
    action_taken: str
    action_recorded_at: datetime | None
    version: int


class DeliveryOut(Schema):
    """One key adult's email: queued, sending, sent (delivered), failed_retrying or dead."""

    to_address: str
    status: str
    delivered_at: datetime | None
    attempts: int
    last_error: str


class NotificationOut(ReceivedOut):
    """What the key adult will be told (docs/rules.md 4), its route, and where it has got to."""

    incident_id: int
    child: ChildRef
    route: str
    local_authority: LocalAuthorityRef | None
    due_at: datetime
    reviewed_by: str | None
    queued_at: datetime | None = Field(description="When the desk sent it to the outbox")
    delivery_error: str = Field(description="Why delivery was given up, when undelivered")
    other_route: str = Field(description="How the desk told the school, if not by email")
    read_by: str | None
    acknowledged_by: str | None
    action_recorded_by: str | None
    clocks: list[ClockOut] = Field(description=CLOCKS_DESCRIPTION)
    deliveries: list[DeliveryOut] = Field(
        [], description="Each key adult's email, as the outbox has it"
    )
    created_at: datetime

    @staticmethod
    def resolve_reviewed_by(n: Notification) -> str | None:
        return _username(n.reviewed_by)

    @staticmethod
    def resolve_read_by(n: Notification) -> str | None:
        return _username(n.read_by)

    @staticmethod
    def resolve_acknowledged_by(n: Notification) -> str | None:
        return _username(n.acknowledged_by)

    @staticmethod
    def resolve_action_recorded_by(n: Notification) -> str | None:
        return _username(n.action_recorded_by)

    @staticmethod
    def resolve_clocks(n: Notification) -> list[ClockOut]:
        clocks = clocks_for(object_type=CLOCK_OBJECT, object_id=n.pk, now=timezone.now())
        return clocks_out(clocks, CLOCK_PREFIX)


class ComplianceRowOut(Schema):
    label: str
    # Notifications whose deadline has passed or which were sent, and those sent in time.
    due: int
    on_time: int
    percent: float | None


class ComplianceOut(Schema):
    """% notified before the next school day started: by month (UK, oldest first) and by
    school (lowest first)."""

    by_month: list[ComplianceRowOut]
    by_school: list[ComplianceRowOut]


# --- Input -------------------------------------------------------------------------------------


class ResolveIn(InputSchema):
    """The school by URN, or for a child educated at home the local authority."""

    school_urn: str = Field("", max_length=8)
    local_authority_id: int | None = None
    version: int | None = None


class PreviewIn(InputSchema):
    circumstances: str = Field(
        max_length=2000,
        description="Brief circumstances written for the school: what the key adult needs to "
        "support the child the next morning; no details of the allegation, no names of adults "
        "beyond need. Required; never filled from the officer's account.",
    )
    contact_phone: str = Field("", max_length=40, description="A phone number for the school")


class SendIn(PreviewIn):
    version: int | None = None


class RecipientOut(Schema):
    name: str
    email: str


class PreviewOut(Schema):
    """Exactly what sending would do, with nothing written: the recipients, the email (its
    subject and text, a link and no child data) and the page the key adult will read."""

    recipients: list[RecipientOut]
    subject: str
    email: str
    page: ReceivedOut


class RetryIn(InputSchema):
    version: int | None = None


class OtherRouteIn(InputSchema):
    how: str = Field(max_length=500, description="How and when the school was told")
    version: int | None = None


class ActionIn(InputSchema):
    action_taken: str = Field(max_length=1000, description="What the school did")
    version: int | None = None


class ComplianceQuery(InputSchema):
    months: int = Field(12, ge=1, le=24)


# --- The Encompass desk ------------------------------------------------------------------------


def _notification(
    request: ActorRequest, response: HttpResponse, notification: Notification
) -> NotificationOut:
    set_etag(response, notification.version)
    out = NotificationOut.model_validate(notification)
    deliveries = selectors.notification_deliveries(actor=request.actor, notification=notification)
    out.deliveries = [DeliveryOut.model_validate(d, from_attributes=True) for d in deliveries]
    return out


def _read(request: ActorRequest, notification_id: int) -> Notification:
    return selectors.notification_get(
        actor=request.actor,
        notification_id=notification_id,
    )


@router.get("/encompass/notifications", response=DeskOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def encompass_desk(request: ActorRequest) -> DeskOut:
    desk = selectors.encompass_desk(actor=request.actor, now=timezone.now())
    return DeskOut.model_validate(desk)


@router.get("/encompass/notifications/{notification_id}", response=NotificationOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def get_encompass_notification(
    request: ActorRequest, response: HttpResponse, notification_id: int
) -> NotificationOut:
    return _notification(request, response, _read(request, notification_id))


@router.post("/encompass/notifications/{notification_id}/resolve", response=NotificationOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def resolve_encompass_notification(
    request: ActorRequest, response: HttpResponse, notification_id: int, payload: ResolveIn
) -> NotificationOut:
    """Give a "to resolve" notification its school (422 `school_urn` if the URN is not in the
    directory) or local authority; the deadline still runs from the incident."""
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.notification_resolve(
            actor=actor,
            notification_id=notification_id,
            version=version,
            school_urn=payload.school_urn,
            local_authority_id=payload.local_authority_id,
            now=timezone.now(),
        ),
    )
    return _notification(request, response, _read(request, notification_id))


@router.post("/encompass/notifications/{notification_id}/send", response=NotificationOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def send_encompass_notification(
    request: ActorRequest, response: HttpResponse, notification_id: int, payload: SendIn
) -> NotificationOut:
    """Send the notification (preview it first): each key adult gets it to read in Safeguard,
    and an email holding only a link; no child data is emailed. Its status is "sending"
    until the outbox delivers an email ("sent", meeting encompass.notification) or gives
    every one up ("undelivered")."""
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.notification_send(
            actor=actor,
            notification_id=notification_id,
            version=version,
            circumstances=payload.circumstances,
            contact_phone=payload.contact_phone,
            now=timezone.now(),
        ),
    )
    return _notification(request, response, _read(request, notification_id))


@router.post("/encompass/notifications/{notification_id}/preview", response=PreviewOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def preview_encompass_notification(
    request: ActorRequest, notification_id: int, payload: PreviewIn
) -> PreviewOut:
    """What sending with these brief circumstances would share, with whom, and the email's
    text. Nothing is written (422 `circumstances` when blank)."""
    preview = services.notification_preview(
        actor=request.actor,
        notification=_read(request, notification_id),
        circumstances=payload.circumstances,
        contact_phone=payload.contact_phone,
    )
    return PreviewOut(
        recipients=[RecipientOut(name=r.name, email=r.email) for r in preview.recipients],
        subject=preview.subject,
        email=preview.email,
        page=ReceivedOut.model_validate(preview.page),
    )


@router.post("/encompass/notifications/{notification_id}/retry", response=NotificationOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def retry_encompass_notification(
    request: ActorRequest, response: HttpResponse, notification_id: int, payload: RetryIn
) -> NotificationOut:
    """Send an undelivered notification's emails again, from attempt one."""
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.notification_retry(
            actor=actor, notification_id=notification_id, version=version, now=timezone.now()
        ),
    )
    return _notification(request, response, _read(request, notification_id))


@router.post("/encompass/notifications/{notification_id}/other-route", response=NotificationOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def record_encompass_other_route(
    request: ActorRequest, response: HttpResponse, notification_id: int, payload: OtherRouteIn
) -> NotificationOut:
    """The desk told the school another way (a phone call to the DSL): sent now, clock met."""
    actor = request.actor
    with_expected_version(
        request,
        payload.version,
        lambda version: services.notification_other_route(
            actor=actor,
            notification_id=notification_id,
            version=version,
            how=payload.how,
            now=timezone.now(),
        ),
    )
    return _notification(request, response, _read(request, notification_id))


@router.get("/encompass/compliance", response=ComplianceOut)
@operation_requires(Permission.ENCOMPASS_MANAGE)
def encompass_compliance(request: ActorRequest, filters: Query[ComplianceQuery]) -> ComplianceOut:
    """Aggregates only."""
    report = selectors.encompass_compliance(
        actor=request.actor,
        months=filters.months,
        now=timezone.now(),
    )

    return ComplianceOut.model_validate(report)


# --- A key adult's notifications --------------------------------------------------------------


@router.get("/encompass/received", response=list[ReceivedItemOut])
@operation_requires(Permission.ENCOMPASS_RECEIVE)
def list_received_notifications(request: ActorRequest) -> list[ReceivedItemOut]:
    """The notifications sent to you (a school's key adult, or a local authority), newest
    first."""
    notifications = selectors.received_notifications(actor=request.actor)
    return [ReceivedItemOut.model_validate(n) for n in notifications]


@router.get("/encompass/received/{notification_id}", response=ReceivedOut)
@operation_requires(Permission.ENCOMPASS_RECEIVE)
def read_received_notification(request: ActorRequest, notification_id: int) -> ReceivedOut:
    """Read a notification sent to you: the first reading is recorded as the read receipt."""
    notification = services.notification_read(
        actor=request.actor,
        notification_id=notification_id,
        now=timezone.now(),
    )
    return ReceivedOut.model_validate(notification)


@router.post("/encompass/received/{notification_id}/acknowledge", response=ReceivedOut)
@operation_requires(Permission.ENCOMPASS_RECEIVE)
def acknowledge_received_notification(request: ActorRequest, notification_id: int) -> ReceivedOut:
    """Say you have the notification and will act on it (reading it too, if not yet read).
    Saying so twice changes nothing."""
    notification = services.notification_acknowledge(
        actor=request.actor,
        notification_id=notification_id,
        now=timezone.now(),
    )
    return ReceivedOut.model_validate(notification)


@router.post("/encompass/received/{notification_id}/action", response=ReceivedOut)
@operation_requires(Permission.ENCOMPASS_RECEIVE)
def record_received_action(
    request: ActorRequest, notification_id: int, payload: ActionIn
) -> ReceivedOut:
    """Record the action the school took (the police see it on the notification); recording
    again replaces it. With `version`, a stale one is a 409."""
    notification = services.notification_record_action(
        actor=request.actor,
        notification_id=notification_id,
        action_taken=payload.action_taken,
        version=payload.version,
        now=timezone.now(),
    )
    return ReceivedOut.model_validate(notification)
