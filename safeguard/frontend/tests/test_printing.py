"""Printed PDFs: they open, carry OFFICIAL-SENSITIVE on every page with the record's running
heads, hold the record, and each download is audited as an export."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from safeguard.accounts.services import actor_for
from safeguard.cases.services import note_add
from safeguard.cases.tests.builders import NOW, a_case, a_person
from safeguard.core.models import AuditAction, AuditEntry, TimelineEvent

pytestmark = pytest.mark.django_db


def _pages(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture
def officer(make_client, unit):
    return make_client("officer", units=[unit], first_name="Olive", last_name="Officer")


@pytest.fixture
def busy_case(officer, unit):
    """A case with enough notes to fill several pages."""
    actor = actor_for(officer.user)
    child = a_person(actor, "Benjamin", "Smith")
    case = a_case(actor, unit, child)
    for number in range(60):
        note_add(
            actor=actor,
            case_id=case.pk,
            text=f"Note {number}: spoke to the school about attendance and the bruising seen.",
            now=NOW + timedelta(minutes=number),
        )
    return case, child


def test_the_case_summary_is_marked_on_every_page_of_a_long_document(officer, busy_case):
    case, _ = busy_case
    pages = _pages(officer.get(f"/cases/{case.pk}/summary.pdf"))
    assert len(pages) > 1
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks its marking"
        assert case.reference in text
        assert "Benjamin Smith" in text
        assert f"Page {number} of {total}" in text
        assert "Olive Officer" in text
    whole = "\n".join(pages)
    assert "Note 59: spoke to the school" in whole
    assert "Bruising seen by a teacher" in whole


def test_each_pdf_download_is_audited_as_an_export(officer, busy_case):
    case, child = busy_case
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    _pages(officer.get(f"/cases/{case.pk}/summary.pdf"))
    _pages(officer.get(f"/cases/{case.pk}/timeline.pdf"))
    _pages(officer.get(f"/people/{child.pk}/chronology.pdf"))
    entries = list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("seq"))[before:]
    assert [(e.object_type, e.object_id, e.reason_code) for e in entries] == [
        ("case", str(case.pk), "pdf:case_summary"),
        ("case", str(case.pk), "pdf:case_chronology"),
        ("person", str(child.pk), "pdf:chronology"),
    ]
    assert {e.actor_user_id for e in entries} == {officer.user.pk}


def test_the_chronologies_are_marked_and_hold_the_events(officer, busy_case):
    case, child = busy_case
    for url in (f"/cases/{case.pk}/timeline.pdf", f"/people/{child.pk}/chronology.pdf"):
        pages = _pages(officer.get(url))
        assert len(pages) > 1, url
        for text in pages:
            assert text.count("OFFICIAL-SENSITIVE") >= 2
            assert "Benjamin Smith" in text
        whole = "\n".join(pages)
        titles = set(TimelineEvent.objects.filter(case_id=case.pk).values_list("title", flat=True))
        assert titles and all(title in whole for title in titles), url
        # People are named by their full name, not their username.
        assert "Olive Officer" in whole


def test_another_forces_case_cannot_be_printed(make_client, foreign_unit, busy_case):
    case, _ = busy_case
    foreign = make_client("duty_inspector", force=foreign_unit.force, units=[foreign_unit])
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    assert foreign.get(f"/cases/{case.pk}/summary.pdf").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before


def test_a_role_that_cannot_see_cases_cannot_print_one(make_client, busy_case):
    case, child = busy_case
    analyst = make_client("analyst")
    assert analyst.get(f"/cases/{case.pk}/summary.pdf").status_code == 403
    assert analyst.get(f"/people/{child.pk}/chronology.pdf").status_code == 403
