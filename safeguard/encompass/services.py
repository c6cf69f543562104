"""Operation Encompass notifications: made for each child aged 4 to 17 when an incident is
recorded, resolved to a school or local authority, reviewed and sent through the outbox (the
email holds a link, never the child's details), read (a receipt) and acknowledged."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from safeguard.accounts.models import Unit, User
from safeguard.accounts.selectors import unit_of_type
from safeguard.cases.models import Case
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.clocks import ClockSubject, clocks_rederive
from safeguard.core.concurrency import update_versioned
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction, Disclosure
from safeguard.core.outbox import outbox_enqueue
from safeguard.core.permissions import Permission, Role
from safeguard.core.timeline import timeline_add
from safeguard.domestic_abuse.models import Incident, IncidentChild
from safeguard.encompass.models import Notification
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


def _voice(child: IncidentChild) -> str:
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


def _rederive(notification: Notification, now: datetime) -> None:
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


def _audit(actor: Actor, notification: Notification, action: AuditAction, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="encompass_notification",
        object_id=notification.pk,
        reason_code=reason,
    )


def notifications_for_incident(actor: Actor, incident: Incident, now: datetime) -> None:
    """Called as an incident is recorded: one notification per child aged 4 to 17."""
    case = Case.objects.get(pk=incident.case_id)
    desk = unit_of_type(incident.force_id, Unit.Type.ENCOMPASS)
    authorities = list(LocalAuthority.objects.filter(force_id=incident.force_id)[:2])
    for child in IncidentChild.objects.filter(incident=incident).select_related("child"):
        person = child.child
        if not eligible(person.age(incident.attended_at.date())):
            continue
        school = None if child.home_educated else school_by_urn(child.school_urn)
        route = route_for(school_known=school is not None, home_educated=child.home_educated)
        # A child educated at home goes to the local authority: known when the force has one.
        authority = (
            authorities[0] if route == Route.LOCAL_AUTHORITY and len(authorities) == 1 else None
        )
        resolved = route == Route.SCHOOL or authority is not None
        notification = Notification.objects.create(
            force_id=incident.force_id,
            unit_id=desk.pk if desk else case.unit_id,
            incident=incident,
            incident_child=child,
            child=person,
            route=route.value,
            school=school,
            local_authority=authority,
            status=Notification.Status.TO_REVIEW if resolved else Notification.Status.TO_RESOLVE,
            incident_at=incident.attended_at,
            due_at=_due(incident.force_id, incident.attended_at, route, school),
            child_name=person.full_name,
            child_dob=person.date_of_birth,
            police_reference=case.reference,
            place=incident.place,
            present=child.present,
            where=child.where,
            voice=_voice(child),
            circumstances=incident.account[:600],
            created_at=now,
        )
        _audit(actor, notification, AuditAction.CREATE)
        _rederive(notification, now)


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
    its local authority. The deadline still runs from the incident."""
    with transaction.atomic():
        notification = _for_update(actor, notification_id)
        if notification.status != Notification.Status.TO_RESOLVE:
            raise DomainError("invalid", NOT_TO_RESOLVE)
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
        update_versioned(
            notification,
            expected_version=version,
            changes={
                "route": route.value,
                "school_id": school.pk if school else None,
                "local_authority_id": None if school else authority.pk,  # type: ignore[union-attr]
                "status": Notification.Status.TO_REVIEW,
                "due_at": _due(notification.force_id, notification.incident_at, route, school),
            },
        )
        if school:
            IncidentChild.objects.filter(pk=notification.incident_child_id).update(
                school_urn=school.urn
            )
        _audit(actor, notification, AuditAction.UPDATE, "resolve")
        _rederive(notification, now)
    return notification


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str


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
    """The Encompass officer reviews the brief circumstances and sends: each key adult gets
    a disclosure and an email with a link to the secure page; no child data is emailed."""
    with transaction.atomic():
        notification = _for_update(actor, notification_id)
        if notification.status != Notification.Status.TO_REVIEW:
            raise DomainError("invalid", NOT_TO_REVIEW)
        refuse_if([] if circumstances.strip() else [("circumstances", CIRCUMSTANCES)])
        recipients = _recipients(notification)
        update_versioned(
            notification,
            expected_version=version,
            changes={
                "circumstances": circumstances.strip(),
                "status": Notification.Status.SENT,
                "sent_at": now,
                "reviewed_by_id": actor.user_id,
            },
        )
        link = f"/encompass/received/{notification.pk}/"
        for number, recipient in enumerate(recipients):
            if recipient.user is not None:
                Disclosure.objects.get_or_create(
                    force_id=notification.force_id,
                    object_type=DISCLOSURE,
                    object_id=str(notification.pk),
                    recipient=recipient.user,
                    defaults={
                        "disclosed_by_id": actor.user_id,
                        "purpose": "Operation Encompass (Domestic Abuse Act 2021 s49A)",
                        "disclosed_at": now,
                    },
                )
            if recipient.email:
                outbox_enqueue(
                    channel="email",
                    subject="Operation Encompass notification",
                    body=(
                        "The police have sent you an Operation Encompass notification about a "
                        "pupil. Sign in to Safeguard to read it before the school day starts. "
                        "For the child's safety, no details are given in this email."
                    ),
                    now=now,
                    force_id=notification.force_id,
                    recipient_user_id=recipient.user.pk if recipient.user else None,
                    to_address=recipient.email,
                    link=link,
                    dedupe_key=f"encompass:{notification.pk}:{number}:{recipient.email}",
                )
            audit_record(
                actor=actor,
                action=AuditAction.DISCLOSE,
                object_type="encompass_notification",
                object_id=notification.pk,
                recipient=recipient.user.username if recipient.user else recipient.email,
            )
        timeline_add(
            actor=actor,
            force_id=notification.force_id,
            case_id=Incident.objects.values_list("case_id", flat=True).get(
                pk=notification.incident_id
            ),
            kind="encompass.sent",
            title=f"Operation Encompass notification sent for {notification.child_name}",
            at=now,
        )
        _rederive(notification, now)
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
    """A key adult opens the notification: the first opening is the read receipt."""
    with transaction.atomic():
        notification = _received(actor, notification_id)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(
                read_at=now, read_by_id=actor.user_id
            )
            notification.read_at, notification.read_by_id = now, actor.user_id
        _audit(actor, notification, AuditAction.VIEW, "read")
    return notification


def notification_acknowledge(*, actor: Actor, notification_id: int, now: datetime) -> Notification:
    """The key adult says they have the notification and will act on it. Twice is once."""
    with transaction.atomic():
        notification = _received(actor, notification_id)
        if notification.status == Notification.Status.SENT:
            Notification.objects.filter(pk=notification.pk).update(
                status=Notification.Status.ACKNOWLEDGED,
                acknowledged_at=now,
                acknowledged_by_id=actor.user_id,
                read_at=notification.read_at or now,
                read_by_id=notification.read_by_id or actor.user_id,
                version=notification.version + 1,
            )
            _audit(actor, notification, AuditAction.UPDATE, "acknowledge")
        elif notification.status != Notification.Status.ACKNOWLEDGED:
            raise DomainError("invalid", NOT_SENT)
        notification.refresh_from_db()
    return notification
