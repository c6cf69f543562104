"""Reads of domestic abuse incidents and the triage queue: scoped through their cases, audited."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from safeguard.cases.selectors import cases_visible_to
from safeguard.core.actor import Actor
from safeguard.core.audit import audit_record
from safeguard.core.calendars import london_date
from safeguard.core.clocks import ClockView, clocks_for_many
from safeguard.core.errors import NotFound
from safeguard.core.models import AuditAction, ClockState
from safeguard.core.permissions import Permission
from safeguard.domestic_abuse.models import DaPolicySetting, Incident, MaracReferral
from safeguard.domestic_abuse.rules.forecast import Forecast, forecast_backlog
from safeguard.domestic_abuse.rules.triage import OPEN

QUEUE_PAGE = 50
# The name of the triage clock (domestic_abuse.clocks.TRIAGE, which reads this module).
TRIAGE_CLOCK = "da.triage"
# The queue is OPEN (waiting or being assessed): an IN list (not NOT done), so its index is used.
# The backlog at which the capacity page warns: the inspectorate found 500 in three weeks.
DEFAULT_BACKLOG_THRESHOLD = 200


def da_policy_for(force_id: int) -> DaPolicySetting:
    """The force's domestic abuse policy, made with the defaults the first time it is asked
    for (docs/rules.md 3.4). Not personal data: the clocks read it without an actor."""
    setting, _ = DaPolicySetting.objects.select_related("updated_by").get_or_create(
        force_id=force_id
    )
    return setting


def da_policy_get(*, actor: Actor) -> DaPolicySetting:
    actor.require(Permission.POLICY_VIEW)
    return da_policy_for(actor.force_id)


def incidents_visible_to(
    actor: Actor, permission: Permission = Permission.CASE_VIEW
) -> QuerySet[Incident]:
    return Incident.objects.filter(case__in=cases_visible_to(actor, permission))


def incident_get(*, actor: Actor, incident_id: int) -> Incident:
    incident = (
        incidents_visible_to(actor)
        .select_related("case", "victim", "suspect", "triage_owner")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFound()
    audit_record(
        actor=actor, action=AuditAction.VIEW, object_type="da_incident", object_id=incident.pk
    )
    return incident


def incident_for_case(*, actor: Actor, case_id: int) -> Incident | None:
    return incidents_visible_to(actor).filter(case_id=case_id).first()


def earlier_incidents_of_victim(incident: Incident) -> tuple[datetime, ...]:
    """When the same victim's other incidents were attended (the escalation route)."""
    return tuple(
        Incident.objects.filter(force_id=incident.force_id, victim_id=incident.victim_id)
        .exclude(pk=incident.pk)
        .values_list("attended_at", flat=True)
    )


def last_marac_referral_at(incident: Incident) -> datetime | None:
    return (
        MaracReferral.objects.filter(force_id=incident.force_id, victim_id=incident.victim_id)
        .exclude(incident_id=incident.pk)
        .filter(decided_at__lte=incident.attended_at)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class QueuePage:
    items: Sequence[Incident]
    total: int
    page: int
    pages: int
    # Each item's da.triage clock, by incident id: its due time and status as of `now`
    # (breached: overdue), as the clock and its escalation ladder stand.
    triage_clocks: Mapping[int, ClockView] = field(default_factory=dict)

    def overdue(self, incident: Incident) -> bool:
        clock = self.triage_clocks.get(incident.pk)
        return clock is not None and clock.status == ClockState.Status.BREACHED


def _triage_clocks(incidents: Sequence[Incident], now: datetime) -> dict[int, ClockView]:
    by_case = {incident.case_id: incident.pk for incident in incidents}
    clocks = clocks_for_many(object_type="case", object_ids=by_case, now=now)
    return {
        by_case[case_id]: clock
        for case_id, views in clocks.items()
        for clock in views
        if clock.name == TRIAGE_CLOCK
    }


# docs/rules.md 3.1: highest risk first (ungraded ranks as high), then oldest, the same for the
# page and its download.
QUEUE_ORDER = ("queue_rank", "attended_at", "pk")


def triage_queue(*, actor: Actor, page: int = 1, now: datetime | None = None) -> QueuePage:
    """Incidents awaiting secondary assessment, highest risk first (not yet graded counts as
    high), then oldest first (docs/rules.md 3.1). The rank is a stored column, and the partial
    index da_queue_order holds (force, rank, attended_at, id) for the open queue."""
    waiting = incidents_visible_to(actor).filter(force_id=actor.force_id, triage_status__in=OPEN)
    total = waiting.count()
    pages = max(1, -(-total // QUEUE_PAGE))
    page = min(max(1, page), pages)
    items = list(
        waiting.select_related("case", "victim", "triage_owner").order_by(*QUEUE_ORDER)[
            (page - 1) * QUEUE_PAGE : page * QUEUE_PAGE
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="da_incident",
        object_id="list",
        reason_code="triage_queue",
    )
    return QueuePage(items, total, page, pages, _triage_clocks(items, now or timezone.now()))


@dataclass(frozen=True)
class Capacity:
    days: list[date]
    arrivals: list[int]
    completions: list[int]
    backlog_now: int
    forecast: Forecast


def _per_day(rows: QuerySet, days: list[date]) -> list[int]:
    counts = {row["day"]: row["n"] for row in rows}
    return [counts.get(day, 0) for day in days]


def triage_capacity(
    *, actor: Actor, now: datetime, days: int = 28, threshold: int = DEFAULT_BACKLOG_THRESHOLD
) -> Capacity:
    """Arrivals and completions per day over the last `days`, the backlog now, and the
    21-day forecast. Counts only, so they reach as far as DA_CAPACITY_VIEW does (the force
    for a supervisor, whatever unit they belong to; the triage unit for its investigators),
    not as far as reading a case does: a supervisor outside the triage unit saw only zeros."""
    zone = timezone.get_current_timezone()
    today = london_date(now)
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = timezone.make_aware(datetime.combine(span[0], datetime.min.time()), zone)
    visible = incidents_visible_to(actor, Permission.DA_CAPACITY_VIEW)
    arrivals = _per_day(
        visible.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk")),
        span,
    )
    completions = _per_day(
        visible.filter(triage_completed_at__gte=start)
        .annotate(day=TruncDate("triage_completed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk")),
        span,
    )
    backlog = visible.filter(triage_status__in=OPEN).count()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="da_incident",
        object_id="capacity",
        reason_code="aggregates",
    )
    return Capacity(
        span,
        arrivals,
        completions,
        backlog,
        forecast_backlog(
            arrivals=arrivals,
            completions=completions,
            backlog_now=backlog,
            today=today,
            threshold=threshold,
        ),
    )


def triage_queue_rows(*, actor: Actor) -> QuerySet[Incident]:
    """Every incident of the triage queue, in the queue's order (triage_queue's rows without
    its pages), for the queue's download; the download audits itself."""
    return (
        incidents_visible_to(actor)
        .filter(force_id=actor.force_id, triage_status__in=OPEN)
        .select_related("case", "victim", "triage_owner")
        .order_by(*QUEUE_ORDER)
    )
