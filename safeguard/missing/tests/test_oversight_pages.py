"""The oversight pages through the Django test client: the duty inspector's board and its live
fragment, the monthly figures (aggregates only), a child's missing history, the force's
response times, and a local authority's return home interview tasks."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safeguard.core.models import AuditEntry
from safeguard.missing import selectors, services
from safeguard.missing.models import Episode, MissingPolicySetting, ReturnInterview, Trigger
from safeguard.missing.rules import response
from safeguard.missing.tests.builders import (
    FRIDAY_NIGHT,
    a_child,
    make_missing_cast,
    reported,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
M = timedelta(minutes=1)
NOW = FRIDAY_NIGHT + 14 * H  # Saturday 29 August 2026, 13:10 BST


@pytest.fixture(autouse=True)
def frozen():
    # The pages read the clock; the builders are given their times.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(make_user, force):
    return make_missing_cast(make_user, force)


@pytest.fixture
def child(cast):
    return a_child(cast.actor(cast.officer))


def as_user(user) -> Client:
    return sign_in(Client(), user)


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def found(cast, episode, at):
    return services.episode_found(
        actor=cast.actor(cast.inspector),
        episode_id=episode.pk,
        version=Episode.objects.get(pk=episode.pk).version,
        found_at=at,
        found_place="Ipswich bus station",
        found_by="PC Okafor",
        condition="Tired, unhurt",
        now=at + 10 * M,
    )


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# The board -----------------------------------------------------------------------------------


@pytest.fixture
def board_episodes(cast, child):
    """A low-risk child missing for a day, now overdue; a high-risk child reported ten minutes
    ago, not yet overdue; and a child already found."""
    officer = cast.actor(cast.officer)
    overdue_low = reported(cast, child, NOW - 26 * H)
    leo = a_child(officer, "Leo", "Barker")
    fresh_high = reported(cast, leo, NOW - 10 * M, self_harm_risk=True, grade="high")
    ava = a_child(officer, "Ava", "Smith")
    back = reported(cast, ava, NOW - 6 * H)
    found(cast, back, NOW - 2 * H)
    return overdue_low, fresh_high, back


def test_the_board_lists_open_episodes_overdue_first_and_not_found_ones(cast, board_episodes):
    overdue_low, fresh_high, back = board_episodes
    shown = page(as_user(cast.inspector).get("/missing/"))
    # Overdue first, even above a higher grade.
    assert shown.index("Mia Jones") < shown.index("Leo Barker")
    assert "Ava Smith" not in shown and f"/missing/{back.pk}/" not in shown
    assert f'href="/missing/{overdue_low.pk}/"' in shown
    assert f'href="/missing/{fresh_high.pk}/"' in shown
    assert overdue_low.case.reference in shown
    assert "2 children missing:" in shown and "1 high, 0 medium, 1 low" in shown
    row = shown[shown.index(f'id="episode-{overdue_low.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "govuk-tag--red" in row and "overdue by" in row
    assert "1d 4h" in row  # last seen 28 hours ago (two hours before the report)
    assert 'data-live-src="?fragment=board"' in shown and "safeguard/live.js" in shown


def test_the_fragment_is_the_board_alone(cast, board_episodes):
    overdue_low, _, _ = board_episodes
    fragment = page(as_user(cast.inspector).get("/missing/?fragment=board"))
    assert "<html" not in fragment and "govuk-header" not in fragment
    assert 'id="board"' in fragment and f'href="/missing/{overdue_low.pk}/"' in fragment
    assert "2 children missing:" in fragment


def test_only_the_duty_inspector_may_acknowledge_and_only_an_unacknowledged_high(
    cast, board_episodes
):
    overdue_low, fresh_high, _ = board_episodes
    form = f'action="/missing/{fresh_high.pk}/acknowledge/"'
    inspector = as_user(cast.inspector)
    shown = page(inspector.get("/missing/"))
    assert form in shown and f"/missing/{overdue_low.pk}/acknowledge/" not in shown
    # The supervisor of the unit sees the same children, and no Acknowledge button.
    supervised = page(as_user(cast.supervisor).get("/missing/"))
    assert "Leo Barker" in supervised and "acknowledge/" not in supervised

    done = inspector.post(f"/missing/{fresh_high.pk}/acknowledge/", {"from": "board"})
    assert done.status_code == 302 and done["Location"] == "/missing/"
    assert Episode.objects.get(pk=fresh_high.pk).inspector_informed_at == NOW
    again = page(inspector.get("/missing/"))
    assert form not in again and "Informed" in again


def test_an_empty_board_and_who_may_report(cast, make_user):
    officer = page(as_user(cast.officer).get("/missing/"))
    assert "No child is recorded as missing." in officer
    assert 'href="/missing/report/"' in officer
    auditor = page(as_user(make_user("auditor")).get("/missing/"))
    assert "No child is recorded as missing." in auditor
    assert "/missing/report/" not in auditor


def test_an_officer_sees_only_the_episodes_in_their_scope(cast, child, make_user, other_unit):
    reported(cast, child, NOW - 3 * H)
    elsewhere = page(as_user(make_user("officer", units=[other_unit])).get("/missing/"))
    assert "Mia Jones" not in elsewhere and "No child is recorded as missing." in elsewhere


# Figures -------------------------------------------------------------------------------------


def _cells(shown: str, row_id: str) -> list[str]:
    row = shown[shown.index(f'id="{row_id}"') :]
    row = row[: row.index("</tr>")]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
    ]


def test_figures_for_a_month(cast, child, make_user):
    """August 2026: a low-risk episode attended in 50 minutes, found, and its return home
    interview offered in time; a high-risk one attended in 30 minutes."""
    officer = cast.actor(cast.officer)
    first = reported(cast, child, NOW - 30 * H)
    services.episode_attended(
        actor=officer,
        episode_id=first.pk,
        version=first.version,
        attended_at=first.reported_at + 50 * M,
        now=first.reported_at + H,
    )
    found(cast, first, NOW - 20 * H)
    task = ReturnInterview.objects.get()
    services.return_interview_record(
        actor=cast.actor(cast.la_user),
        interview_id=task.pk,
        version=task.version,
        data=services.ReturnInterviewInput(offered_at=NOW - 10 * H, outcome="declined"),
        now=NOW - 9 * H,
    )
    leo = a_child(officer, "Leo", "Barker")
    second = reported(cast, leo, NOW - 5 * H, self_harm_risk=True, grade="high")
    services.episode_attended(
        actor=officer,
        episode_id=second.pk,
        version=second.version,
        attended_at=second.reported_at + 30 * M,
        now=second.reported_at + H,
    )

    shown = page(as_user(cast.analyst).get("/missing/figures/"))
    # High, medium, low, no apparent risk, all; median minutes; interviews in time; repeats.
    assert _cells(shown, "month-2026-08") == [
        "August 2026",
        "1",
        "0",
        "1",
        "0",
        "2",
        "40",
        "100% (1 of 1)",
        "0",
    ]
    assert _cells(shown, "month-2026-07")[1:6] == ["0", "0", "0", "0", "0"]
    assert shown.count('id="month-') == 12  # a year by default
    # No child is named on an aggregates page.
    assert "Mia" not in shown and "Leo" not in shown
    # Each chart is an image with a title and a summary; the table holds the same figures.
    assert shown.count('role="img"') == 4
    assert 'aria-labelledby="chart-episodes-title chart-episodes-desc"' in shown
    assert "2 in all" in shown and "highest 40 in August 2026" in shown
    assert " style=" not in shown  # CSP: no inline styles

    three = page(as_user(cast.analyst).get("/missing/figures/?months=3"))
    assert three.count('id="month-') == 3


@pytest.mark.parametrize("months", ["0", "2", "37", "twelve", ""])
def test_figures_refuse_a_bad_number_of_months(cast, months):
    shown = page(as_user(cast.analyst).get(f"/missing/figures/?months={months}"))
    assert "govuk-error-summary" in shown
    assert "Enter a number of months from 3 to 36" in shown
    assert 'id="figures-table"' not in shown and 'role="img"' not in shown


def test_an_analyst_sees_figures_but_no_child(cast, child):
    episode = reported(cast, child, NOW - 3 * H)
    analyst = as_user(cast.analyst)
    assert analyst.get("/missing/figures/").status_code == 200
    assert analyst.get("/missing/").status_code == 403
    assert analyst.get("/missing/?fragment=board").status_code == 403
    assert analyst.get(f"/missing/{episode.pk}/").status_code in (403, 404)
    assert analyst.get(f"/people/{child.pk}/missing/").status_code == 403
    # And the officer, who has no figures permission, is refused the figures.
    assert as_user(cast.officer).get("/missing/figures/").status_code == 403


# A child's missing history -------------------------------------------------------------------


def test_a_childs_profile_lists_episodes_newest_first_with_the_trigger(
    cast, child, make_user, other_unit
):
    def episode(days_ago: int, *, back: bool) -> Episode:
        made = reported(cast, child, NOW - timedelta(days=days_ago), by=cast.supervisor)
        if back:
            found(cast, made, made.reported_at + 4 * H)
        return made

    oldest = episode(200, back=True)
    episode(60, back=True)
    episode(20, back=True)
    latest = episode(0, back=False)
    trigger = Trigger.objects.get(episode=latest)  # the third in 90 days

    shown = page(as_user(cast.supervisor).get(f"/people/{child.pk}/missing/"))
    links = re.findall(r'href="/missing/(\d+)/"', shown)
    assert links == [str(e.pk) for e in Episode.objects.order_by("-last_seen_at")]
    assert links[0] == str(latest.pk) and links[-1] == str(oldest.pk)
    assert re.search(r'id="last-90-days">\s*3\s*<', shown)
    assert trigger.reason in shown and trigger.reason.startswith("3rd episode in 90 days")
    assert f'href="/cases/{trigger.raised_case_id}/"' in shown
    assert trigger.raised_case.reference in shown
    assert f'href="/missing/report/?person={child.pk}"' in shown

    # An officer of another unit may see the person, but none of these episodes.
    other = page(
        as_user(make_user("officer", units=[other_unit])).get(f"/people/{child.pk}/missing/")
    )
    assert "No missing episode you can see." in other and "/missing/" + str(latest.pk) not in other


def test_the_person_page_links_to_the_missing_history(cast, child, make_user):
    supervisor = page(as_user(cast.supervisor).get(f"/people/{child.pk}/"))
    assert f'href="/people/{child.pk}/missing/"' in supervisor
    assert f'href="/missing/report/?person={child.pk}"' in supervisor
    auditor = page(as_user(make_user("auditor")).get(f"/people/{child.pk}/"))
    assert f'href="/people/{child.pk}/missing/"' in auditor
    assert "/missing/report/" not in auditor


# Force policy --------------------------------------------------------------------------------


def _policy_form(version: int, **changes: object) -> dict[str, object]:
    return vars(response.ResponsePolicy()) | {"version": version} | changes


@pytest.fixture
def admin(make_user):
    return as_user(make_user("force_admin", username="fadmin"))


def test_the_admin_changes_a_response_time(admin, force):
    shown = page(admin.get("/settings/missing/"))
    assert "High risk within 60 minutes" in shown and 'href="/settings/missing/change/"' in shown
    assert 'href="/settings/missing/"' in page(admin.get("/settings/supervision/"))

    version = page(admin.get("/settings/missing/change/"))
    assert 'value="60"' in version
    setting = MissingPolicySetting.objects.get(force=force)
    saved = admin.post(
        "/settings/missing/change/", _policy_form(setting.version, attend_high_minutes=30)
    )
    assert saved.status_code == 302 and saved["Location"] == "/settings/missing/"
    setting.refresh_from_db()
    assert setting.attend_high_minutes == 30 and setting.updated_by.username == "fadmin"
    # Audited as the force's missing policy row, through the unit of work.
    assert AuditEntry.objects.filter(
        action="update", object_type="missing_policy", object_id=str(setting.pk)
    ).exists()
    after = page(admin.get("/settings/missing/"))
    assert "Missing children response times saved" in after
    assert "High risk within 30 minutes" in after


def test_a_stale_policy_edit_is_refused(admin, force):
    setting = selectors.missing_policy_for(force.pk)
    read = setting.version
    ok = admin.post("/settings/missing/change/", _policy_form(read, attend_low_minutes=720))
    assert ok.status_code == 302
    stale = page(
        admin.post("/settings/missing/change/", _policy_form(read, attend_high_minutes=20))
    )
    # The one form helper says who changed what since the page was opened.
    assert "Somebody else changed this policy after you opened it." in stale
    assert "changed attend low minutes" in stale
    setting.refresh_from_db()
    assert setting.attend_high_minutes == 60 and setting.attend_low_minutes == 720


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"attend_high_minutes": 1}, "attend_high_minutes", "Enter a whole number from 5 to 240"),
        ({"repeat_threshold": 11}, "repeat_threshold", "Enter a whole number from 2 to 10"),
        (
            {"risk_review_high_hours": "often"},
            "risk_review_high_hours",
            "Enter a whole number from 1 to 24",
        ),
        (
            {"attend_high_minutes": 200, "attend_medium_minutes": 120},
            "attend_high_minutes",
            "High risk must be attended no later than medium risk",
        ),
    ],
)
def test_a_bad_response_time_shows_on_its_field(admin, force, changes, field, message):
    setting = selectors.missing_policy_for(force.pk)
    shown = page(admin.post("/settings/missing/change/", _policy_form(setting.version, **changes)))
    assert "govuk-error-summary" in shown and f'href="#id_{field}"' in shown
    assert re.search(
        rf'id="id_{field}-error" class="govuk-error-message">.*?{re.escape(message)}', shown
    )
    setting.refresh_from_db()
    assert vars(setting.as_policy()) == vars(response.ResponsePolicy())


def test_only_an_admin_changes_the_policy(cast):
    officer = as_user(cast.officer)
    shown = page(officer.get("/settings/missing/"))
    assert "/settings/missing/change/" not in shown
    assert officer.get("/settings/missing/change/").status_code == 403


# Return home interviews ----------------------------------------------------------------------


@pytest.fixture
def task(cast, child):
    episode = reported(cast, child, NOW - 10 * H)
    found(cast, episode, NOW - 6 * H)
    return ReturnInterview.objects.get(episode=episode)


def test_a_partner_sees_only_their_own_local_authoritys_tasks(cast, task):
    mine = page(as_user(cast.la_user).get("/return-interviews/"))
    assert "Mia Jones" in mine and "1 Jun 2011" in mine
    assert f'href="/return-interviews/{task.pk}/"' in mine and "To do" in mine
    detail = page(as_user(cast.la_user).get(f"/return-interviews/{task.pk}/"))
    assert "Ipswich bus station" in detail and "Suffolk County Council" in detail

    other = as_user(cast.other_la_user)
    theirs = page(other.get("/return-interviews/"))
    assert "Mia Jones" not in theirs and "You have no return home interviews to record" in theirs
    assert other.get(f"/return-interviews/{task.pk}/").status_code == 404
    refused = other.post(
        f"/return-interviews/{task.pk}/",
        {"offered_at": local(NOW - H), "outcome": "declined", "version": task.version},
    )
    assert refused.status_code == 404
    task.refresh_from_db()
    assert task.recorded_at is None
    # Police staff have no interview tasks page.
    assert as_user(cast.officer).get("/return-interviews/").status_code == 403


def test_an_interview_before_the_return_is_refused_and_nothing_saved(cast, task):
    client = as_user(cast.la_user)
    before = task.returned_at - H
    shown = page(
        client.post(
            f"/return-interviews/{task.pk}/",
            {
                "offered_at": local(before),
                "outcome": "completed",
                "interview_at": local(before),
                "interviewer": "Sam Reid",
                "version": task.version,
            },
        )
    )
    assert "govuk-error-summary" in shown
    assert "The return home interview must be after the child returned" in shown
    assert 'href="#id_offered_at_day"' in shown
    task.refresh_from_db()
    assert task.outcome == "" and task.recorded_at is None and task.offered_at is None


def test_the_partner_records_the_interview(cast, task):
    client = as_user(cast.la_user)
    missing_date = page(
        client.post(
            f"/return-interviews/{task.pk}/",
            {"offered_at": local(NOW - 2 * H), "outcome": "completed", "version": task.version},
        )
    )
    assert "Enter when the interview took place" in missing_date

    saved = client.post(
        f"/return-interviews/{task.pk}/",
        {
            "offered_at": local(NOW - 2 * H),
            "outcome": "completed",
            "interview_at": local(NOW - H),
            "interviewer": "Sam Reid, Children's Society",
            "summary": "Went to see an older boyfriend.",
            "version": task.version,
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/return-interviews/"
    task.refresh_from_db()
    assert task.outcome == "completed" and task.recorded_by == cast.la_user
    assert task.offered_at == (NOW - 2 * H).replace(second=0) and not task.recorded_on_behalf
    listed = page(client.get("/return-interviews/"))
    assert "Return home interview recorded" in listed and "Recorded" in listed
    # The task now shows what was recorded, with no form to record it again.
    shown = page(client.get(f"/return-interviews/{task.pk}/"))
    assert "Interview completed" in shown and 'name="offered_at"' not in shown


def test_a_stale_interview_record_is_refused(cast, task):
    client = as_user(cast.la_user)
    shown = page(
        client.post(
            f"/return-interviews/{task.pk}/",
            {"offered_at": local(NOW - H), "outcome": "declined", "version": task.version - 1},
        )
    )
    assert "Somebody else changed this return home interview after you opened it." in shown
    task.refresh_from_db()
    assert task.recorded_at is None


# Named lists, order and filter (issue 12, section 3) -----------------------------------------


def test_the_board_names_the_case_and_child_with_the_owner(cast, child):
    episode = reported(cast, child, NOW - 5 * H)
    shown = page(as_user(cast.inspector).get("/missing/"))
    name = f"{episode.case.reference} {child.full_name} ({child.age_at(NOW)})"
    assert name in shown
    assert not re.search(r"\bCase \d+\b", shown)
    owner = episode.case.owner
    assert owner is not None and owner.get_full_name() in shown


def test_return_interviews_are_to_do_first_soonest_due_and_filtered(cast):
    officer = cast.actor(cast.officer)
    early = reported(cast, a_child(officer, "Ava", "Early"), NOW - 100 * H)
    late = reported(cast, a_child(officer, "Lily", "Late"), NOW - 30 * H)
    done = reported(cast, a_child(officer, "Dora", "Done"), NOW - 120 * H)
    for episode, back in ((late, NOW - 5 * H), (early, NOW - 80 * H), (done, NOW - 90 * H)):
        found(cast, episode, back)
    recorded = ReturnInterview.objects.get(episode=done)
    client = as_user(cast.la_user)
    saved = client.post(
        f"/return-interviews/{recorded.pk}/",
        {"offered_at": local(NOW - 2 * H), "outcome": "declined", "version": recorded.version},
    )
    assert saved.status_code == 302

    def rows(query: str = "") -> list[str]:
        shown = page(client.get(f"/return-interviews/{query}"))
        body = shown.split('id="interview-tasks"')[1] if 'id="interview-tasks"' in shown else ""
        return re.findall(r"(Ava Early|Lily Late|Dora Done)", body)

    # To do first, the soonest due first (early came back first), then the recorded one.
    assert rows() == ["Ava Early", "Lily Late", "Dora Done"]
    assert rows("?status=open") == ["Ava Early", "Lily Late"]
    assert rows("?status=recorded") == ["Dora Done"]
    # Early came back 80 hours ago: its 72-hour offer is overdue; Late's is not.
    assert rows("?status=all&overdue=1") == ["Ava Early"]
    shown = page(client.get("/return-interviews/?overdue=1"))
    assert re.search(
        r'<input class="govuk-checkboxes__input" [^>]*name="overdue" type="checkbox" '
        r'value="1" checked>',
        shown,
    )
    # Each task names the case and the child, aged on the London date.
    task = ReturnInterview.objects.get(episode=early)
    child = task.episode.child
    assert f"{task.episode.case.reference} Ava Early ({child.age_at(NOW)})" in page(
        client.get("/return-interviews/")
    )
    # Filtering to a local authority that is not theirs is a field error, not a 500.
    other = cast.other_la_user.local_authorities.get()
    refused = page(client.get(f"/return-interviews/?local_authority={other.pk}"))
    assert "govuk-error-summary" in refused
