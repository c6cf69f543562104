"""The demo's partners: three schools (one starting at 09:00), the demo partner user the DSL of
Demo Primary School, and term dates for the demo local authorities; loading twice adds nothing."""

from datetime import date

import pytest
from django.utils import timezone

from safeguard.accounts.demo import demo_force, demo_password, load_demo
from safeguard.accounts.models import User
from safeguard.partners.demo import demo_term_csv, load_demo_partners
from safeguard.partners.models import KeyAdult, School, Term, TermCalendar
from safeguard.partners.rules import term_date_problems
from safeguard.partners.selectors import key_adults_for, school_calendar_for, schools_of_user

pytestmark = pytest.mark.django_db


def test_the_demo_schools_key_adults_and_term_dates_load_once() -> None:
    load_demo()
    force = demo_force()
    assert force is not None
    load_demo_partners(force)
    load_demo_partners(force)
    assert School.objects.count() == 3 and KeyAdult.objects.count() == 3
    # Every key adult of a demo school can sign in, with the demo password.
    for adult in KeyAdult.objects.select_related("user"):
        assert adult.user is not None, adult.name
        assert adult.user.get_full_name() == adult.name
        assert adult.user.check_password(demo_password(adult.user.username))
    assert TermCalendar.objects.count() == 2 and Term.objects.count() == 2 * 18
    starts = {s.name: s.day_starts_at.strftime("%H:%M") for s in School.objects.all()}
    assert starts["Northshire Academy"] == "09:00"
    partner = User.objects.get(username="partner")
    assert [s.name for s in schools_of_user(partner.pk, force.pk)] == ["Demo Primary School"]
    dsl = key_adults_for(force.pk, "999001")[0]
    assert (dsl.user, dsl.role) == (partner, KeyAdult.Role.DSL)
    primary = School.objects.get(urn="999001")
    calendar = school_calendar_for(force_id=force.pk, school_urn="999001", la_code=primary.la_code)
    assert calendar is not None
    today = timezone.localdate()
    assert any(last >= today for _, last in calendar.terms)


@pytest.mark.parametrize("today", [date(2026, 1, 15), date(2026, 8, 1), date(2026, 12, 31)])
def test_the_demo_term_dates_are_valid_and_cover_the_year_around_today(today: date) -> None:
    terms, problems = term_date_problems(demo_term_csv(today))
    assert problems == [] and len(terms) == 18
    assert terms[0].first_day <= today <= terms[-1].last_day


@pytest.mark.parametrize("year", range(2024, 2036))
def test_the_demo_terms_start_and_end_on_weekdays(year: int) -> None:
    terms, problems = term_date_problems(demo_term_csv(date(year, 9, 1)))
    assert problems == []
    for term in terms:
        assert term.first_day.weekday() < 5, (term.name, term.first_day)
        assert term.last_day.weekday() < 5, (term.name, term.last_day)
        assert term.first_day < term.last_day
