"""Writing generated cases to the database: counts, references, people, voices, audit."""

from collections import Counter

import pytest
from django.core.management import call_command

from safeguard.accounts.models import RoleGrant, User
from safeguard.cases.models import Case, Involvement, ReferenceCounter, VoiceOfChild
from safeguard.core.audit import audit_verify_chain
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.people.models import Address, Person, Relationship
from safeguard.supervision.models import Review
from safeguard.synthetic.generator import Plan
from safeguard.synthetic.writer import generate


@pytest.mark.django_db
def test_three_hundred_cases_in_three_batches(force, unit, make_user):
    make_user("officer")
    result = generate(
        force_code=force.code,
        plan=Plan(seed=7, force_years=1, max_cases=300, batch_size=100),
        progress=False,
    )
    # 300 planned, and the exploitation cases that missing episodes' triggers raised.
    assert 300 <= result.cases < 330 and result.batches == 3
    cases = Case.objects.filter(force=force)
    assert cases.count() == result.cases
    raised = cases.filter(summary__startswith="Flagged from missing episode").count()
    assert result.cases - 300 == raised
    by_type = Counter(cases.values_list("case_type", flat=True))
    assert 90 <= by_type["missing"] <= 140  # 6,400 of ~17,000 a year
    assert 60 <= by_type["domestic_abuse"] <= 115
    assert set(by_type) <= set(Case.Type.values)
    missing_grades = Counter(cases.filter(case_type="missing").values_list("risk_grade", flat=True))
    assert missing_grades["medium"] > 0.7 * by_type["missing"]
    # References are unique and run on from 1 each year; the counters hold the last number.
    for counter in ReferenceCounter.objects.filter(force=force):
        numbers = sorted(
            int(reference.rsplit("-", 1)[1])
            for reference in cases.filter(reference__startswith=f"CP-{counter.year}-").values_list(
                "reference", flat=True
            )
        )
        assert numbers == list(range(1, counter.last + 1))
    assert ReferenceCounter.objects.filter(force=force).count() >= 1
    # People: search keys filled, every case has a subject child, households are linked.
    people = Person.objects.filter(force=force)
    assert people.count() == result.people
    assert not people.filter(search_keys="").exists()
    assert Address.objects.filter(force=force).exclude(match_key__contains="|").count() == 0
    with_subject = set(
        Involvement.objects.filter(role="subject", case__force=force).values_list("case", flat=True)
    )
    assert with_subject == set(cases.values_list("pk", flat=True))
    kinds = set(Relationship.objects.filter(force=force).values_list("kind", flat=True))
    assert {"parent_carer", "sibling"} <= kinds
    # Closed cases have a voice record for each subject child; reviews and the timeline exist.
    for case in cases.filter(status="closed")[:50]:
        children = set(case.involvements.filter(role="subject").values_list("person", flat=True))
        voiced = set(VoiceOfChild.objects.filter(case=case).values_list("child", flat=True))
        assert children <= voiced
    assert Review.objects.filter(force=force).exists()
    events = TimelineEvent.objects.filter(force_id=force.pk)
    assert events.filter(kind="case.received").count() == result.cases
    assert events.filter(kind="person.recorded").count() == result.people
    # The force had too few staff: synthetic investigators and supervisors were added.
    roles = set(RoleGrant.objects.filter(user__force=force).values_list("role", flat=True))
    assert {"investigator", "supervisor"} <= roles
    synthetic = User.objects.filter(force=force, username__startswith="syn-")
    assert synthetic.exists() and not any(u.has_usable_password() for u in synthetic)
    # One audit entry per batch, and the chain still verifies.
    batch_entries = AuditEntry.objects.filter(reason_code="synthetic", object_type="case")
    assert batch_entries.count() == 3
    assert audit_verify_chain().ok


@pytest.mark.django_db
def test_the_command_skips_a_force_that_has_cases_and_services_continue_references(force, unit):
    call_command("generate", "--force", force.code, "--cases", "20", "--quiet", "--seed", "1")
    first = Case.objects.filter(force=force).count()
    assert 20 <= first <= 22  # and any raised by missing episodes' triggers
    call_command(
        "generate", "--force", force.code, "--cases", "20", "--quiet", "--if-empty", "--seed", "1"
    )
    assert Case.objects.filter(force=force).count() == first
    call_command("generate", "--force", force.code, "--cases", "20", "--quiet", "--seed", "2")
    total = Case.objects.filter(force=force).count()
    assert first + 20 <= total <= first + 22
    assert Case.objects.values("reference").distinct().count() == total
    # New rows created by the ORM after the reserved id blocks do not collide.
    last = Case.objects.order_by("-pk").first()
    assert last is not None
    person = Person.objects.create(
        force=force, given_names="New", family_name="Person", created_at=last.received_at
    )
    assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk
