"""GIAS-shaped CSV files for tests and the benchmark: the real column names around the ones the
import reads, junk columns besides, and Windows-1252 by default as GIAS publishes them."""

import csv
import io
import random
from collections.abc import Iterable, Sequence

# The start of the real GIAS establishment fields header, in its order (abridged).
GIAS_HEADER = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (name)",
    "Gender (name)",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
]

TYPES = ["Community school", "Academy converter", "Voluntary aided school", "Free schools"]
PHASES = ["Primary", "Secondary", "All-through", "Nursery", "16 plus"]
LAS = [("383", "Leeds"), ("330", "Birmingham"), ("926", "Norfolk"), ("204", "Hackney")]
# Names GIAS really holds with characters outside ASCII (Windows-1252 in the file).
ACCENTED = ["St Thérèse's Catholic Primary School", "Ysgol Gymraeg Llundain \u2013 Ysgol Gynradd"]


def school_row(
    urn: str,
    name: str,
    *,
    la: tuple[str, str] = ("383", "Leeds"),
    establishment_type: str = "Community school",
    status: str = "Open",
    phase: str = "Primary",
    postcode: str = "LS6 2AB",
) -> dict[str, str]:
    return {
        "URN": urn,
        "LA (code)": la[0],
        "LA (name)": la[1],
        "EstablishmentNumber": "2001",
        "EstablishmentName": name,
        "TypeOfEstablishment (code)": "01",
        "TypeOfEstablishment (name)": establishment_type,
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": status,
        "PhaseOfEducation (code)": "2",
        "PhaseOfEducation (name)": phase,
        "Street": "1 School Lane, Upper Floor",
        "Town": "Leeds",
        "Postcode": postcode,
        "HeadFirstName": "Jo",
    }


def gias_csv(
    rows: Iterable[dict[str, str]],
    *,
    header: Sequence[str] = GIAS_HEADER,
    junk_columns: int = 0,
    encoding: str = "cp1252",
    bom: bool = False,
) -> bytes:
    """The file: `header` then `junk_columns` more ("Extra1"…), each row filled by name."""
    columns = [*header, *(f"Extra{n}" for n in range(1, junk_columns + 1))]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def generated_rows(count: int, *, seed: int = 6, first_urn: int = 100000) -> list[dict[str, str]]:
    """`count` plausible schools with URNs from `first_urn`, some with accented names."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        la = LAS[n % len(LAS)]
        name = ACCENTED[n % 2] if n % 97 == 0 else f"{rng.choice(['Oak', 'Elm', 'Ash', 'Park'])} "
        if n % 97:
            name += f"{rng.choice(['Primary', 'Academy', 'High', 'Infant'])} School {n}"
        row = school_row(
            str(first_urn + n),
            name,
            la=la,
            establishment_type=TYPES[n % len(TYPES)],
            status="Open" if n % 10 else "Closed",
            phase=PHASES[n % len(PHASES)],
            postcode=f"LS{n % 30} {n % 10}{'ABCDEFGH'[n % 8]}{'JKLMNPQR'[n % 8]}",
        )
        # Filler in the columns nobody reads, as the real file has.
        row["TelephoneNum"] = f"0113{rng.randrange(10**6, 10**7)}"
        row["SchoolWebsite"] = f"https://school{n}.example.sch.uk"
        rows.append(row)
    return rows


def junk_values(rows: list[dict[str, str]], columns: int, seed: int = 7) -> None:
    """Fill the junk columns with short values, as the real file's 100-odd other columns."""
    rng = random.Random(seed)
    for row in rows:
        for n in range(1, columns + 1):
            row[f"Extra{n}"] = str(rng.randrange(1000)) if n % 3 else "Not applicable"
