"""Schools and term dates for the synthetic force area: pure data, the same every run.

When the schools directory holds no school in the area's local authorities (no GIAS import),
the writer adds these: ten schools per Teesside council, mostly primaries, a few with a later
start (08:40 to 09:00), with URNs in a 98xxxx block no GIAS school uses (9 + the council's
number + a serial), so an import of real schools never collides with them.

Term dates follow the usual English pattern [assumption, close to the councils' published
dates]: six terms from early September to late July, with half-terms in the last week of
October, the week of the Monday on or after 14 February and the week after the late May bank
holiday, and two weeks at Easter from Good Friday.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from safeguard.synthetic.volumes import TOWN_AUTHORITY, TOWNS

PRIMARY_NAMES = (
    "Oakfield",
    "St Hilda's Church of England",
    "Beechwood",
    "Holy Trinity Catholic",
    "Riverside",
    "Newlands",
    "Ashgrove",
    "Priory Lane",
)
SECONDARY_NAMES = ("Academy", "Community School")
STARTS = (time(8, 30), time(8, 30), time(8, 30), time(8, 40), time(8, 45), time(8, 50), time(9, 0))


@dataclass(frozen=True)
class SyntheticSchool:
    urn: str
    name: str
    la_code: str
    phase: str
    postcode: str
    day_starts_at: time


def area_schools(per_authority: int = 10) -> list[SyntheticSchool]:
    """About forty schools: `per_authority` for each council the area's towns belong to."""
    schools = []
    codes = sorted(set(TOWN_AUTHORITY.values()))
    for index, code in enumerate(codes):
        towns = [town for town, _ in TOWNS if TOWN_AUTHORITY.get(town) == code]
        districts = [d for town, ds in TOWNS if TOWN_AUTHORITY.get(town) == code for d in ds]
        primaries = 0
        for n in range(per_authority):
            town = towns[n % len(towns)]
            secondary = n % 4 == 3
            if secondary:
                name = f"{town} {SECONDARY_NAMES[n % len(SECONDARY_NAMES)]}"
                if n >= 4:
                    name = f"{town} North {SECONDARY_NAMES[(n + 1) % len(SECONDARY_NAMES)]}"
            else:
                stem = PRIMARY_NAMES[(primaries + index) % len(PRIMARY_NAMES)]
                name = f"{stem} Primary School, {town}"
                if primaries >= len(PRIMARY_NAMES):
                    name = f"{stem} Junior School, {town}"
                primaries += 1
            schools.append(
                SyntheticSchool(
                    urn=f"9{code}{n + 1:02d}",
                    name=name,
                    la_code=code,
                    phase="Secondary" if secondary else "Primary",
                    postcode=f"TS{districts[n % len(districts)]} {n % 9 + 1}AB",
                    day_starts_at=STARTS[(n + 2 * index) % len(STARTS)],
                )
            )
    return schools


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus, "anonymous" algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    after = date(year + month // 12, month % 12 + 1, 1)
    return _weekday_on_or_after(after - timedelta(days=7), 0)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def academic_year_terms(year: int, shift_days: int = 0) -> list[tuple[str, date, date]]:
    """The six terms of the academic year starting in September `year`, first and last days
    inclusive. `shift_days` (0 or 1) moves the first day of the year, as councils differ."""
    first = date(year, 9, 3) + timedelta(days=shift_days)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    october = _last_monday(year, 10)
    december = _weekday_on_or_before(date(year, 12, 19))
    january = _weekday_on_or_after(date(year + 1, 1, 4), 0)
    february = _weekday_on_or_after(date(year + 1, 2, 14), 0)
    sunday = easter(year + 1)
    may = _last_monday(year + 1, 5)
    july = _weekday_on_or_before(date(year + 1, 7, 22))
    return [
        ("Autumn 1", first, october - timedelta(days=3)),
        ("Autumn 2", october + timedelta(days=7), december),
        ("Spring 1", january, february - timedelta(days=3)),
        ("Spring 2", february + timedelta(days=7), sunday - timedelta(days=3)),
        ("Summer 1", sunday + timedelta(days=15), may - timedelta(days=3)),
        ("Summer 2", may + timedelta(days=7), july),
    ]
