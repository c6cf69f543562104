"""A child's chronology holds what is theirs and what concerns the whole of each of their cases,
never another child's: not what a sibling said, how they seemed, or that they were seen. And a
merge of two records of one child moves the case records through the cases service."""

from datetime import timedelta

import pytest

from safeguard.cases.models import ChildSeen, Involvement, VoiceOfChild
from safeguard.cases.rules.record_keeping import VoiceInput
from safeguard.cases.selectors import case_timeline, child_chronology
from safeguard.cases.services import (
    case_add_person,
    case_record_child_seen,
    case_record_event,
    note_add,
    person_merge_with_cases,
    voice_record,
)
from safeguard.cases.tests.builders import NOW, RECEIVED, a_case, a_person, make_cast
from safeguard.core.models import AuditEntry, TimelineEvent
from safeguard.people.models import Person

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def cast(make_user, unit, other_unit, foreign_unit):
    return make_cast(make_user, unit, other_unit, foreign_unit)


@pytest.fixture
def officer(cast):
    return cast.actor(cast.officer)


def _voice(name: str, *, seen: bool = True, spoken_to: bool = True) -> VoiceInput:
    return VoiceInput(
        seen=seen,
        seen_at=RECEIVED + 3 * H if seen else None,
        spoken_to=seen and spoken_to,
        spoken_to_alone=seen and spoken_to,
        child_said=f"{name} said the words only {name} said" if seen and spoken_to else "",
        demeanour=f"{name} seemed the way only {name} seemed" if seen else "",
        not_seen_reason="" if seen and spoken_to else f"{name} was asleep",
    )


@pytest.fixture
def family(officer, unit):
    """Four children on one case (two subjects, a sibling and another child), and a second
    case about two of them; every child's voice recorded, case-wide notes on each."""
    names = ("Ava", "Ben", "Cara", "Dan")
    children = {name: a_person(officer, name, "Hale") for name in names}
    first = a_case(officer, unit, children["Ava"])
    for name, role in (("Ben", "subject"), ("Cara", "sibling"), ("Dan", "other_child")):
        case_add_person(
            actor=officer, case_id=first.pk, person_id=children[name].pk, role=role, now=NOW
        )
    voices = {
        "Ava": _voice("Ava"),
        "Ben": _voice("Ben", spoken_to=False),
        "Cara": _voice("Cara", seen=False),
        "Dan": _voice("Dan"),
    }
    for name, voice in voices.items():
        voice_record(
            actor=officer, case_id=first.pk, child_id=children[name].pk, voice=voice, now=NOW + H
        )
    note_add(actor=officer, case_id=first.pk, text="Strategy meeting held", now=NOW + 2 * H)
    case_record_event(
        actor=officer,
        case_id=first.pk,
        kind="encompass.sent",
        title="Operation Encompass notification sent",
        description="To the school's key adult",
        about=children["Ben"].pk,
        now=NOW + 2 * H,
    )
    second = a_case(officer, unit, children["Ben"], now=NOW + 3 * H)
    case_add_person(
        actor=officer,
        case_id=second.pk,
        person_id=children["Ava"].pk,
        role="subject",
        now=NOW + 3 * H,
    )
    voice_record(
        actor=officer,
        case_id=second.pk,
        child_id=children["Ava"].pk,
        voice=_voice("Ava"),
        now=NOW + 4 * H,
    )
    case_record_child_seen(
        actor=officer,
        case_id=second.pk,
        child_id=children["Ben"].pk,
        seen_at=NOW + 4 * H,
        how="Found with his condition recorded",
        now=NOW + 4 * H,
    )
    note_add(actor=officer, case_id=second.pk, text="Second referral", now=NOW + 5 * H)
    return children, first, second


def _text(events) -> str:
    return " ".join(f"{e.title} {e.description}" for e in events)


@pytest.mark.parametrize("name", ["Ava", "Ben", "Cara", "Dan"])
def test_each_childs_chronology_holds_only_their_own_and_case_wide_events(officer, family, name):
    children, first, second = family
    child = children[name]
    chronology = child_chronology(actor=officer, person_id=child.pk, size=200)
    events = chronology.page.items
    cases = {first.pk} | ({second.pk} if name in ("Ava", "Ben") else set())
    others = {c.pk for n, c in children.items() if n != name}

    assert {e.person_id for e in events} <= {child.pk, None}
    assert not others & {e.person_id for e in events}
    assert {e.case_id for e in events} <= cases | {None}
    # Everything case-wide on their cases is there, and everything about them.
    expected = TimelineEvent.objects.filter(case_id__in=cases, person_id__isnull=True).count()
    expected += TimelineEvent.objects.filter(person_id=child.pk).count()
    assert len(events) == expected
    # Never what another child said or how they seemed, nor that another child was seen.
    text = _text(events)
    for other in children:
        if other != name:
            assert f"only {other}" not in text
            assert not any(e.title.startswith(f"{other} Hale ") for e in events), other
    assert any(e.title.startswith(f"{name} Hale ") for e in events if e.kind == "case.voice")
    assert "Strategy meeting held" not in text  # a note's text stays on the case
    assert {e.kind for e in events} >= {"case.received", "case.note", "person.recorded"}


def test_an_entry_about_the_child_on_a_case_with_several_children_names_them(officer, family):
    children, first, _ = family
    ben = child_chronology(actor=officer, person_id=children["Ben"].pk, size=200)
    encompass = next(e for e in ben.entries if e.event.kind == "encompass.sent")
    assert (encompass.about, encompass.case_reference) == ("Ben Hale", first.reference)
    # A voice event says whom it is about already; a case-wide one names nobody.
    voice = next(e for e in ben.entries if e.event.kind == "case.voice")
    assert voice.about == "" and voice.event.title == "Ben Hale seen, not spoken to"
    assert all(e.about == "" for e in ben.entries if e.event.person_id is None)


def test_the_case_timeline_still_shows_every_childs_events(officer, family):
    children, first, _ = family
    events = case_timeline(case=first, size=200).items
    voiced = {e.person_id for e in events if e.kind == "case.voice"}
    assert voiced == {c.pk for c in children.values()}


def test_the_chronology_api_names_only_the_childs_own_events(cast, family, make_api_client):
    children, _, _ = family
    cara = children["Cara"]
    response = make_api_client(cast.officer).get(f"/api/v1/people/{cara.pk}/chronology")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert {i["person_id"] for i in items} <= {cara.pk, None}
    assert any(i["title"] == "Cara Hale not seen" for i in items)
    assert not any(i["title"].startswith(("Ava Hale", "Ben Hale", "Dan Hale")) for i in items)


# --- a merge moves the case records through the cases service ---------------------------------


def test_merging_two_records_of_a_child_moves_their_case_records_and_audits_each_case(
    officer, unit
):
    keep = a_person(officer, "Amelia", "Hughes")
    gone = a_person(officer, "Millie", "Hughes")
    sister = a_person(officer, "Rose", "Hughes")
    # The merged record is a subject of one case, and on another beside the kept record.
    first = a_case(officer, unit, gone)
    second = a_case(officer, unit, keep, now=NOW + H)
    for case in (first, second):
        case_add_person(
            actor=officer, case_id=case.pk, person_id=sister.pk, role="sibling", now=NOW + H
        )
    case_add_person(actor=officer, case_id=second.pk, person_id=gone.pk, role="subject", now=NOW)
    voice_record(
        actor=officer, case_id=first.pk, child_id=gone.pk, voice=_voice("Millie"), now=NOW + H
    )
    case_record_child_seen(
        actor=officer,
        case_id=second.pk,
        child_id=gone.pk,
        seen_at=NOW,
        how="Found",
        now=NOW + H,
    )
    unrelated = a_case(officer, unit, sister, now=NOW + H)
    before = AuditEntry.objects.filter(object_type="case").count()

    kept = person_merge_with_cases(
        actor=officer,
        keep_id=keep.pk,
        merge_id=gone.pk,
        keep_version=keep.version,
        merge_version=gone.version,
        now=NOW + 2 * H,
    )

    assert Person.objects.get(pk=gone.pk).merged_into_id == kept.pk
    assert not Involvement.objects.filter(person_id=gone.pk).exists()
    assert not VoiceOfChild.objects.filter(child_id=gone.pk).exists()
    assert not ChildSeen.objects.filter(child_id=gone.pk).exists()
    assert set(
        Involvement.objects.filter(case=second, role="subject").values_list("person_id", flat=True)
    ) == {keep.pk}
    assert VoiceOfChild.objects.get(case=first).child_id == keep.pk
    assert ChildSeen.objects.get(case=second).child_id == keep.pk
    # One case audit entry for each case touched, naming what moved; none for the others.
    entries = AuditEntry.objects.filter(object_type="case", reason_code="person_merged")
    assert sorted(int(e.object_id) for e in entries) == sorted([first.pk, second.pk])
    assert all(f"person:{gone.pk}" in e.changed_fields for e in entries)
    assert AuditEntry.objects.filter(object_type="case").count() == before + 2
    assert not entries.filter(object_id=str(unrelated.pk)).exists()
    # The kept child's chronology holds the merged record's history as well as their own.
    events = child_chronology(actor=officer, person_id=keep.pk, size=200).page.items
    assert {e.case_id for e in events if e.case_id} == {first.pk, second.pk}
    assert any(e.kind == "case.voice" and e.person_id == gone.pk for e in events)
    assert sum(e.kind == "case.person_merged" for e in events) == 2


def test_a_refused_merge_moves_no_case_record(officer, unit):
    keep = a_person(officer, "Amelia", "Hughes")
    gone = a_person(officer, "Millie", "Hughes")
    case = a_case(officer, unit, gone)
    with pytest.raises(Exception, match="changed after you opened it"):
        person_merge_with_cases(
            actor=officer,
            keep_id=keep.pk,
            merge_id=gone.pk,
            keep_version=keep.version,
            merge_version=gone.version + 5,
            now=NOW + H,
        )
    assert Involvement.objects.get(case=case).person_id == gone.pk
    assert not AuditEntry.objects.filter(reason_code="person_merged").exists()
