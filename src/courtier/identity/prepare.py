"""Stage 1, prepare: turn the details of a person, however typed, into comparable parts.

Names lose accents and case (``François`` and ``FRANCOIS`` are one name) and gain a
phonetic key; phones keep their digits (the last ten identify a North American number in
any format); emails split into local part and domain; dates of birth become a
(year, month, day) triple. Junk is not an error here: it is dropped and named in
``problems``, so one bad field never hides the good ones, and the matcher can refuse to
act on a record that has nothing usable left.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import jellyfish

from courtier.core.errors import FieldError
from courtier.identity import nicknames

MAX_FIELD = 320
_NOT_LETTER = re.compile(r"[^a-z\s'-]+")
_SEPARATORS = re.compile(r"[\s'-]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
# Placeholders people type when a form insists on an email; never evidence of identity.
_JUNK_LOCAL = frozenset({"test", "none", "noreply", "no-reply", "na", "n/a", "x", "xx", "nobody"})
_JUNK_TLD = frozenset({"test", "invalid", "localhost", "local", "example"})
_STREET_WORDS = {
    "street": "st",
    "avenue": "av",
    "ave": "av",
    "boulevard": "bd",
    "boul": "bd",
    "blvd": "bd",
    "road": "rd",
    "drive": "dr",
    "chemin": "ch",
    "apartment": "apt",
    "app": "apt",
    "appartement": "apt",
}


@dataclass(frozen=True, slots=True)
class Prepared:
    """One person's details in the form every later stage works on."""

    given: str = ""
    family: str = ""
    given_key: str = ""  # phonetic (Metaphone)
    family_key: str = ""
    birth: tuple[int, int, int] | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[tuple[str, str], ...] = ()
    postcode: str = ""
    street: str = ""
    problems: tuple[FieldError, ...] = field(default=(), compare=False)

    def usable(self) -> bool:
        """Whether anything is left to match on."""
        return bool(
            self.given or self.family or self.birth or self.phones or self.emails or self.street
        )

    def to_row(self) -> list[Any]:
        """A compact JSON-ready form, stored per customer so matching never re-prepares."""
        return [
            self.given,
            self.family,
            self.given_key,
            self.family_key,
            list(self.birth) if self.birth else None,
            list(self.phones),
            [list(e) for e in self.emails],
            self.postcode,
            self.street,
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> Prepared:
        """Rebuild a record stored with :meth:`to_row`."""
        birth = row[4]
        return cls(
            row[0],
            row[1],
            row[2],
            row[3],
            (birth[0], birth[1], birth[2]) if birth else None,
            tuple(row[5]),
            tuple((e[0], e[1]) for e in row[6]),
            row[7],
            row[8],
        )


# One tuple per calendar date (about 45,000 since 1900), shared by every record born then.
_DATES: dict[tuple[int, int, int], tuple[int, int, int]] = {}


def fold(text: str) -> str:
    """Lower-case ASCII without accents: ``Élodie`` → ``elodie``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Names and streets repeat across a base; caching their folding makes preparing a million
# records several times faster.
@lru_cache(maxsize=200_000)
def name(text: str) -> str:
    """A name folded, its parts joined by hyphens: ``Jean François`` → ``jean-francois``."""
    cleaned = _NOT_LETTER.sub(" ", fold(text))
    return "-".join(p for p in _SEPARATORS.split(cleaned) if p)


@lru_cache(maxsize=200_000)
def phonetic(normalised: str) -> str:
    """The Metaphone key of a normalised name (hyphens ignored)."""
    letters = normalised.replace("-", "")
    return jellyfish.metaphone(letters) if letters else ""


def phone_digits(text: str) -> str | None:
    """The national significant digits of a phone, or None when it cannot be one.

    Ten digits (or eleven starting with 1) read as North American; longer international
    numbers keep every digit. All-same digits (0000000000) are junk, not a number.
    """
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not 7 <= len(digits) <= 15 or len(set(digits)) <= 2:
        return None
    return digits


def email_parts(text: str) -> tuple[str, str] | None:
    """(local part, domain) of a plausible email, or None for junk like ``test@test``."""
    cleaned = fold(text.strip())
    if cleaned.count("@") != 1:
        return None
    local, domain = cleaned.split("@")
    if not local or "." not in domain or local in _JUNK_LOCAL:
        return None
    if domain.rsplit(".", 1)[1] in _JUNK_TLD or domain.split(".")[0] in _JUNK_LOCAL:
        return None
    return local, domain


def birth_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from ``YYYY-MM-DD`` or ``DD/MM/YYYY``, or None if not a past date."""
    text = text.strip()
    iso = _ISO_DATE.fullmatch(text)
    dmy = _DMY_DATE.fullmatch(text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    elif dmy:
        d, m, y = (int(g) for g in dmy.groups())
    else:
        return None
    try:
        when = date(y, m, d)
    except ValueError:
        return None
    if y < 1900 or when > date.today():  # noqa: DTZ011 - a birth date is a calendar date
        return None
    return (y, m, d)


@lru_cache(maxsize=200_000)
def street(text: str) -> str:
    """A street line folded, with common words shortened: ``12 Main Street`` → ``12 main st``."""
    words = _NOT_ALNUM.sub(" ", fold(text)).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


def postcode(text: str) -> str:
    """Upper-case letters and digits only: ``h2x 1y4`` → ``H2X1Y4``."""
    return re.sub(r"[^A-Z0-9]", "", fold(text).upper())


def _many(details: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    value = details.get(key)
    plural = details.get(key + "s")
    found: list[tuple[str, str]] = []
    if value:
        found.append((key, str(value)))
    if isinstance(plural, list | tuple):
        found += [(f"{key}s[{i}]", str(v)) for i, v in enumerate(plural) if v]
    return found


def prepare(details: Mapping[str, Any]) -> Prepared:
    """Prepare one person's details; junk fields are dropped and listed in ``problems``.

    Understood keys: ``given_name``, ``family_name``, ``name`` (split at the last space
    when the parts are not given), ``phone``/``phones``, ``email``/``emails``,
    ``birth_date``, ``postal_code``, ``postal_address``.
    """
    problems: list[FieldError] = []
    for key, value in details.items():
        if isinstance(value, str) and len(value) > MAX_FIELD:
            problems.append(FieldError(key, f"is longer than {MAX_FIELD} characters; ignored"))
    fields = {k: v for k, v in details.items() if not (isinstance(v, str) and len(v) > MAX_FIELD)}
    given = name(str(fields.get("given_name") or ""))
    family = name(str(fields.get("family_name") or ""))
    if not given and not family and fields.get("name"):
        parts = name(str(fields["name"])).rsplit("-", 1)
        given, family = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    for label, value in (("given_name", given), ("family_name", family)):
        if value and len(value.replace("-", "")) < 2:
            problems.append(FieldError(label, "has fewer than two letters; ignored"))
    given = given if len(given.replace("-", "")) >= 2 else ""
    family = family if len(family.replace("-", "")) >= 2 else ""

    phones: list[str] = []
    for label, raw in _many(fields, "phone"):
        digits = phone_digits(raw)
        if digits is None:
            problems.append(FieldError(label, "is not a usable phone number; ignored"))
        elif digits not in phones:
            phones.append(digits)
    emails: list[tuple[str, str]] = []
    for label, raw in _many(fields, "email"):
        split = email_parts(raw)
        if split is None:
            problems.append(FieldError(label, "is not a usable email address; ignored"))
        elif split not in emails:
            emails.append((split[0], sys.intern(split[1])))
    birth = None
    if fields.get("birth_date"):
        birth = birth_date(str(fields["birth_date"]))
        if birth is not None:
            birth = _DATES.setdefault(birth, birth)
        if birth is None:
            problems.append(
                FieldError("birth_date", "is not a past date (YYYY-MM-DD or DD/MM/YYYY); ignored")
            )
    # Names, email domains, postcodes, streets and birth dates repeat across a base
    # (thousands of Tremblays, one postcode per street, one gmail.com): one shared object
    # each keeps a million prepared records hundreds of megabytes smaller.
    return Prepared(
        given=sys.intern(given),
        family=sys.intern(family),
        given_key=sys.intern(phonetic(nicknames.canonical(given))) if given else "",
        family_key=sys.intern(phonetic(family)) if family else "",
        birth=birth,
        phones=tuple(phones),
        emails=tuple(emails),
        postcode=sys.intern(postcode(str(fields.get("postal_code") or ""))),
        street=sys.intern(street(str(fields.get("postal_address") or ""))),
        problems=tuple(problems),
    )
