"""A labelled evaluation set of realistic duplicates, and the figures that judge a matcher.

``generate(n, seed)`` makes ``n`` person records, each labelled with the true person
(``cluster_id``). The same seed gives the same records. Duplicates carry the mistakes of
real customer bases: typos and transpositions, nicknames and diminutives (English and
French), missing values, given and family names swapped, phones in every format, a new
phone, a work email, a moved house, a day/month swap in the birth date, a married name.
Two traps are planted on purpose:

- households: two to four different people sharing a family name, an address and a
  landline (a matcher trained without labels tends to merge them);
- numbered emails: namesakes whose addresses differ only by digits (``jane.doe1`` and
  ``jane.doe7``) are different people.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from courtier.identity import nicknames

_GIVEN_F = [
    "marie",
    "anne",
    "julie",
    "isabelle",
    "nathalie",
    "sophie",
    "catherine",
    "elizabeth",
    "margaret",
    "jennifer",
    "sarah",
    "emma",
    "olivia",
    "chloe",
    "lea",
    "camille",
    "manon",
    "genevieve",
    "stephanie",
    "valerie",
    "caroline",
    "helene",
    "louise",
    "francoise",
    "emily",
    "jessica",
    "rebecca",
    "susan",
    "patricia",
    "victoria",
    "christine",
    "laura",
    "amelie",
    "josee",
    "marie-eve",
    "marie-claude",
    "sylvie",
    "johanne",
    "chantal",
    "melanie",
    "audrey",
    "alexandra",
    "samantha",
    "jane",
]
_GIVEN_M = [
    "jean",
    "pierre",
    "michel",
    "francois",
    "jacques",
    "louis",
    "nicolas",
    "philippe",
    "alexandre",
    "mathieu",
    "antoine",
    "sebastien",
    "stephane",
    "frederic",
    "guillaume",
    "vincent",
    "christophe",
    "robert",
    "william",
    "richard",
    "james",
    "john",
    "michael",
    "thomas",
    "joseph",
    "charles",
    "christopher",
    "daniel",
    "david",
    "edward",
    "anthony",
    "andrew",
    "matthew",
    "steven",
    "benjamin",
    "samuel",
    "patrick",
    "gregory",
    "timothy",
    "kenneth",
    "jean-francois",
    "jean-philippe",
    "jean-sebastien",
    "marc",
    "luc",
    "eric",
    "martin",
    "olivier",
    "simon",
    "gabriel",
    "raphael",
]
_FAMILY = [
    "tremblay",
    "gagnon",
    "roy",
    "cote",
    "bouchard",
    "gauthier",
    "morin",
    "lavoie",
    "fortin",
    "gagne",
    "ouellet",
    "pelletier",
    "belanger",
    "levesque",
    "bergeron",
    "leblanc",
    "paquette",
    "girard",
    "simard",
    "boucher",
    "caron",
    "beaulieu",
    "cloutier",
    "dube",
    "poirier",
    "fournier",
    "lapointe",
    "leclerc",
    "lefebvre",
    "poulin",
    "thibault",
    "st-pierre",
    "nadeau",
    "martin",
    "landry",
    "martel",
    "bedard",
    "grenier",
    "lessard",
    "bernier",
    "richard",
    "michaud",
    "hebert",
    "desjardins",
    "couture",
    "turcotte",
    "lachance",
    "parent",
    "blais",
    "gosselin",
    "savard",
    "proulx",
    "beaudoin",
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "miller",
    "davis",
    "wilson",
    "anderson",
    "taylor",
    "thomas",
    "moore",
    "jackson",
    "white",
    "harris",
    "clark",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "hill",
    "green",
    "adams",
    "baker",
    "nelson",
    "carter",
    "mitchell",
    "campbell",
    "roberts",
    "evans",
    "turner",
    "phillips",
    "parker",
    "collins",
    "edwards",
    "stewart",
    "morris",
    "murphy",
    "cook",
    "rogers",
    "morgan",
    "cooper",
    "peterson",
    "reed",
    "bailey",
    "kelly",
    "howard",
    "ward",
    "cox",
    "richardson",
    "wood",
    "watson",
    "brooks",
    "bennett",
    "gray",
    "james",
    "hughes",
    "price",
    "sanders",
    "myers",
    "long",
    "ross",
    "foster",
    "doe",
    "dupont",
    "durand",
    "lefevre",
    "mercier",
    "chevalier",
    "fontaine",
    "rousseau",
    "vincent",
    "muller",
    "faure",
    "blanc",
    "guerin",
    "boyer",
    "garnier",
    "chevallier",
    "francois",
    "legrand",
]
_STREETS = [
    "rue saint-denis",
    "boulevard saint-laurent",
    "avenue du parc",
    "rue sherbrooke",
    "chemin de la cote",
    "main street",
    "king street",
    "queen street",
    "maple avenue",
    "oak drive",
    "rue principale",
    "rue notre-dame",
    "avenue laurier",
    "rue de la montagne",
    "elm road",
    "pine street",
    "boulevard rene-levesque",
    "rue ontario",
]
_DOMAINS = ("gmail.com", "hotmail.com", "videotron.ca", "yahoo.ca", "outlook.com", "bell.net")
_WORK = ("acme.ca", "desjardins.com", "ville.montreal.qc.ca", "bnc.ca", "cgi.com")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ACCENTED = {
    "francois": "François",
    "helene": "Hélène",
    "genevieve": "Geneviève",
    "stephanie": "Stéphanie",
    "stephane": "Stéphane",
    "frederic": "Frédéric",
    "sebastien": "Sébastien",
    "amelie": "Amélie",
    "josee": "Josée",
    "raphael": "Raphaël",
    "cote": "Côté",
    "belanger": "Bélanger",
    "levesque": "Lévesque",
    "gagne": "Gagné",
    "bedard": "Bédard",
    "dube": "Dubé",
    "hebert": "Hébert",
    "lea": "Léa",
    "melanie": "Mélanie",
    "valerie": "Valérie",
    "jean-francois": "Jean-François",
    "guerin": "Guérin",
}
FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "email",
    "postal_code",
    "postal_address",
)


@dataclass
class _Person:
    given: str
    family: str
    birth: tuple[int, int, int]
    mobile: str
    landline: str
    email: str
    postcode: str
    street: str


def _postcode(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTVXY"
    return (
        f"{rng.choice('HJGK')}{rng.randint(0, 9)}{rng.choice(letters)} "
        f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"
    )


def _phone(rng: random.Random) -> str:
    return (
        f"{rng.choice(('514', '438', '450', '418', '819', '613'))}{rng.randint(2000000, 9999999)}"
    )


def _fmt_phone(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}", f"1{a}{b}{c}", digits)
    )


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(_LETTERS) + text[i:]
    if kind == 2:
        return text[:i] + rng.choice(_LETTERS) + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _nickname(rng: random.Random, given: str) -> str:
    groups = nicknames.groups_of(given)
    options = [n for g in groups for n in nicknames._GROUPS[g] if n != given and " " not in n]
    return rng.choice(options) if options else given


def _display(rng: random.Random, text: str) -> str:
    text = _ACCENTED.get(text, text) if rng.random() < 0.7 else text
    style = rng.random()
    if style < 0.75:
        return "-".join(p.capitalize() for p in text.split("-"))
    return text.upper() if style < 0.85 else text.lower()


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.locals: Counter[str] = Counter()

    def email(self, given: str, family: str) -> str:
        base = f"{given}.{family}".replace("-", "")
        last = self.locals[base]
        # Namesakes get numbered addresses (jane.doe1, jane.doe7): the trap. Numbers are
        # unique per name, as a provider hands out each address once.
        self.locals[base] = number = last + (1 if last == 0 else self.rng.randint(1, 8))
        local = base if number == 1 else f"{base}{number}"
        return f"{local}@{self.rng.choice(_DOMAINS)}"

    def person(
        self, family: str | None = None, home: tuple[str, str, str] | None = None
    ) -> _Person:
        rng = self.rng
        given = rng.choice(_GIVEN_F if rng.random() < 0.5 else _GIVEN_M)
        family = family or rng.choice(_FAMILY)
        birth = (rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28))
        postcode, street, landline = home or (
            _postcode(rng),
            f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}",
            _phone(rng),
        )
        return _Person(
            given, family, birth, _phone(rng), landline, self.email(given, family), postcode, street
        )

    def record(self, p: _Person, duplicate: bool) -> dict[str, Any]:
        rng = self.rng
        given, family, (y, m, d) = p.given, p.family, p.birth
        phone = p.mobile if rng.random() < 0.6 else p.landline
        email, postcode, street = p.email, p.postcode, p.street
        if duplicate:
            if rng.random() < 0.25:
                given = _typo(rng, given)
            if rng.random() < 0.2:
                family = _typo(rng, family)
            if rng.random() < 0.15:
                given = _nickname(rng, p.given)
            if rng.random() < 0.05:
                family = rng.choice(_FAMILY)  # married name
            if rng.random() < 0.08:
                given, family = family, given
            if rng.random() < 0.05 and d <= 12:
                m, d = d, m
            elif rng.random() < 0.05:
                d = min(28, max(1, d + rng.choice((-1, 1))))
            if rng.random() < 0.2:
                phone = _phone(rng)  # a new number
            if rng.random() < 0.15:
                local = email.split("@")[0]
                email = f"{local}@{rng.choice(_WORK)}"
            if rng.random() < 0.15:
                postcode, street = _postcode(rng), f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}"
        row: dict[str, Any] = {
            "given_name": _display(rng, given),
            "family_name": _display(rng, family),
            "birth_date": f"{y:04d}-{m:02d}-{d:02d}",
            "phone": _fmt_phone(rng, phone),
            "email": email,
            "postal_code": postcode if rng.random() < 0.8 else postcode.replace(" ", "").lower(),
            "postal_address": street,
        }
        for key, chance in (
            ("birth_date", 0.25),
            ("phone", 0.15),
            ("email", 0.3),
            ("postal_code", 0.2),
            ("postal_address", 0.2),
        ):
            if rng.random() < chance:
                row[key] = ""
        return row


def generate(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """``n`` labelled person records (``id``, ``cluster_id`` and :data:`FIELDS`), deterministic."""
    maker = _Maker(seed)
    rng = maker.rng
    rows: list[dict[str, Any]] = []
    person_id = 0
    while len(rows) < n:
        if rng.random() < 0.12:
            first = maker.person()
            home = (first.postcode, first.street, first.landline)
            people = [first] + [maker.person(first.family, home) for _ in range(rng.randint(1, 3))]
        else:
            people = [maker.person()]
        for person in people:
            person_id += 1
            copies = rng.choices((1, 2, 3, 4), weights=(60, 25, 10, 5))[0]
            for copy in range(copies):
                row = maker.record(person, duplicate=copy > 0)
                row["cluster_id"] = f"p{person_id}"
                rows.append(row)
    rows = rows[:n]
    rng.shuffle(rows)
    for index, row in enumerate(rows):
        row["id"] = index
    return rows


@dataclass(frozen=True)
class Figures:
    """Pairwise precision, recall and F1 of predicted clusters against the truth."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score_clusters(truth: Sequence[object], predicted: Sequence[object]) -> Figures:
    """Compare two clusterings of the same records, pair by pair."""
    true_pairs = sum(_pairs(c) for c in Counter(truth).values())
    predicted_pairs = sum(_pairs(c) for c in Counter(predicted).values())
    correct = sum(_pairs(c) for c in Counter(zip(truth, predicted, strict=True)).values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(
        round(precision, 4), round(recall, 4), round(f1, 4), true_pairs, predicted_pairs, correct
    )
