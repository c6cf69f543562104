"""Operation Encompass notifications: made for each child aged 4 to 17 when an incident is
recorded, resolved to a school or local authority, reviewed and sent (a disclosure to each key
adult, the email holding a link, never the child's details), read (a receipt) and acknowledged.

Each change is one unit of work (core.unit_of_work); the steps are the table in
rules/lifecycle.py. Encompass knows nothing of domestic abuse: the incident is told to it as
plain facts (`IncidentFacts`), by a call from the service that records the incident."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from safeguard.accounts.models import Unit, User
from safeguard.accounts.selectors import unit_of_type
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.clocks import ClockSubject, clocks_rederive
from safeguard.core.disclosures import Notice, disclose
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role
from safeguard.core.unit_of_work import record_change, record_create
from safeguard.encompass.models import Notification
from safeguard.encompass.rules.lifecycle import (
    NOTIFICATION_LIFECYCLE,
    NotificationStatus,
    Step,
    initial_status,
)
from safeguard.encompass.rules.notification import Route, eligible, notification_due, route_for
from safeguard.encompass.selectors import DISCLOSURE, notifications_visible_to
from safeguard.partners.models import LocalAuthority, School
from safeguard.partners.selectors import key_adults_for, school_by_urn, school_calendar_for

NOT_TO_RESOLVE = "This notification already has its school or local authority"
NOT_TO_REVIEW = "Only a notification waiting for review can be sent"
NO_KEY_ADULT = "{school} has no key adult on record: add its DSL on the school page first"
NO_LA_USER = "{la} has no user to receive notifications"
NOT_SENT = "This notification has not been sent"
UNKNOWN_SCHOOL = "No school with that URN is in the schools directory"
CIRCUMSTANCES = "Enter brief circumstances for the key adult"
PURPOSE = "Operation Encompass (Domestic Abuse Act 2021 s49A)"
NOTICE = Notice(
    subject="Operation Encompass notification",
    body=(
        "The police have sent you an Operation Encompass notification about a pupil. Sign in "
        "to Safeguard to read it before the school day starts. For the child's safety, no "
        "details are given in this email."
    ),
    link="/encompass/received/{id}/",
)


@dataclass(frozen=True)
class ChildFacts:
    """A child in the household as Operation Encompass needs them: who, how old on the London
    date of the incident, where educated, and whether present and heard."""

    incident_child_id: int
    child_id: int
    name: str
    date_of_birth: date | None
    age: int | None  # on the London date of the incident; None when not known
    school_urn: str
    home_educated: bool
    present: bool
    where: str = ""
    spoken_to: bool = False
    spoken_to_alone: bool = False
    child_said: str = ""
    demeanour: str = ""


@dataclass(frozen=True)
class IncidentFacts:
    """A police-attended domestic abuse incident, told by the service that records it."""

    incident_id: int
    case_id: int
    case_unit_id: int
    force_id: int
    police_reference: str
    attended_at: datetime
    place: str
    circumstances: str
    children: tuple[ChildFacts, ...]


def _voice(child: ChildFacts) -> str:
    if not child.present:
        return "Not present at the incident."
    if not child.spoken_to:
        return "Present; not spoken to."
    alone = " (spoken to alone)" if child.spoken_to_alone else ""
    said = f' Said: "{child.child_said}".' if child.child_said else ""
    seemed = f" Seemed: {child.demeanour}." if child.demeanour else ""
    return f"Spoken to{alone}.{said}{seemed}"


def _due(force_id: int, incident_at: datetime, route: Route, school: School | None) -> datetime:
    calendar = (
        school_calendar_for(force_id=force_id, school_urn=school.urn, la_code=school.la_code)
        if school
        else None
    )
    return notification_due(
        incident_at=incident_at,
        route=route,
        calendar=calendar,
        school_starts_at=school.day_starts_at if school else None,
    )


def notification_clocks_rederive(notification: Notification, now: datetime) -> None:
    """After any change to a notification: its clock afresh from its stored times."""
    notification.refresh_from_db()
    clocks_rederive(
        record=notification,
        subject=ClockSubject(
            object_type="encompass_notification",
            object_id=notification.pk,
            force_id=notification.force_id,
            owner_id=notification.reviewed_by_id,
            unit_id=notification.unit_id,
            high_risk=False,
        ),
        now=now,
    )


def _case_of(notification: Notification) -> int | None:
    """The case the notification's incident rides on: its events go on that case's timeline."""
    return (
        Notification.objects.filter(pk=notification.pk)
        .values_list("incident__case_id", flat=True)
        .first()
    )


def _guard(step: Step, message: str) -> Callable[[Notification], None]:
    """A named guard: the notification is in a status the table allows `step` from."""

    def guard(notification: Notification) -> None:
        if not NOTIFICATION_LIFECYCLE.can(NotificationStatus(notification.status), step):
            raise DomainError("invalid", message)

    guard.__name__ = f"can_{step}"
    return guard


awaiting_school = _guard(Step.RESOLVE, NOT_TO_RESOLVE)
ready_to_send = _guard(Step.SEND, NOT_TO_REVIEW)


def sent_to_key_adult(notification: Notification) -> None:
    """Guard: only a sent notification can be acknowledged (once acknowledged, again is once)."""
    if notification.status not in (NotificationStatus.SENT, NotificationStatus.ACKNOWLEDGED):
        raise DomainError("invalid", NOT_SENT)


def _next(notification: Notification, step: Step) -> str:
    return str(NOTIFICATION_LIFECYCLE.next_status(NotificationStatus(notification.status), step))


def notifications_for_incident(
    *, actor: Actor, incident: IncidentFacts, now: datetime
) -> list[Notification]:
    """Called by the service that records an incident, in its unit of work: one notification
    per child aged 4 to 17 on the London date of the incident, due before the start of their
    next school day (docs/rules.md 4)."""
    desk = unit_of_type(incident.force_id, Unit.Type.ENCOMPASS)
    authorities = list(LocalAuthority.objects.filter(force_id=incident.force_id)[:2])
    made = []
    for child in incident.children:
        if not eligible(child.age):
            continue
        school = None if child.home_educated else school_by_urn(child.school_urn)
        route = route_for(school_known=school is not None, home_educated=child.home_educated)
        # A child educated at home goes to the local authority: known when the force has one.
        authority = (
            authorities[0] if route == Route.LOCAL_AUTHORITY and len(authorities) == 1 else None
        )
        resolved = route == Route.SCHOOL or authority is not None
        with record_create(
            actor=actor,
            now=now,
            audit_as="encompass_notification",
            clocks=notification_clocks_rederive,
            timeline_case=lambda _: incident.case_id,
        ) as change:
            made.append(
                change.created(
                    Notification.objects.create(
                        force_id=incident.force_id,
                        unit_id=desk.pk if desk else incident.case_unit_id,
                        incident_id=incident.incident_id,
                        incident_child_id=child.incident_child_id,
                        child_id=child.child_id,
                        route=route.value,
                        school=school,
                        local_authority=authority,
                        status=initial_status(resolved=resolved),
                        incident_at=incident.attended_at,
                        due_at=_due(incident.force_id, incident.attended_at, route, school),
                        child_name=child.name,
                        child_dob=child.date_of_birth,
                        police_reference=incident.police_reference,
                        place=incident.place,
                        present=child.present,
                        where=child.where,
                        voice=_voice(child),
                        circumstances=incident.circumstances[:600],
                        created_at=now,
                    )
                )
            )
    return made


def _for_update(actor: Actor, notification_id: int) -> Notification:
    notification = (
        Notification.objects.select_for_update()
        .filter(
            pk=notification_id,
            pk__in=notifications_visible_to(actor, Permission.ENCOMPASS_MANAGE).values("pk"),
        )
        .first()
    )
    if notification is None:
        raise NotFound()
    return notification


def notification_resolve(
    *,
    actor: Actor,
    notification_id: int,
    version: int,
    school_urn: str = "",
    local_authority_id: int | None = None,
    now: datetime,
) -> Notification:
    """Give a "to resolve" notification its school (by URN) or, for a child educated at home,
    its local authority. The deadline still runs from the incident. The school found is this
    notification's own record (the incident keeps the school the officer was told)."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _for_update(actor, notification_id),
        version=version,
        guard=awaiting_school,
        reason="resolve",
        clocks=notification_clocks_rederive,
        noun="notification",
    ) as change:
        notification = change.record
        school = school_by_urn(school_urn) if school_urn.strip() else None
        authority = (
            LocalAuthority.objects.filter(force_id=actor.force_id, pk=local_authority_id).first()
            if local_authority_id
            else None
        )
        if school_urn.strip() and school is None:
            refuse_if([("school_urn", UNKNOWN_SCHOOL)])
        if school is None and authority is None:
            refuse_if([("school_urn", "Enter the school's URN, or choose the local authority")])
        route = Route.SCHOOL if school else Route.LOCAL_AUTHORITY
        change.write(
            route=route.value,
            school_id=school.pk if school else None,
            local_authority_id=authority.pk if school is None and authority else None,
            status=_next(notification, Step.RESOLVE),
            due_at=_due(notification.force_id, notification.incident_at, route, school),
        )
    return notification


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str

    @property
    def name(self) -> str:
        return self.user.username if self.user else self.email


def _recipients(notification: Notification) -> list[Recipient]:
    if notification.route == Route.SCHOOL and notification.school is not None:
        adults = key_adults_for(notification.force_id, notification.school.urn)
        if not adults:
            raise DomainError("invalid", NO_KEY_ADULT.format(school=notification.school.name))
        return [Recipient(adult.user, adult.secure_email) for adult in adults]
    authority = notification.local_authority
    if authority is None:
        raise DomainError("invalid", "Resolve the school or local authority first")
    members = list(
        authority.members.filter(is_active=True, role_grants__role=Role.PARTNER).distinct()
    )
    if not members:
        raise DomainError("invalid", NO_LA_USER.format(la=authority.name))
    return [Recipient(member, member.email) for member in members]


def notification_send(
    *, actor: Actor, notification_id: int, version: int, circumstances: str, now: datetime
) -> Notification:
    """The Encompass officer reviews the brief circumstances and sends: each key adult gets a
    disclosure and an email with a link to the secure page; no child data is emailed. The
    event is about the child, so only their chronology holds it."""
    refuse_if([] if circumstances.strip() else [("circumstances", CIRCUMSTANCES)])
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _for_update(actor, notification_id),
        version=version,
        guard=ready_to_send,
        reason="send",
        clocks=notification_clocks_rederive,
        timeline_case=_case_of,
        noun="notification",
    ) as change:
        notification = change.record
        recipients = _recipients(notification)
        change.write(
            circumstances=circumstances.strip(),
            status=_next(notification, Step.SEND),
            sent_at=now,
            reviewed_by_id=actor.user_id,
        )
        link = NOTICE.link.format(id=notification.pk)
        for recipient in recipients:
            disclose(
                change,
                recipient_id=recipient.user.pk if recipient.user else None,
                recipient_name=recipient.name,
                recipient_email=recipient.email,
                object_type=DISCLOSURE,
                object_id=notification.pk,
                purpose=PURPOSE,
                notice=Notice(NOTICE.subject, NOTICE.body, link),
            )
        change.event(
            "encompass.sent",
            f"Operation Encompass notification sent for {notification.child_name}",
            about=notification.child_id,
        )
    return notification


def _received(actor: Actor, notification_id: int) -> Notification:
    notification = (
        notifications_visible_to(actor, Permission.ENCOMPASS_RECEIVE)
        .select_for_update()
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        raise NotFound()
    return notification


def notification_read(*, actor: Actor, notification_id: int, now: datetime) -> Notification:
    """A key adult opens the notification: the first opening is the read receipt (stored
    without a new version, so it makes no open review stale); every opening is audited."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _received(actor, notification_id),
        reason="read",
    ) as change:
        notification = change.record
        if notification.read_at is None:
            change.derive(read_at=now, read_by_id=actor.user_id)
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="encompass_notification",
            object_id=notification.pk,
            reason_code="read",
        )
    return notification


def notification_acknowledge(*, actor: Actor, notification_id: int, now: datetime) -> Notification:
    """The key adult says they have the notification and will act on it. Twice is once."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _received(actor, notification_id),
        guard=sent_to_key_adult,
        reason="acknowledge",
    ) as change:
        notification = change.record
        if notification.status == NotificationStatus.SENT:
            change.write(
                status=_next(notification, Step.ACKNOWLEDGE),
                acknowledged_at=now,
                acknowledged_by_id=actor.user_id,
                read_at=notification.read_at or now,
                read_by_id=notification.read_by_id or actor.user_id,
            )
    return notification
