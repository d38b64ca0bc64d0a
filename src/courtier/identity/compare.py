"""Stage 3, compare: for a pair of prepared records, one agreement level per comparison.

Comparisons are data: a name, its levels from strongest agreement to ``else``, and the
function that picks a level. Level 0 is always ``null`` (a side is missing), which weighs
nothing, so a missing value is never held against a match.

Choices worth knowing:

- Given and family names are compared both ways round; the better orientation wins, so
  ``Tremblay Marie`` meets ``Marie Tremblay``.
- Email local parts that differ only in their digits (``jane.doe1``/``jane.doe7``) get a
  level of their own, never a fuzzy one: numbered addresses usually belong to different
  people sharing a name, and the model learns that level's (negative) weight.
- The postal address is one comparison (postcode and street together), so a household
  sharing it is counted once, not twice.
- Birth dates allow a day/month swap (03/04 typed as 04/03) as a level of its own, and
  so is a day a few days off in the same month: a slip of the finger is far rarer between
  two random people (about 1 pair in 4,000) than any one part of the date differing
  (same year and month, or same day and month, 1 in 500), so it weighs more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

from courtier.identity import nicknames
from courtier.identity.prepare import Prepared

_DIGITS = re.compile(r"\d+")
_FEW_DAYS = 3
Levels = tuple[int, ...]


@dataclass(frozen=True)
class Comparison:
    """One field's comparison: level names, strongest first after ``null``; last is ``else``."""

    name: str
    levels: tuple[str, ...]
    level: Callable[[Prepared, Prepared], int]


def _jw(a: str, b: str) -> float:
    return float(JaroWinkler.similarity(a, b))


def _initials(given: str) -> str:
    parts = given.split("-")
    return "".join(p[0] for p in parts) if len(parts) > 1 else ""


def _given(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    if nicknames.equivalent(a, b) or a == _initials(b) or b == _initials(a):
        return 2
    similarity = _jw(a, b)
    if similarity >= 0.92:
        return 3
    if similarity >= 0.80:
        return 4
    return 5


def _family(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    similarity = _jw(a, b)
    if similarity >= 0.92:
        return 2
    if similarity >= 0.80:
        return 3
    return 4


def _oriented(a: Prepared, b: Prepared) -> tuple[str, str]:
    """b's (given, family), swapped when that lines up better with a's."""
    if a.given == b.given and a.family == b.family:
        return b.given, b.family
    if a.given and a.family and b.given and b.family:
        straight = _jw(a.given, b.given) + _jw(a.family, b.family)
        swapped = _jw(a.given, b.family) + _jw(a.family, b.given)
        if swapped > straight + 0.1:
            return b.family, b.given
    return b.given, b.family


def given_level(a: Prepared, b: Prepared) -> int:
    return _given(a.given, _oriented(a, b)[0])


def family_level(a: Prepared, b: Prepared) -> int:
    return _family(a.family, _oriented(a, b)[1])


def birth_level(a: Prepared, b: Prepared) -> int:
    if a.birth is None or b.birth is None:
        return 0
    if a.birth == b.birth:
        return 1
    (ya, ma, da), (yb, mb, db) = a.birth, b.birth
    if ya == yb and ma == db and da == mb:
        return 2
    if ya == yb and ma == mb and abs(da - db) <= _FEW_DAYS:
        return 3
    if sum(x != y for x, y in zip(a.birth, b.birth, strict=True)) == 1:
        return 4
    return 5


def phone_level(a: Prepared, b: Prepared) -> int:
    if not a.phones or not b.phones:
        return 0
    if set(a.phones) & set(b.phones):
        return 1
    return 2


def numbered_apart(a: str, b: str) -> bool:
    """Whether two email local parts differ only in their digits (``jane.doe1``, ``jane.doe7``).

    Numbered addresses usually belong to namesakes, so this is never read as a typo.
    """
    return a != b and _DIGITS.sub("", a) == _DIGITS.sub("", b)


def email_level(a: Prepared, b: Prepared) -> int:
    if not a.emails or not b.emails:
        return 0
    best = 5
    for la, da in a.emails:
        for lb, db in b.emails:
            if la == lb:
                best = min(best, 1 if da == db else 2)
            elif numbered_apart(la, lb):
                best = min(best, 4)  # only the digits differ: a different person, usually
            elif _DIGITS.findall(la) == _DIGITS.findall(lb) and _jw(la, lb) >= 0.88:
                best = min(best, 3)
    return best


def _same_street(a: str, b: str) -> bool:
    # House numbers must be equal: "1234 main st" and "1243 main st" are close in
    # Jaro-Winkler but are different homes; the rest may carry a typo.
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    return a == b or _jw(a, b) >= 0.92


def address_level(a: Prepared, b: Prepared) -> int:
    codes = bool(a.postcode and b.postcode)
    streets = bool(a.street and b.street)
    if not codes and not streets:
        return 0  # a postcode on one side and a street on the other say nothing
    same_code = codes and a.postcode == b.postcode
    same_street = streets and _same_street(a.street, b.street)
    if same_code and same_street:
        return 1
    if same_code:
        return 2
    if same_street:
        return 3
    if codes and a.postcode[:3] == b.postcode[:3]:
        return 4
    return 5


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        ("null", "exact", "diminutive", "jaro_winkler>=0.92", "jaro_winkler>=0.80", "else"),
        given_level,
    ),
    Comparison(
        "family_name",
        ("null", "exact", "jaro_winkler>=0.92", "jaro_winkler>=0.80", "else"),
        family_level,
    ),
    Comparison(
        "birth_date",
        ("null", "exact", "day_month_swapped", "days_apart<=3", "one_part_differs", "else"),
        birth_level,
    ),
    Comparison("phone", ("null", "shared", "else"), phone_level),
    Comparison(
        "email",
        ("null", "exact", "same_local_part", "local_part_similar", "digits_differ", "else"),
        email_level,
    ),
    Comparison(
        "address",
        ("null", "same_street_and_postcode", "same_postcode", "same_street", "same_area", "else"),
        address_level,
    ),
)


def compare(a: Prepared, b: Prepared) -> Levels:
    """The level of every comparison for one pair, in :data:`COMPARISONS` order."""
    # The names are oriented once here rather than in each name comparison: this is the
    # batch's inner loop, and Jaro-Winkler four times per pair is most of its cost.
    given, family = _oriented(a, b)
    return (
        _given(a.given, given),
        _family(a.family, family),
        birth_level(a, b),
        phone_level(a, b),
        email_level(a, b),
        address_level(a, b),
    )
