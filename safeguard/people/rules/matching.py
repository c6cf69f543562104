"""Name keys and duplicate scoring, tolerant of spelling variants, nicknames, the order of
names and a date of birth typed day-for-month.

docs/finding.md 1 (finding the right child): a name's search keys are its sound (Metaphone,
jellyfish), the sounds of the formal names the `nicknames` dataset gives for it (Ben ->
Benjamin, Kate -> Katherine, whose sound Catherine shares, Liz -> Elizabeth), and the first
three sounds of it, for a short form the dataset lacks (Alfie and Alfred both begin ALF)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_WORD = re.compile(r"[a-z]+")
_ADDRESS_WORD = re.compile(r"[a-z0-9]+")
# Metaphone writes Q as K, so no sound code starts with Q: a prefix key cannot collide with one.
_PREFIX = "Q"
_PREFIX_LENGTH = 3


def _ascii_lower(*parts: str) -> str:
    text = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return text.lower().replace("'", "")


def name_tokens(*names: str) -> list[str]:
    """Lower-case ASCII words of the names: 'Zoë  O'Brien-Smith' → ['zoe', 'obrien', 'smith']."""
    return _WORD.findall(_ascii_lower(*names))


def phonetic_key(token: str) -> str:
    """A sound-alike code: 'Jon', 'John' and 'Jonn' share one (Metaphone)."""
    return jellyfish.metaphone(token).replace(" ", "").upper() or token.upper()


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=65536)
def formal_forms(token: str) -> frozenset[str]:
    """The formal names the nicknames dataset gives for a name: the name itself if the dataset
    knows nicknames of it, and every name it is a nickname of ('ben' → benedict, benjamin)."""
    namer = _namer()
    forms = {name.lower() for name in namer.canonicals_of(token)}
    if namer.nicknames_of(token):
        forms.add(token)
    return frozenset(forms)


@lru_cache(maxsize=65536)
def token_keys(token: str) -> frozenset[str]:
    """The keys stored for one name word: its sound, the sounds of its formal names, and the
    prefix key (Q + its first three sounds) that a three-sound short form looks for."""
    own = phonetic_key(token)
    keys = {own} | {phonetic_key(form) for form in formal_forms(token)}
    if len(own) >= _PREFIX_LENGTH:
        keys.add(_PREFIX + own[:_PREFIX_LENGTH])
    return frozenset(keys)


@lru_cache(maxsize=65536)
def token_query(token: str) -> frozenset[str]:
    """The keys a query word looks for, any one of which is enough: its sound and its formal
    names' sounds (found in a nickname's keys and a formal name's alike); for a three-sound
    word the names that begin with it ('Alfie' → Alfred); for a longer one a short form equal
    to its first three sounds ('Alfred' → Alfie, Alf)."""
    own = phonetic_key(token)
    keys = {own} | {phonetic_key(form) for form in formal_forms(token)}
    if len(own) == _PREFIX_LENGTH:
        keys.add(_PREFIX + own)
    elif len(own) > _PREFIX_LENGTH:
        keys.add(own[:_PREFIX_LENGTH])
    return frozenset(keys)


def search_keys(*names: str) -> str:
    """Space-delimited keys of every name word (token_keys), with a space at each end.

    Stored on the person so a name search is a set of whole-token matches, in any order:
    `LIKE '% JN %'` anywhere, or full-text over the same tokens on PostgreSQL."""
    keys = sorted(set().union(*(token_keys(token) for token in name_tokens(*names))))
    return f" {' '.join(keys)} " if keys else ""


def query_key_groups(query: str) -> list[list[str]]:
    """One group of keys per distinct query word: a person matches if, for every group, one
    of its keys is among the person's search keys."""
    groups = {tuple(sorted(token_query(token))) for token in name_tokens(query)}
    return [list(group) for group in sorted(groups)]


def query_keys(query: str) -> list[str]:
    """The plain sound codes of the query's words (no variants): the family name's pool."""
    return sorted({phonetic_key(token) for token in name_tokens(query)})


def tokens_alike(left: str, right: str) -> bool:
    """One name word is a spelling, a nickname or a short form of the other, either way."""
    return bool(token_query(left) & token_keys(right) or token_query(right) & token_keys(left))


def postcode_key(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", postcode.upper())


def address_key(line1: str, postcode: str) -> str:
    """The same address however it was typed: first line's words and numbers plus the postcode.

    The house number is kept: a postcode covers about fifteen homes, and number 14 is not 12."""
    return " ".join(_ADDRESS_WORD.findall(_ascii_lower(line1))) + "|" + postcode_key(postcode)


def swapped_dob(dob: date | None) -> date | None:
    """The date with day and month exchanged (3 April for 4 March), if that is a date and a
    different one: the usual slip between UK and US order."""
    if dob is None or dob.day == dob.month or dob.day > 12:
        return None
    return date(dob.year, dob.day, dob.month)


@dataclass(frozen=True)
class Candidate:
    given_names: str
    family_name: str
    date_of_birth: date | None
    # Keys of current addresses only: a home someone left is not a shared address.
    address_keys: frozenset[str]


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[str, ...]


LIKELY = 0.8
SAME_NAME = 0.97


def name_similarity(a: str, b: str) -> float:
    """Jaro-Winkler over the sorted words, so the order of names does not matter."""
    left = " ".join(sorted(name_tokens(a)))
    right = " ".join(sorted(name_tokens(b)))
    if not left or not right:
        return 0.0
    return jellyfish.jaro_winkler_similarity(left, right)


def _family_alike(new: list[str], old: list[str]) -> bool:
    return any(
        phonetic_key(a) == phonetic_key(b) or jellyfish.jaro_winkler_similarity(a, b) >= 0.9
        for a in new
        for b in old
    )


def _other_first_name(new: list[str], old: list[str]) -> tuple[str, str] | None:
    """A first name of the new record that is a nickname or short form (not a spelling) of
    one of the existing record's: ('ben', 'benjamin')."""
    for a in new:
        for b in old:
            if phonetic_key(a) != phonetic_key(b) and tokens_alike(a, b):
                return a, b
    return None


def duplicate_match(new: Candidate, existing: Candidate) -> Match | None:
    """Is `existing` likely the same person as `new`? A similar name (a spelling, a nickname or
    short form of the first name, the names in another order) with the same date of birth or
    with day and month swapped; the same name with a date of birth missing; or a shared
    current address."""
    reasons = []
    new_given, old_given = name_tokens(new.given_names), name_tokens(existing.given_names)
    new_family, old_family = name_tokens(new.family_name), name_tokens(existing.family_name)
    similarity = name_similarity(
        f"{new.given_names} {new.family_name}", f"{existing.given_names} {existing.family_name}"
    )
    other_form = _other_first_name(new_given, old_given)
    by_parts = any(tokens_alike(a, b) for a in new_given for b in old_given) and _family_alike(
        new_family, old_family
    )
    # The parts alike, or the whole name nearly the same (other order, a slip of the keys):
    # Alfie and Alice Green are twins, not one child typed twice.
    alike = by_parts or similarity >= SAME_NAME
    same_dob = new.date_of_birth is not None and new.date_of_birth == existing.date_of_birth
    swapped = (
        existing.date_of_birth is not None
        and swapped_dob(new.date_of_birth) == existing.date_of_birth
    )
    name_reason = "similar name"
    if other_form and by_parts:
        name_reason = f"{other_form[0].title()} and {other_form[1].title()}: one first name"
    if alike and same_dob:
        reasons.append(f"{name_reason} and the same date of birth")
    elif alike and swapped:
        reasons.append(f"{name_reason} and the date of birth with day and month swapped")
    elif similarity >= SAME_NAME and (new.date_of_birth is None or existing.date_of_birth is None):
        reasons.append("the same name (a date of birth is missing)")
    if new.address_keys & existing.address_keys:
        reasons.append("the same address")
    if not reasons:
        return None
    name_score = max(similarity, 0.9 if by_parts else 0.0)
    dob_factor = 1.0 if same_dob else 0.95 if swapped and alike else 0.8
    address_bonus = 0.2 if "the same address" in reasons else 0
    return Match(round(min(name_score * dob_factor + address_bonus, 1.0), 3), tuple(reasons))
