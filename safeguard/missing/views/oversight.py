"""Oversight pages (thin): the duty inspector's board of children missing now, the monthly
figures, a child's missing history, the force's response times, and a local authority's
return home interview tasks."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguard.core.actor import Actor
from safeguard.core.clocks import ClockView
from safeguard.core.models import ClockState
from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.frontend.charts import BarChart, Series, bar_chart
from safeguard.frontend.exports import Column, export_response
from safeguard.frontend.forms import form_data
from safeguard.frontend.pages import form_page
from safeguard.missing import selectors, services
from safeguard.missing.forms import ReturnInterviewForm
from safeguard.missing.models import ReturnInterview
from safeguard.missing.oversight_forms import (
    DEFAULT_MONTHS,
    FiguresForm,
    InterviewFilterForm,
    MissingPolicyForm,
)
from safeguard.missing.rules import response
from safeguard.missing.rules.grading import Grade


def _actor(request: ActorRequest, section: str) -> Actor:
    request.nav_section = section
    return request.actor


# The board -----------------------------------------------------------------------------------

# Highest first, as the board sorts and the inspector reads.
GRADES_DOWN = sorted(Grade, key=lambda g: -g.rank)
_OPEN = (ClockState.Status.BREACHED, ClockState.Status.RUNNING)


@dataclass(frozen=True)
class BoardLine:
    """A board row as the page shows it: the deadline most in need of attention, and its tag."""

    row: selectors.BoardRow
    clock: ClockView | None
    tag_text: str
    tag_colour: str
    acknowledge: bool


def _board_line(row: selectors.BoardRow, now: datetime, can_acknowledge: bool) -> BoardLine:
    # The most overdue deadline, else the next one due (an overdue one is always due earlier).
    clock = min((c for c in row.clocks if c.status in _OPEN), key=lambda c: c.due_at, default=None)
    text, colour = clock.tag(now) if clock else ("", "")
    episode = row.episode
    waiting = episode.grade == Grade.HIGH and episode.inspector_informed_at is None
    return BoardLine(row, clock, text, colour, can_acknowledge and waiting)


def _board_context(actor: Actor) -> dict[str, object]:
    now = timezone.now()
    can_acknowledge = actor.can(Permission.DUTY_VIEW)
    lines = [
        _board_line(row, now, can_acknowledge)
        for row in selectors.active_board(actor=actor, now=now)
    ]
    counts = Counter(line.row.episode.grade for line in lines)
    return {
        "lines": lines,
        "by_grade": [(grade.value, grade.label, counts[grade.value]) for grade in GRADES_DOWN],
        "overdue": sum(1 for line in lines if line.row.overdue),
        "can_acknowledge": can_acknowledge,
    }


@requires(Permission.CASE_VIEW)
def board(request: ActorRequest) -> HttpResponse:
    """Every child missing now that the user can see, overdue deadlines first."""
    actor = _actor(request, "missing")
    context = _board_context(actor)
    if request.GET.get("fragment") == "board":
        # live.js asks for this every LIVE_REFRESH_SECONDS, so the board keeps itself current.
        return render(request, "missing/includes/board.html", context)
    return render(
        request,
        "missing/board.html",
        context
        | {
            "live_seconds": settings.LIVE_REFRESH_SECONDS,
            "can_report": actor.can(Permission.CASE_CREATE),
        },
    )


# Figures -------------------------------------------------------------------------------------

GRADE_CSS = {
    Grade.HIGH: "high",
    Grade.MEDIUM: "medium",
    Grade.LOW: "low",
    Grade.NO_APPARENT_RISK: "none",
}


def _charts(months: list[selectors.MonthFigures], threshold: int) -> list[BarChart]:
    labels = [f"{m.month:%b %Y}" for m in months]
    long_labels = [f"{m.month:%B %Y}" for m in months]

    def single(
        chart_id: str,
        title: str,
        values: list[float | None],
        unit: str = "",
        maximum: float | None = None,
    ) -> BarChart:
        return bar_chart(
            chart_id=chart_id,
            title=title,
            labels=labels,
            long_labels=long_labels,
            series=[Series(title, "value", values)],
            unit=unit,
            maximum=maximum,
        )

    return [
        bar_chart(
            chart_id="chart-episodes",
            title="Episodes by risk grade",
            labels=labels,
            long_labels=long_labels,
            series=[
                Series(g.label, GRADE_CSS[g], [m.by_grade.get(g.value, 0) for m in months])
                for g in GRADES_DOWN
            ],
        ),
        single(
            "chart-attendance",
            "Median minutes from report to first attendance",
            [m.median_minutes_to_attend for m in months],
        ),
        single(
            "chart-interviews",
            "Return home interviews offered within 72 hours",
            [m.rhi_percent for m in months],
            unit="%",
            maximum=100,
        ),
        single(
            "chart-repeat",
            f"Children missing {threshold} or more times in the month",
            [m.repeat_children for m in months],
        ),
    ]


@requires(Permission.MISSING_FIGURES_VIEW)
def figures(request: ActorRequest) -> HttpResponse:
    """Aggregates only: no child is named, so analysts may see it."""
    actor = _actor(request, "missing_figures")
    form = FiguresForm(request.GET if "months" in request.GET else {"months": DEFAULT_MONTHS})
    rows = (
        selectors.monthly_figures(
            actor=actor, months=form.cleaned_data["months"], now=timezone.now()
        )
        if form.is_valid()
        else []
    )
    threshold = selectors.missing_policy_for(actor.force_id).repeat_threshold
    return render(
        request,
        "missing/figures.html",
        {
            "form": form,
            "table": [(m, [m.by_grade.get(g.value, 0) for g in GRADES_DOWN]) for m in rows],
            "charts": _charts(rows, threshold) if rows else [],
            "grades": [(g.value, g.label) for g in GRADES_DOWN],
            "threshold": threshold,
        },
    )


# A child's missing history -------------------------------------------------------------------


@requires(Permission.PERSON_VIEW)
def child_profile(request: ActorRequest, person_id: int) -> HttpResponse:
    actor = _actor(request, "people")
    now = timezone.now()
    return render(
        request,
        "missing/child_profile.html",
        {
            "profile": selectors.child_profile(actor=actor, person_id=person_id, now=now),
            "now": now,
            "can_report": actor.can(Permission.CASE_CREATE),
        },
    )


# Force policy --------------------------------------------------------------------------------

POLICY_FIELDS = list(response.POLICY_RANGES)


@requires(Permission.POLICY_VIEW)
def policy(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    return render(
        request,
        "missing/policy.html",
        {
            "setting": selectors.missing_policy_get(actor=actor),
            "defaults": response.ResponsePolicy(),
            "can_manage": actor.can(Permission.POLICY_MANAGE),
        },
    )


@requires(Permission.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def policy_edit(request: ActorRequest) -> HttpResponse:
    actor = _actor(request, "policy")
    setting = selectors.missing_policy_get(actor=actor)
    form = MissingPolicyForm(
        form_data(request),
        initial={name: getattr(setting, name) for name in POLICY_FIELDS}
        | {"version": setting.version},
    )
    return form_page(
        request,
        form,
        template="missing/policy_edit.html",
        context={},
        write=lambda data: services.missing_policy_update(
            actor=actor,
            version=data["version"],
            data=response.ResponsePolicy(**{name: data[name] for name in POLICY_FIELDS}),
            now=timezone.now(),
        ),
        success="Missing children response times saved",
        done_url=reverse("missing:policy"),
        conflict_on=("missing_policy", setting.pk),
        read_version=setting.version,
    )


# A local authority's return home interviews --------------------------------------------------


def _interview_tasks(
    request: ActorRequest, actor: Actor, now: datetime
) -> tuple[InterviewFilterForm, list[ReturnInterview]]:
    """The filter form and the tasks it selects, for the page and its download alike."""
    authorities = selectors.local_authorities_of(actor=actor)
    form = InterviewFilterForm(request.GET or None, local_authorities=authorities)
    status, overdue, authority = "all", False, None
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or "all"
        overdue = form.cleaned_data["overdue"]
        authority = form.cleaned_data["local_authority"]
    elif not form.is_bound:
        form = InterviewFilterForm(initial={"status": "all"}, local_authorities=authorities)
    tasks = selectors.return_interviews_disclosed_to(
        actor=actor, status=status, overdue_only=overdue, local_authority_id=authority, now=now
    )
    return form, tasks


@requires(Permission.RETURN_INTERVIEW_RECORD)
def interview_list(request: ActorRequest) -> HttpResponse:
    """The tasks disclosed to this local authority user: to do first, soonest due first;
    filtered by status (to do by default), only overdue, and local authority."""
    actor = _actor(request, "interviews")
    now = timezone.now()
    form, tasks = _interview_tasks(request, actor, now)
    return render(
        request,
        "missing/interview_list.html",
        {"tasks": tasks, "now": now, "form": form, "filtered": form.is_bound},
    )


@requires(Permission.RETURN_INTERVIEW_RECORD)
@require_http_methods(["GET", "POST"])
def interview_record(request: ActorRequest, interview_id: int) -> HttpResponse:
    actor = _actor(request, "interviews")
    task = selectors.return_interview_disclosed(actor=actor, interview_id=interview_id)
    form = ReturnInterviewForm(
        form_data(request), initial={"version": task.version}, about_child=task.episode.child
    )
    return form_page(
        request,
        form,
        template="missing/interview_record.html",
        context={"task": task},
        write=lambda data: services.return_interview_record(
            actor=actor,
            interview_id=task.pk,
            version=data["version"],
            data=services.ReturnInterviewInput(
                offered_at=data["offered_at"],
                outcome=data["outcome"],
                interview_at=data["interview_at"],
                interviewer=data["interviewer"],
                summary=data["summary"],
            ),
            now=timezone.now(),
        ),
        success="Return home interview recorded",
        done_url=reverse("missing:interview_list"),
        conflict_on=("return_interview", task.pk),
        read_version=task.version,
    )


# Downloads (docs/exports.md): the board and the return home interview tasks, the same rows
# as their pages, read through the same selectors.

BOARD_COLUMNS: list[Column[BoardLine]] = [
    Column("Child", lambda line: line.row.episode.child.full_name),
    Column("Case", lambda line: line.row.episode.case.reference),
    Column("Risk", lambda line: line.row.episode.get_grade_display()),
    Column("Missing for", lambda line: line.row.missing_for_text),
    Column("Last seen", lambda line: line.row.episode.last_seen_at),
    Column("Missing from", lambda line: line.row.episode.get_missing_from_display()),
    Column("Placement", lambda line: line.row.episode.placement_name),
    Column("Next deadline", lambda line: line.clock.title if line.clock else "None open"),
    Column("Deadline status", lambda line: line.tag_text),
    Column("Overdue deadlines", lambda line: line.row.overdue),
    Column("Duty inspector informed", lambda line: line.row.episode.inspector_informed_at),
]


@requires(Permission.CASE_VIEW)
def board_export(request: ActorRequest) -> HttpResponseBase:
    actor = _actor(request, "missing")
    lines: list[BoardLine] = _board_context(actor)["lines"]  # type: ignore[assignment]
    return export_response(
        request,
        name="missing_board",
        object_type="missing_episode",
        columns=BOARD_COLUMNS,
        rows=lines,
        count=len(lines),
        title="Children missing",
    )


INTERVIEW_COLUMNS: list[Column[ReturnInterview]] = [
    Column("Child", lambda t: t.episode.child.full_name),
    Column("Date of birth", lambda t: t.episode.child.date_of_birth),
    Column("Returned", lambda t: t.returned_at),
    Column("Offer due by", lambda t: t.due_at),
    Column("Status", lambda t: "Recorded" if t.recorded_at else "To do"),
    Column("Outcome", lambda t: t.get_outcome_display() if t.recorded_at else ""),
]


@requires(Permission.RETURN_INTERVIEW_RECORD)
def interview_list_export(request: ActorRequest) -> HttpResponseBase:
    actor = _actor(request, "interviews")
    _, tasks = _interview_tasks(request, actor, timezone.now())
    return export_response(
        request,
        name="return_interviews",
        object_type="return_interview",
        columns=INTERVIEW_COLUMNS,
        rows=tasks,
        count=len(tasks),
        title="Return home interviews",
    )
