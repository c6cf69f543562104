"""The shape of one force-year of child protection work, for the synthetic data generator.

Sourced (the published volumes in docs/architecture.md, Cleveland Police FOI 699-24 and 416-24):

- missing children: ~6,400 incidents a force-year, graded high 13%, medium 85.5%, low 1.5%
  (APP "low" is this system's "standard" grade);
- about one in three missing reports is of a child previously recorded missing (2021/22: 2,151
  repeats of 6,258 reports), and about a third of missing children go missing from care.

Assumptions (no published figure for one force; plausible for a force of Cleveland's size):

- domestic abuse incidents involving children ~5,000, abuse or neglect referrals ~2,500,
  children in custody ~1,500 (Northumbria arrested 2,800 under-18s in 2016, not all detained),
  online child sexual exploitation ~600 (mostly NCA/CEOP referrals), child sexual or criminal
  exploitation ~500, other concerns ~500;
- the risk grades, sources, repeat shares and case durations of those other types below;
- a new case brings a new household of 1-2 parents or carers and 1-4 children; a repeat case
  reuses a household seen recently (within the last few thousand households).
"""

from dataclasses import dataclass

# Case types, in a fixed order so the generator's draws do not depend on dict ordering.
CASE_TYPES: tuple[str, ...] = (
    "missing",
    "domestic_abuse",
    "abuse_neglect",
    "custody",
    "online_cse",
    "exploitation",
    "other",
)


@dataclass(frozen=True)
class TypeProfile:
    """How cases of one type look: volume, grades, sources, who is involved, how long they run."""

    per_force_year: int
    # (high, medium, standard) shares
    grades: tuple[float, float, float]
    # (source, weight) pairs
    sources: tuple[tuple[str, float], ...]
    # Share of cases about a child (household) already known from a recent case.
    repeat_share: float
    # Ages of the subject child at referral, inclusive.
    subject_age: tuple[int, int]
    # Days from starting the investigation to asking for closure: (shortest, longest), drawn
    # log-uniformly so most cases are short and a few run long.
    work_days: tuple[float, float]
    # Unit types to give the case to, in order of preference.
    unit_types: tuple[str, ...]
    # Who is the suspect: "" none, "parent" a carer in the household, "stranger" someone else.
    suspect: str
    # Share of cases that also involve the subject's siblings.
    siblings_share: float
    # Weights of each age of `subject_age` for a new household's subject; even when empty.
    subject_age_weights: tuple[float, ...] = ()


PROFILES: dict[str, TypeProfile] = {
    "missing": TypeProfile(
        per_force_year=6400,
        grades=(0.13, 0.855, 0.015),
        sources=(
            ("non_emergency_call", 0.40),
            ("emergency_call", 0.20),
            ("social_care", 0.33),  # about a third go missing from care
            ("officer", 0.04),
            ("other", 0.03),
        ),
        repeat_share=1 / 3,
        subject_age=(10, 17),
        work_days=(0.2, 6),
        unit_types=("missing", "response", "child_abuse"),
        suspect="",
        siblings_share=0.05,
        # Ages 10 to 17: missing children are mostly teenagers, most often 14 to 16
        # [assumption, after the NCA Missing Persons Unit's data reports].
        subject_age_weights=(2, 4, 8, 13, 19, 24, 20, 10),
    ),
    "domestic_abuse": TypeProfile(
        per_force_year=5000,
        grades=(0.15, 0.45, 0.40),
        sources=(("emergency_call", 0.6), ("officer", 0.25), ("non_emergency_call", 0.15)),
        repeat_share=0.25,
        subject_age=(0, 17),
        work_days=(3, 60),
        unit_types=("da_triage", "child_abuse", "mash"),
        suspect="parent",
        siblings_share=0.6,
    ),
    "abuse_neglect": TypeProfile(
        per_force_year=2500,
        grades=(0.25, 0.55, 0.20),
        sources=(
            ("social_care", 0.35),
            ("school", 0.25),
            ("health", 0.15),
            ("non_emergency_call", 0.15),
            ("officer", 0.10),
        ),
        repeat_share=0.15,
        subject_age=(0, 17),
        work_days=(14, 180),
        unit_types=("child_abuse", "mash"),
        suspect="parent",
        siblings_share=0.3,
    ),
    "custody": TypeProfile(
        per_force_year=1500,
        grades=(0.10, 0.40, 0.50),
        sources=(("officer", 1.0),),
        repeat_share=0.2,
        subject_age=(10, 17),  # the age of criminal responsibility is 10
        work_days=(0.1, 2),
        unit_types=("custody", "response"),
        suspect="",
        siblings_share=0.0,
    ),
    "online_cse": TypeProfile(
        per_force_year=600,
        grades=(0.35, 0.55, 0.10),
        sources=(
            ("nca_ceop", 0.6),
            ("non_emergency_call", 0.2),
            ("school", 0.1),
            ("social_care", 0.1),
        ),
        repeat_share=0.05,
        subject_age=(9, 17),
        work_days=(30, 300),
        unit_types=("ocse", "child_abuse"),
        suspect="stranger",
        siblings_share=0.0,
    ),
    "exploitation": TypeProfile(
        per_force_year=500,
        grades=(0.40, 0.50, 0.10),
        sources=(("social_care", 0.35), ("officer", 0.30), ("school", 0.15), ("other", 0.20)),
        repeat_share=0.15,
        subject_age=(11, 17),
        work_days=(30, 300),
        unit_types=("child_abuse", "ocse", "missing"),
        suspect="stranger",
        siblings_share=0.0,
    ),
    "other": TypeProfile(
        per_force_year=500,
        grades=(0.05, 0.35, 0.60),
        sources=(
            ("non_emergency_call", 0.4),
            ("school", 0.2),
            ("health", 0.2),
            ("other", 0.2),
        ),
        repeat_share=0.1,
        subject_age=(0, 17),
        work_days=(2, 30),
        unit_types=("mash", "response", "child_abuse"),
        suspect="",
        siblings_share=0.2,
    ),
}

PER_FORCE_YEAR = sum(profile.per_force_year for profile in PROFILES.values())

# Households whose children a repeat case may be about: a window, so memory stays constant.
RECENT_HOUSEHOLDS = 4000
# A new case brings at most 2 carers, 4 children, a suspect and a reporter.
MAX_NEW_PEOPLE_PER_CASE = 8

# A fictional force area on Teesside: towns and their postcode districts.
TOWNS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Middlesbrough", (1, 3, 4, 5, 7)),
    ("Hartlepool", (24, 25, 26, 27)),
    ("Stockton-on-Tees", (18, 19, 20, 21)),
    ("Redcar", (10, 11)),
    ("Thornaby", (17,)),
    ("Billingham", (22, 23)),
    ("Guisborough", (14,)),
    ("Eston", (6,)),
    ("Yarm", (15,)),
    ("Saltburn-by-the-Sea", (12, 13)),
)
# The councils responsible for the area's children (DfE local authority numbers): the four
# Teesside unitary councils, and neighbours that place children in care in the area. A child
# missing from home is the council of the town's; from care, sometimes the placing council's.
LOCAL_AUTHORITIES: tuple[tuple[str, str], ...] = (
    ("806", "Middlesbrough Council"),
    ("808", "Stockton-on-Tees Borough Council"),
    ("807", "Redcar and Cleveland Borough Council"),
    ("805", "Hartlepool Borough Council"),
    ("841", "Darlington Borough Council"),
    ("840", "Durham County Council"),
    ("815", "North Yorkshire Council"),
)
TOWN_AUTHORITY = {
    "Middlesbrough": "806",
    "Hartlepool": "805",
    "Stockton-on-Tees": "808",
    "Thornaby": "808",
    "Billingham": "808",
    "Yarm": "808",
    "Redcar": "807",
    "Guisborough": "807",
    "Eston": "807",
    "Saltburn-by-the-Sea": "807",
}
# Hospitals with children's wards in the area, for children missing from hospital.
HOSPITALS = (
    "James Cook University Hospital, Middlesbrough",
    "University Hospital of North Tees, Stockton-on-Tees",
    "University Hospital of Hartlepool",
)

STREET_KINDS = (
    "Road",
    "Street",
    "Close",
    "Avenue",
    "Lane",
    "Drive",
    "Way",
    "Gardens",
    "Crescent",
    "Grove",
    "Terrace",
    "Walk",
)

# Children's names of the last two decades (ONS top names), mixed with Faker's en_GB names so
# the children do not all carry their grandparents' generation of names.
RECENT_GIRLS = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Sophia",
    "Grace",
    "Evie",
    "Poppy",
    "Ella",
    "Isabella",
    "Ruby",
    "Harper",
    "Daisy",
    "Aisha",
    "Zara",
    "Maryam",
)
RECENT_BOYS = (
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Jack",
    "Charlie",
    "Freddie",
    "Theo",
    "Alfie",
    "Jacob",
    "Thomas",
    "Isaac",
    "Tyler",
    "Kai",
    "Mason",
    "Yusuf",
)
# Self-described ethnicity, in the words people use; left blank for many (it is optional).
ETHNICITIES = (
    ("", 0.35),
    ("White British", 0.45),
    ("White Irish", 0.01),
    ("White other", 0.04),
    ("Mixed White and Black Caribbean", 0.02),
    ("Mixed White and Asian", 0.02),
    ("Pakistani", 0.04),
    ("Indian", 0.01),
    ("Bangladeshi", 0.01),
    ("Black African", 0.02),
    ("Black Caribbean", 0.01),
    ("Gypsy or Irish Traveller", 0.01),
    ("Arab", 0.01),
)

# When in the (London) day a referral comes in, by its kind: a weight for each hour from 00:00
# [assumption, the shape of police demand: quiet 03:00 to 07:00, busiest in the evening].
# Missing reports come mostly in the evening and night, when a child is not home; domestic
# abuse calls peak late evening; a school refers in the school day, on a weekday; social care,
# health and CEOP refer in office hours.
HOURS_OF_DAY: dict[str, tuple[float, ...]] = {
    "missing": (5, 4, 3, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 6, 8, 10, 12, 13, 12, 10, 7),
    "domestic_abuse": (6, 5, 4, 2, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 5, 6, 8, 9, 10, 11, 10, 8),
    "school": (0,) * 8 + (4, 8, 8, 7, 6, 7, 8, 5) + (0,) * 8,
    "office": (0,) * 9 + (6, 8, 8, 6, 7, 8, 8, 6) + (0,) * 7,
    "default": (3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 6, 5, 4, 3),
}
OFFICE_SOURCES = frozenset({"social_care", "health", "nca_ceop"})


def hours_of_day_for(case_type: str, source: str) -> str:
    """Which HOURS_OF_DAY curve a referral of this type and source follows."""
    if case_type in ("missing", "domestic_abuse"):
        return case_type
    if source == "school":
        return "school"
    return "office" if source in OFFICE_SOURCES else "default"
