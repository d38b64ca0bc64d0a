"""Who lives in the demo company: names, places and how each person types their details.

Pure data and a seeded :class:`random.Random`: the same seed always invents the same
people, so a demo (and a test) can be rebuilt identically. Nothing here touches the
database; :mod:`courtier.core.demo.build` turns these people into rows.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date

# (given name, salutation, familiar form or "") per language.
GIVEN = {
    "fr": [
        ("Hélène", "ms", ""),
        ("François", "mr", ""),
        ("Marie-Ève", "ms", ""),
        ("Jean-François", "mr", "J-F"),
        ("Geneviève", "ms", "Gen"),
        ("Stéphane", "mr", ""),
        ("Chloé", "ms", ""),
        ("Étienne", "mr", ""),
        ("Josée", "ms", ""),
        ("Benoît", "mr", ""),
        ("Noémie", "ms", ""),
        ("Frédéric", "mr", "Fred"),
        ("Mélanie", "ms", "Mél"),
        ("Jérôme", "mr", ""),
        ("Anaïs", "ms", ""),
        ("Gaëtan", "mr", ""),
        ("Françoise", "ms", "Fanny"),
        ("Raphaël", "mr", "Raph"),
        ("Sylvie", "ms", ""),
        ("Mathieu", "mr", "Math"),
        ("Léa", "ms", ""),
        ("André", "mr", ""),
        ("Camille", "mx", ""),
        ("Dominique", "mx", ""),
    ],
    "en": [
        ("Margaret", "ms", "Maggie"),
        ("Robert", "mr", "Bob"),
        ("Katherine", "ms", "Kate"),
        ("William", "mr", "Bill"),
        ("Emily", "ms", ""),
        ("James", "mr", "Jim"),
        ("Olivia", "ms", "Liv"),
        ("Michael", "mr", "Mike"),
        ("Sarah", "ms", ""),
        ("David", "mr", "Dave"),
        ("Priya", "ms", ""),
        ("Daniel", "mr", "Dan"),
        ("Jennifer", "ms", "Jen"),
        ("Thomas", "mr", "Tom"),
        ("Aisha", "ms", ""),
        ("Christopher", "mr", "Chris"),
        ("Elizabeth", "ms", "Liz"),
        ("Andrew", "mr", "Andy"),
        ("Grace", "ms", ""),
        ("Wei", "mr", ""),
        ("Alex", "mx", ""),
        ("Jordan", "mx", ""),
    ],
}
FAMILY = {
    "fr": [
        "Tremblay",
        "Gagnon",
        "Roy",
        "Côté",
        "Bouchard",
        "Gauthier-Lévesque",
        "Morin",
        "Lavoie",
        "Fortin",
        "Gélinas",
        "Bélanger",
        "Pelletier",
        "Bérubé",
        "Lévesque",
        "Ouellet",
        "Thériault",
        "Désilets",
        "Lefebvre-Paré",
        "Boucher",
        "Poirier",
        "Giguère",
        "Benoît",
        "Caron",
        "Dupuis",
    ],
    "en": [
        "Smith",
        "Brown",
        "Wilson",
        "MacDonald",
        "Campbell",
        "Anderson",
        "O'Brien",
        "Taylor",
        "Patel",
        "Thompson",
        "Martin",
        "Stewart",
        "Walsh",
        "Nguyen",
        "Fraser",
        "Murphy",
        "Chen",
        "Robertson",
        "Harris-Cole",
        "Singh",
        "Clarke",
        "Young",
    ],
}


@dataclass(frozen=True)
class Region:
    """A place customers live: its phone area codes, time zone and address shape."""

    city: str
    province: str
    time_zone: str
    area_codes: tuple[str, ...]
    postal_letter: str
    french_share: float
    streets: tuple[str, ...]


REGIONS = (
    Region(
        "Montréal",
        "QC",
        "America/Toronto",
        ("514", "438"),
        "H",
        0.75,
        (
            "rue Saint-Denis",
            "boulevard Saint-Laurent",
            "avenue du Parc",
            "rue Sherbrooke Est",
            "rue Beaubien",
            "avenue Laurier Ouest",
        ),
    ),
    Region(
        "Laval",
        "QC",
        "America/Toronto",
        ("450", "579"),
        "H",
        0.7,
        ("boulevard des Laurentides", "rue de la Concorde", "avenue Ampère"),
    ),
    Region(
        "Québec",
        "QC",
        "America/Toronto",
        ("418", "581"),
        "G",
        0.92,
        ("rue Saint-Jean", "Grande Allée Est", "chemin Sainte-Foy", "rue Cartier"),
    ),
    Region(
        "Gatineau",
        "QC",
        "America/Toronto",
        ("819", "873"),
        "J",
        0.8,
        ("boulevard Maloney", "rue Laurier", "chemin d'Aylmer"),
    ),
    Region(
        "Ottawa",
        "ON",
        "America/Toronto",
        ("613", "343"),
        "K",
        0.35,
        ("Bank Street", "Rideau Street", "Elgin Street", "Somerset Street West"),
    ),
    Region(
        "Toronto",
        "ON",
        "America/Toronto",
        ("416", "647", "437"),
        "M",
        0.05,
        ("Queen Street West", "Yonge Street", "Danforth Avenue", "Bloor Street West"),
    ),
    Region(
        "Moncton",
        "NB",
        "America/Moncton",
        ("506",),
        "E",
        0.4,
        ("Main Street", "rue Archibald", "Mountain Road"),
    ),
    Region(
        "Halifax",
        "NS",
        "America/Halifax",
        ("902", "782"),
        "B",
        0.03,
        ("Barrington Street", "Spring Garden Road", "Robie Street"),
    ),
    Region(
        "Winnipeg",
        "MB",
        "America/Winnipeg",
        ("204", "431"),
        "R",
        0.06,
        ("Portage Avenue", "Corydon Avenue", "boulevard Provencher"),
    ),
    Region(
        "Calgary",
        "AB",
        "America/Edmonton",
        ("403", "587"),
        "T",
        0.03,
        ("17 Avenue SW", "Kensington Road NW", "Macleod Trail"),
    ),
    Region(
        "Vancouver",
        "BC",
        "America/Vancouver",
        ("604", "778", "236"),
        "V",
        0.03,
        ("Commercial Drive", "Main Street", "West Broadway", "Robson Street"),
    ),
)
# Customers cluster where the company is: most in Quebec, the rest across the country.
REGION_WEIGHTS = (30, 10, 12, 8, 9, 10, 4, 4, 4, 4, 5)

EMPLOYERS = (
    "Hydro-Québec",
    "Desjardins",
    "Université de Montréal",
    "CHU de Québec",
    "Ville de Gatineau",
    "Bombardier",
    "Banque Nationale",
    "Shopify",
    "Air Canada",
    "Canadian Tire",
    "Université Laval",
    "Loblaw",
    "self-employed",
    "Metro inc.",
    "CGI",
    "Telus",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
HANDLE_NETWORKS = ("whatsapp", "messenger", "webchat")

# How people actually type a North American number; each reads back to one E.164 form.
PHONE_FORMATS = (
    "({a}) {x}-{n}",
    "+1 {a} {x} {n}",
    "{a}.{x}.{n}",
    "{a}-{x}-{n}",
    "1-{a}-{x}-{n}",
    "{a} {x} {n}",
    "{a}{x}{n}",
)


@dataclass
class Person:
    """One invented customer, with their details as they would have typed them."""

    given_name: str
    family_name: str
    preferred_name: str
    salutation: str
    language: str
    register: str
    region: Region
    birth_date: date
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[tuple[str, str]] = field(default_factory=list)  # (network, handle)
    account: str = ""

    @property
    def display_name(self) -> str:
        """The name shown on the card."""
        return f"{self.given_name} {self.family_name}"


def ascii_fold(text: str) -> str:
    """Drop accents and anything an email local part should not hold: Hélène → Helene."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-"))
    return kept


class People:
    """Invents distinct people from a seed; phone numbers, emails and handles never repeat."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._numbers: set[str] = set()
        self._emails: set[str] = set()
        self._handles: set[str] = set()

    def person(self, index: int, today: date) -> Person:
        """Return the ``index``-th person; their account number is derived from it."""
        rng = self.rng
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        language = "fr" if rng.random() < region.french_share else "en"
        given, salutation, familiar = rng.choice(GIVEN[language])
        family = rng.choice(FAMILY[language])
        if rng.random() < 0.2:  # a few customers prefer no title at all
            salutation = ""
        # Most French-speaking customers are addressed with vous; tu is kept for the few who
        # asked for it. English "informal" means first name instead of Ms/Mr.
        informal = rng.random() < (0.15 if language == "fr" else 0.45)
        preferred = familiar if familiar and rng.random() < 0.5 else ""
        age_days = rng.randint(19 * 365, 88 * 365)
        person = Person(
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            salutation=salutation,
            language=language,
            register="informal" if informal else "formal",
            region=region,
            birth_date=date.fromordinal(today.toordinal() - age_days),
        )
        for _ in range(1 if rng.random() < 0.55 else 2):
            person.phones.append(self._phone(region))
        if rng.random() < 0.85:
            person.emails.append(self._email(person))
            if rng.random() < 0.15:
                person.emails.append(self._email(person))
        if rng.random() < 0.2:
            person.handles.append(self._handle(person))
        # Account numbers come from the billing system in whatever case its screens show.
        number = f"{104000 + index * 7 + rng.randint(0, 6)}"
        person.account = rng.choice(("ACC-", "acc-", "Acc-")) + number
        return person

    def _phone(self, region: Region) -> str:
        while True:
            area = self.rng.choice(region.area_codes)
            # 555 numbers are reserved for fiction, so the demo never dials a real person.
            line = f"{self.rng.randint(100, 9999):04d}"
            if area + line not in self._numbers:
                self._numbers.add(area + line)
                return self.rng.choice(PHONE_FORMATS).format(a=area, x="555", n=line)

    def _email(self, person: Person) -> str:
        given = ascii_fold(person.given_name)
        family = ascii_fold(person.family_name)
        shapes = (
            f"{given}.{family}",
            f"{given[0]}{family}",
            f"{given}{family[0]}",
            f"{family}.{given}",
        )
        base = self.rng.choice(shapes)
        domain = self.rng.choice(EMAIL_DOMAINS)
        suffix = 0
        while True:
            local = base + (str(suffix) if suffix else "")
            if f"{local}@{domain}".lower() not in self._emails:
                break
            suffix = suffix + 1 if suffix else self.rng.randint(2, 99)
        self._emails.add(f"{local}@{domain}".lower())
        # People type their address in any case; the product folds it.
        case = self.rng.random()
        address = f"{local}@{domain.capitalize() if case < 0.2 else domain}"
        return address.upper() if case > 0.93 else (address if case < 0.5 else address.lower())

    def _handle(self, person: Person) -> tuple[str, str]:
        base = ascii_fold(person.given_name).lower() + "_" + ascii_fold(person.family_name)[:3]
        number = self.rng.randint(1, 99)
        while f"{base}{number}".lower() in self._handles:
            number += 1
        self._handles.add(f"{base}{number}".lower())
        handle = f"{base}{number}"
        return self.rng.choice(HANDLE_NETWORKS), (
            "@" + handle if self.rng.random() < 0.5 else handle
        )
