"""Name keys and duplicate scoring, tolerant of spelling variants and of the order of names."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import jellyfish

_WORD = re.compile(r"[a-z]+")
_ADDRESS_WORD = re.compile(r"[a-z0-9]+")


def _ascii_lower(*parts: str) -> str:
    text = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return text.lower().replace("'", "")


def name_tokens(*names: str) -> list[str]:
    """Lower-case ASCII words of the names: 'Zoë  O'Brien-Smith' → ['zoe', 'obrien', 'smith']."""
    return _WORD.findall(_ascii_lower(*names))


def phonetic_key(token: str) -> str:
    """A sound-alike code: 'Jon', 'John' and 'Jonn' share one (Metaphone)."""
    return jellyfish.metaphone(token).replace(" ", "") or token


def search_keys(*names: str) -> str:
    """Space-delimited phonetic codes of every name word, with a space at each end.

    Stored on the person so a name search is a set of whole-token matches, in any order:
    `LIKE '% JN %'` anywhere, or full-text over the same tokens on PostgreSQL.
    """
    keys = sorted({phonetic_key(token) for token in name_tokens(*names)})
    return f" {' '.join(keys)} " if keys else ""


def query_keys(query: str) -> list[str]:
    return sorted({phonetic_key(token) for token in name_tokens(query)})


def postcode_key(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", postcode.upper())


def address_key(line1: str, postcode: str) -> str:
    """The same address however it was typed: first line's words and numbers plus the postcode.

    The house number is kept: a postcode covers about fifteen homes, and number 14 is not 12."""
    return " ".join(_ADDRESS_WORD.findall(_ascii_lower(line1))) + "|" + postcode_key(postcode)


@dataclass(frozen=True)
class Candidate:
    given_names: str
    family_name: str
    date_of_birth: date | None
    address_keys: frozenset[str]


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[str, ...]


LIKELY = 0.8


def name_similarity(a: str, b: str) -> float:
    """Jaro-Winkler over the sorted words, so the order of names does not matter."""
    left = " ".join(sorted(name_tokens(a)))
    right = " ".join(sorted(name_tokens(b)))
    if not left or not right:
        return 0.0
    return jellyfish.jaro_winkler_similarity(left, right)


def duplicate_match(new: Candidate, existing: Candidate) -> Match | None:
    """Is `existing` likely the same person as `new`? Similar name and DOB, or the same address."""
    reasons = []
    similarity = name_similarity(
        f"{new.given_names} {new.family_name}", f"{existing.given_names} {existing.family_name}"
    )
    same_dob = new.date_of_birth is not None and new.date_of_birth == existing.date_of_birth
    if similarity >= 0.85 and same_dob:
        reasons.append("similar name and the same date of birth")
    elif similarity >= 0.95 and (new.date_of_birth is None or existing.date_of_birth is None):
        reasons.append("the same name (a date of birth is missing)")
    if new.address_keys & existing.address_keys:
        reasons.append("the same address")
    if not reasons:
        return None
    score = similarity * (1.0 if same_dob else 0.8) + (0.2 if "the same address" in reasons else 0)
    return Match(round(min(score, 1.0), 3), tuple(reasons))
