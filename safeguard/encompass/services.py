"""Operation Encompass notifications: made for each child aged 4 to 17 when an incident is
recorded, resolved to a school or local authority, reviewed (brief circumstances written for the
school, previewed) and sent (a disclosure to each key adult, the email holding a link, never the
child's details), counted as sent once the outbox delivers an email (or the desk records another
route), read (a receipt), acknowledged, and the school's action recorded.

Each change is one unit of work (core.unit_of_work); the steps are the table in
rules/lifecycle.py. Encompass knows nothing of domestic abuse: the incident is told to it as
plain facts (`IncidentFacts`), by a call from the service that records the incident."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from safeguard.accounts.models import Unit, User
from safeguard.accounts.selectors import unit_of_type
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.clocks import ClockSubject, clocks_rederive
from safeguard.core.delivery import Delivery, delivery_requeue, delivery_states, email_text
from safeguard.core.disclosures import Notice, disclose
from safeguard.core.errors import DomainError, NotFound, refuse_if
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission, Role
from safeguard.core.unit_of_work import Change, record_change, record_create
from safeguard.encompass.models import Notification
from safeguard.encompass.rules.lifecycle import (
    NOTIFICATION_LIFECYCLE,
    NotificationStatus,
    Step,
    initial_status,
)
from safeguard.encompass.rules.notification import Route, eligible, notification_due, route_for
from safeguard.encompass.selectors import DISCLOSURE, delivery_prefix, notifications_visible_to
from safeguard.partners.models import LocalAuthority, School
from safeguard.partners.selectors import key_adults_for, school_by_urn, school_calendar_for

NOT_TO_RESOLVE = "This notification already has its school or local authority"
NOT_TO_REVIEW = "Only a notification waiting for review can be sent"
NO_KEY_ADULT = "{school} has no key adult on record: add its DSL on the school page first"
NO_LA_USER = "{la} has no user to receive notifications"
NOT_SENT = "This notification has not been sent"
UNKNOWN_SCHOOL = "No school with that URN is in the schools directory"
CIRCUMSTANCES = "Enter brief circumstances for the school"
CIRCUMSTANCES_MAX = 2000
CIRCUMSTANCES_TOO_LONG = f"Brief circumstances must be {CIRCUMSTANCES_MAX} characters or fewer"
PHONE_MAX = 40
PHONE_TOO_LONG = f"A phone number must be {PHONE_MAX} characters or fewer"
NOT_UNDELIVERED = "Only a notification whose delivery failed can be sent again"
NOT_DELIVERING = "Only a notification not yet delivered can be recorded as told another way"
NOTHING_TO_RETRY = "No email is waiting to be sent again: record how you told the school instead"
OTHER_ROUTE = "Say how and when you told the school (for example, a phone call to the DSL)"
OTHER_ROUTE_MAX = 500
OTHER_ROUTE_TOO_LONG = f"How you told the school must be {OTHER_ROUTE_MAX} characters or fewer"
ACTION = "Enter the action the school took"
ACTION_MAX = 1000
ACTION_TOO_LONG = f"The action taken must be {ACTION_MAX} characters or fewer"
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
    children: tuple[ChildFacts, ...]
    # The officer's account of the incident is not told: brief circumstances are written for
    # the school by the desk (docs/rules.md 4.2).


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
delivery_failed = _guard(Step.RETRY, NOT_UNDELIVERED)
not_yet_delivered = _guard(Step.OTHER_ROUTE, NOT_DELIVERING)


def sent_to_key_adult(notification: Notification) -> None:
    """Guard: only a sent notification can be acknowledged (once acknowledged, again is once)."""
    if notification.status != NotificationStatus.ACKNOWLEDGED and not NOTIFICATION_LIFECYCLE.can(
        NotificationStatus(notification.status), Step.ACKNOWLEDGE
    ):
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
                        circumstances="",
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
    name: str
    email: str


def _recipients(notification: Notification) -> list[Recipient]:
    if notification.route == Route.SCHOOL and notification.school is not None:
        adults = key_adults_for(notification.force_id, notification.school.urn)
        if not adults:
            raise DomainError("invalid", NO_KEY_ADULT.format(school=notification.school.name))
        return [Recipient(adult.user, adult.name, adult.secure_email) for adult in adults]
    authority = notification.local_authority
    if authority is None:
        raise DomainError("invalid", "Resolve the school or local authority first")
    members = list(
        authority.members.filter(is_active=True, role_grants__role=Role.PARTNER).distinct()
    )
    if not members:
        raise DomainError("invalid", NO_LA_USER.format(la=authority.name))
    return [Recipient(member, member.display_name, member.email) for member in members]


@dataclass(frozen=True)
class Contact:
    """The police contact the school is given: the sending officer, their desk, a phone."""

    name: str
    unit: str
    phone: str
    email: str


def _contact(actor: Actor, notification: Notification, phone: str) -> Contact:
    user = User.objects.filter(pk=actor.user_id).first()
    unit = Unit.objects.filter(pk=notification.unit_id).values_list("name", flat=True).first()
    return Contact(
        name=user.display_name if user else actor.username,
        unit=unit or "",
        phone=phone.strip(),
        email=user.email if user else "",
    )


def last_contact_phone(*, actor: Actor, unit_id: int) -> str:
    """The phone number this desk last gave a school: the default for the next one."""
    return (
        Notification.objects.filter(force_id=actor.force_id, unit_id=unit_id)
        .exclude(contact_phone="")
        .order_by("-queued_at", "-pk")
        .values_list("contact_phone", flat=True)
        .first()
        or ""
    )


@dataclass(frozen=True)
class Preview:
    """Exactly what sending will do: the school's page (`page`, the notification as the key
    adult will read it, not saved), who gets it, and the email each of them gets."""

    page: Notification
    recipients: list[Recipient]
    subject: str
    email: str  # the email's text, as the outbox sends it

    @property
    def link(self) -> str:
        return NOTICE.link.format(id=self.page.pk)


def _checked(circumstances: str, contact_phone: str) -> None:
    problems: list[tuple[str, str]] = []
    if not circumstances.strip():
        problems.append(("circumstances", CIRCUMSTANCES))
    elif len(circumstances.strip()) > CIRCUMSTANCES_MAX:
        problems.append(("circumstances", CIRCUMSTANCES_TOO_LONG))
    if len(contact_phone.strip()) > PHONE_MAX:
        problems.append(("contact_phone", PHONE_TOO_LONG))
    refuse_if(problems)


def _as_sent(notification: Notification, circumstances: str, contact: Contact) -> Notification:
    page = copy.copy(notification)
    page.circumstances = circumstances.strip()
    page.contact_name, page.contact_unit = contact.name, contact.unit
    page.contact_phone, page.contact_email = contact.phone, contact.email
    return page


def notification_preview(
    *, actor: Actor, notification: Notification, circumstances: str, contact_phone: str
) -> Preview:
    """What sending `notification` (read through selectors.notification_get) with these brief
    circumstances would share, with whom, and the email's text: nothing is written."""
    actor.require(Permission.ENCOMPASS_MANAGE)
    _checked(circumstances, contact_phone)
    ready_to_send(notification)
    contact = _contact(actor, notification, contact_phone)
    page = _as_sent(notification, circumstances, contact)
    link = NOTICE.link.format(id=notification.pk)
    return Preview(
        page=page,
        recipients=_recipients(notification),
        subject=NOTICE.subject,
        email=email_text(NOTICE.body, link),
    )


def notification_send(
    *,
    actor: Actor,
    notification_id: int,
    version: int,
    circumstances: str,
    now: datetime,
    contact_phone: str = "",
) -> Notification:
    """The Encompass officer sends after the preview: the brief circumstances written for the
    school and the police contact are stored as previewed; each key adult gets a disclosure
    and an email with a link to the secure page (no child data is emailed). It counts as sent
    when the outbox delivers an email (`notification_delivery`), not now."""
    _checked(circumstances, contact_phone)
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
        contact = _contact(actor, notification, contact_phone)
        change.write(
            circumstances=circumstances.strip(),
            contact_name=contact.name,
            contact_unit=contact.unit,
            contact_phone=contact.phone,
            contact_email=contact.email,
            status=_next(notification, Step.SEND),
            queued_at=now,
            delivery_error="",
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
            f"Operation Encompass notification sent for {notification.child_name}, to the "
            "outbox: it counts as sent once delivered",
            about=notification.child_id,
        )
    return notification


def _delivered_event(change: Change[Notification], notification: Notification, how: str) -> None:
    change.event(
        "encompass.delivered",
        f"Operation Encompass notification delivered for {notification.child_name}",
        how,
        about=notification.child_id,
    )


def notification_delivery(delivery: Delivery) -> None:
    """The outbox's listener (core.delivery, registered in apps.py): the first email delivered
    to a key adult makes the notification sent, at that moment (the clock is met then); when
    every email has been given up, it is undelivered and on the desk for the officer to act.
    Runs in the outbox's transaction, as the outbox (no person)."""
    parts = delivery.dedupe_key.split(":")
    try:
        notification_id = int(parts[2])
    except (IndexError, ValueError):
        return
    found = Notification.objects.filter(pk=notification_id).values_list("force_id").first()
    if found is None:
        return
    outbox = Actor(user_id=0, username="outbox", force_id=found[0], channel="worker")
    with record_change(
        actor=outbox,
        now=delivery.at,
        audit_as="encompass_notification",
        lock=lambda: Notification.objects.select_for_update().get(pk=notification_id),
        reason="delivered" if delivery.delivered else "undelivered",
        clocks=notification_clocks_rederive,
        timeline_case=_case_of,
    ) as change:
        notification = change.record
        status = NotificationStatus(notification.status)
        if delivery.delivered:
            if NOTIFICATION_LIFECYCLE.can(status, Step.DELIVER):
                change.write(
                    status=_next(notification, Step.DELIVER),
                    sent_at=delivery.at,
                    delivery_error="",
                )
                _delivered_event(change, notification, "Delivered by email to a key adult.")
            return
        if not NOTIFICATION_LIFECYCLE.can(status, Step.GIVE_UP):
            return
        states = delivery_states(delivery_prefix(notification.pk)).values()
        if all(state.given_up for state in states):
            change.write(
                status=_next(notification, Step.GIVE_UP), delivery_error=delivery.reason[:300]
            )


def notification_retry(
    *, actor: Actor, notification_id: int, version: int, now: datetime
) -> Notification:
    """Send an undelivered notification's emails again, from attempt one (the outbox)."""
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _for_update(actor, notification_id),
        version=version,
        guard=delivery_failed,
        reason="retry",
        clocks=notification_clocks_rederive,
        noun="notification",
    ) as change:
        notification = change.record
        if not delivery_requeue(delivery_prefix(notification.pk), now=now):
            raise DomainError("invalid", NOTHING_TO_RETRY)
        change.write(status=_next(notification, Step.RETRY), delivery_error="")
    return notification


def notification_other_route(
    *, actor: Actor, notification_id: int, version: int, how: str, now: datetime
) -> Notification:
    """The desk told the school another way (a phone call to the DSL, a secure email from the
    desk): that is the delivery, so the notification is sent now and its clock met."""
    how = how.strip()
    if not how:
        refuse_if([("other_route", OTHER_ROUTE)])
    if len(how) > OTHER_ROUTE_MAX:
        refuse_if([("other_route", OTHER_ROUTE_TOO_LONG)])
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _for_update(actor, notification_id),
        version=version,
        guard=not_yet_delivered,
        reason="other_route",
        clocks=notification_clocks_rederive,
        timeline_case=_case_of,
        noun="notification",
    ) as change:
        notification = change.record
        change.write(
            status=_next(notification, Step.OTHER_ROUTE),
            sent_at=now,
            other_route=how,
            other_route_by_id=actor.user_id,
        )
        _delivered_event(change, notification, f"Told another way: {how}")
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
        if notification.status != NotificationStatus.ACKNOWLEDGED:
            # A key adult who acknowledges has it: if no delivery was recorded yet, this is it.
            change.write(
                status=_next(notification, Step.ACKNOWLEDGE),
                acknowledged_at=now,
                acknowledged_by_id=actor.user_id,
                read_at=notification.read_at or now,
                read_by_id=notification.read_by_id or actor.user_id,
                sent_at=notification.sent_at or now,
                delivery_error="",
            )
    return notification


def notification_record_action(
    *,
    actor: Actor,
    notification_id: int,
    action_taken: str,
    now: datetime,
    version: int | None = None,
) -> Notification:
    """The school's key adult records what the school did (shown to the police on the
    notification); recording again replaces it, each change audited."""
    action_taken = action_taken.strip()
    if not action_taken:
        refuse_if([("action_taken", ACTION)])
    if len(action_taken) > ACTION_MAX:
        refuse_if([("action_taken", ACTION_TOO_LONG)])
    with record_change(
        actor=actor,
        now=now,
        audit_as="encompass_notification",
        lock=lambda: _received(actor, notification_id),
        version=version,
        guard=sent_to_key_adult,
        reason="school_action",
        noun="notification",
    ) as change:
        change.write(
            action_taken=action_taken,
            action_recorded_at=now,
            action_recorded_by_id=actor.user_id,
        )
    return change.record
