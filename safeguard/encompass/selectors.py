"""Reads of Operation Encompass notifications: the desk's lists and compliance (scoped to the
Encompass unit), and a key adult's received notifications (only those disclosed to them)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import F, QuerySet
from django.utils import timezone

from safeguard.cases.rules.naming import Subject, record_name
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import RecordLabel
from safeguard.core.delivery import DeliveryState, delivery_states
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction
from safeguard.core.permissions import Permission
from safeguard.core.scoping import scope_queryset
from safeguard.encompass.models import Notification
from safeguard.encompass.rules.lifecycle import TO_SEND, UNSENT, NotificationStatus
from safeguard.encompass.rules.notification import next_working_day_start
from safeguard.partners.models import LocalAuthority

DISCLOSURE = "encompass_notification"
LIST_LIMIT = 200


def notifications_visible_to(actor: Actor, permission: Permission) -> QuerySet[Notification]:
    return scope_queryset(
        Notification.objects.all(),
        actor=actor,
        permission=permission,
        object_type=DISCLOSURE,
        unit_field="unit",
    )


def local_authorities(*, actor: Actor) -> QuerySet[LocalAuthority]:
    """The local authorities of the actor's force, by name (to resolve a child at home)."""
    return LocalAuthority.objects.filter(force_id=actor.force_id).order_by("name")


def resolved_school_urns(*, incident_id: int) -> dict[int, str]:
    """For an incident's children, the school each notification was resolved to (child id to
    URN): the desk may have found a school the attending officer was not told."""
    return dict(
        Notification.objects.filter(incident_id=incident_id, school__isnull=False).values_list(
            "child_id", "school__urn"
        )
    )


def delivery_prefix(notification_id: int) -> str:
    """The dedupe keys of a notification's emails start with this (core.disclosures)."""
    return f"disclosure:{DISCLOSURE}:{notification_id}:"


def notification_deliveries(*, actor: Actor, notification: Notification) -> list[DeliveryState]:
    """Where each of a notification's emails stands (one per key adult), for the desk: read
    from the outbox by the emails' dedupe keys (core.delivery). `notification` was read
    through notification_get, which audited the read."""
    actor.require(Permission.ENCOMPASS_MANAGE)
    states = delivery_states(delivery_prefix(notification.pk))
    return sorted(states.values(), key=lambda state: state.to_address)


def notification_get(*, actor: Actor, notification_id: int) -> Notification:
    notification = (
        notifications_visible_to(actor, Permission.ENCOMPASS_MANAGE)
        .select_related("school", "local_authority", "child", "incident", "reviewed_by")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        raise NotFound()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="encompass_notification",
        object_id=notification.pk,
    )
    return notification


def _tomorrow_cutoff(now: datetime) -> datetime:
    """Noon on the next working day: everything due by then is on today's list, so on a Friday
    evening Monday morning's notifications are already there."""
    zone = timezone.get_current_timezone()
    today = london_date(now)
    end_of_today = timezone.make_aware(datetime.combine(today, time(23, 59)), zone)
    return next_working_day_start(end_of_today, time(12, 0))


@dataclass
class Desk:
    due: list[Notification]
    undelivered: list[Notification]  # every email given up: retry, or record another route
    sending: list[Notification]  # in the outbox, no email delivered yet
    sent_unread: list[Notification]
    read_unacknowledged: list[Notification]
    acknowledged: list[Notification]
    overdue_count: int
    to_resolve_count: int


def encompass_desk(*, actor: Actor, now: datetime) -> Desk:
    """The Encompass officer's lists: notifications to send that are due before tomorrow's
    school start (soonest first, overdue at the top), those whose delivery failed and those
    still in the outbox (a notification counts as sent only once delivered), then sent and
    unread, read and unacknowledged, and recently acknowledged."""
    visible = notifications_visible_to(actor, Permission.ENCOMPASS_MANAGE).select_related(
        "school", "local_authority"
    )
    unsent = visible.filter(status__in=UNSENT)
    due = list(
        visible.filter(status__in=TO_SEND, due_at__lte=_tomorrow_cutoff(now)).order_by(
            "due_at", "pk"
        )[:LIST_LIMIT]
    )
    sent = visible.filter(status=NotificationStatus.SENT)
    desk = Desk(
        due=due,
        undelivered=list(
            visible.filter(status=NotificationStatus.UNDELIVERED).order_by("due_at", "pk")[
                :LIST_LIMIT
            ]
        ),
        sending=list(
            visible.filter(status=NotificationStatus.SENDING).order_by("due_at", "pk")[:LIST_LIMIT]
        ),
        sent_unread=list(sent.filter(read_at__isnull=True).order_by("-sent_at")[:LIST_LIMIT]),
        read_unacknowledged=list(
            sent.filter(read_at__isnull=False).order_by("-sent_at")[:LIST_LIMIT]
        ),
        acknowledged=list(
            visible.filter(status=NotificationStatus.ACKNOWLEDGED).order_by("-acknowledged_at")[:50]
        ),
        overdue_count=unsent.filter(due_at__lt=now).count(),
        to_resolve_count=unsent.filter(status=NotificationStatus.TO_RESOLVE).count(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="encompass_notification",
        object_id="list",
        reason_code="desk",
    )
    return desk


@dataclass
class Compliance:
    label: str
    due: int = 0
    on_time: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


@dataclass
class ComplianceReport:
    by_month: list[Compliance] = field(default_factory=list)
    by_school: list[Compliance] = field(default_factory=list)


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def encompass_compliance(*, actor: Actor, months: int, now: datetime) -> ComplianceReport:
    """% of notifications sent before the next school day started, by month (UK) and by
    school, over notifications whose deadline has passed or which were sent."""
    actor.require(Permission.ENCOMPASS_MANAGE)
    zone = timezone.get_current_timezone()
    first = _months_back(london_date(now), months)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), zone)
    rows = (
        notifications_visible_to(actor, Permission.ENCOMPASS_MANAGE)
        .filter(incident_at__gte=start)
        .values_list("incident_at", "due_at", "sent_at", "school__name")
    )
    by_month: dict[date, Compliance] = {}
    index = first
    for _ in range(months):
        by_month[index] = Compliance(f"{index:%b %Y}")
        index = date(index.year + index.month // 12, index.month % 12 + 1, 1)
    by_school: dict[str, Compliance] = defaultdict(lambda: Compliance(""))
    for incident_at, due_at, sent_at, school in rows:
        if sent_at is None and due_at > now:
            continue  # not yet due: neither on time nor late
        on_time = sent_at is not None and sent_at <= due_at
        local = timezone.localtime(incident_at, zone)
        month = by_month.get(date(local.year, local.month, 1))
        if month is not None:
            month.due += 1
            month.on_time += on_time
        entry = by_school[school or "Local authority or school not known"]
        entry.label = school or "Local authority or school not known"
        entry.due += 1
        entry.on_time += on_time
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="encompass_notification",
        object_id="compliance",
        reason_code="aggregates",
    )
    return ComplianceReport(
        list(by_month.values()),
        sorted(by_school.values(), key=lambda c: (c.percent or 0, c.label)),
    )


def received_notifications(*, actor: Actor) -> list[Notification]:
    """A key adult's notifications: only those disclosed to them, newest first."""
    notifications = list(
        notifications_visible_to(actor, Permission.ENCOMPASS_RECEIVE)
        .select_related("school")
        .order_by("-sent_at", "-pk")[:LIST_LIMIT]
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="encompass_notification",
        object_id="list",
        reason_code="received",
    )
    return notifications


def notification_record_labels(notification_ids: list[int]) -> dict[int, RecordLabel]:
    """Names of notifications for core's lists and messages (clock rows, escalation emails):
    the police reference and the child, as cases are named (cases/rules/naming.py)."""
    today = london_date(timezone.now())
    rows = (
        Notification.objects.filter(pk__in=notification_ids)
        .select_related("child", "reviewed_by")
        .annotate(case_reference=F("incident__case__reference"))
    )
    return {
        row.pk: RecordLabel(
            name=record_name(
                getattr(row, "case_reference", "") or row.police_reference,
                [Subject(row.child.full_name, row.child.age(today))],
            ),
            owner=row.reviewed_by.display_name if row.reviewed_by else "",
        )
        for row in rows
    }
