"""A fast generator of realistic customers: accented French and English names, phones, emails.

Rows go in with bulk inserts straight through the driver (``executemany`` on SQLite, ``COPY``
on PostgreSQL); the database's own triggers and indexes do the rest, exactly as in
production. Every value is derived from the row number, so runs are repeatable and a
benchmark can compute which phone numbers exist without reading them back.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from courtier.core.ids import new_id

GIVEN = [
    "Marie",
    "Hélène",
    "Élodie",
    "Françoise",
    "Josée",
    "Chloé",
    "Zoé",
    "Léa",
    "Noémie",
    "Amélie",
    "Anaïs",
    "Maëlle",
    "Gaëlle",
    "Thérèse",
    "Geneviève",
    "Mélanie",
    "Stéphanie",
    "Véronique",
    "Nathalie",
    "Sophie",
    "Isabelle",
    "Julie",
    "Émilie",
    "François",
    "Jérôme",
    "Benoît",
    "Sébastien",
    "André",
    "René",
    "Raphaël",
    "Frédéric",
    "Stéphane",
    "Gaétan",
    "Rémi",
    "Jean",
    "Luc",
    "Pierre",
    "Louis",
    "Étienne",
    "Mathieu",
    "Olivier",
    "Nicolas",
    "Éric",
    "Hugo",
    "Félix",
    "Loïc",
    "Denis",
    "John",
    "Emily",
    "Michael",
    "Sarah",
    "David",
    "Olivia",
    "James",
    "Jessica",
    "Robert",
    "Jennifer",
    "William",
    "Linda",
    "Richard",
    "Patricia",
    "Thomas",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Andrew",
    "Emma",
    "Joshua",
    "Grace",
]
FAMILY = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
    "Lefebvre",
    "Poulin",
    "Thibault",
    "St-Pierre",
    "Nadeau",
    "Martin",
    "Landry",
    "Martel",
    "Bédard",
    "Grenier",
    "Lessard",
    "Bernier",
    "Richard",
    "Michaud",
    "Hébert",
    "Desjardins",
    "Couture",
    "Turcotte",
    "Lachance",
    "Parent",
    "Blais",
    "Gosselin",
    "Savard",
    "Proulx",
    "Beaudoin",
    "Demers",
    "Perreault",
    "Boudreau",
    "Lemieux",
    "Cyr",
    "Perron",
    "Dufour",
    "Dion",
    "Mercier",
    "Bolduc",
    "Bérubé",
    "Séguin",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "O'Brien",
    "MacDonald",
]
AREAS = ("514", "438", "450", "418", "581", "819", "873", "613", "416", "647", "905", "604")
DOMAINS = ("exemple.ca", "example.com", "courriel.qc.ca", "mail.example.org")
CHANNELS = ("phone", "email", "sms", "chat", "web", "branch", "letter")
SUMMARIES = (
    "Asked about the last bill",
    "Moving next month, new address to follow",
    "Renewal question",
    "Card declined, called back",
    "Thanked us for the quick fix",
    "Wants paper statements",
)


def ascii_fold(text: str) -> str:
    """``Hélène`` → ``helene``: how people write names in email addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def phone_e164(n: int) -> str:
    """The phone number of customer ``n`` (0-based): unique, valid North American shape."""
    area = AREAS[n % len(AREAS)]
    rest = 2_000_000 + n // len(AREAS)
    return f"+1{area}{rest:07d}"


def phone_typed(n: int, style: int) -> str:
    """Customer ``n``'s number the way a person or a telephony system would type it."""
    e164 = phone_e164(n)
    a, x, s = e164[2:5], e164[5:8], e164[8:]
    return [f"({a}) {x}-{s}", f"{a}.{x}.{s}", e164, f"1-{a}-{x}-{s}"][style % 4]


def customer_rows(start: int, count: int, when: Any) -> Iterator[tuple[Any, ...]]:
    """Rows for customers ``start`` .. ``start + count``, in the customers table's order."""
    rnd = random.Random(start)
    for n in range(start, start + count):
        given = GIVEN[rnd.randrange(len(GIVEN))]
        family = FAMILY[rnd.randrange(len(FAMILY))]
        if rnd.random() < 0.05:
            family = f"{family}-{FAMILY[rnd.randrange(len(FAMILY))]}"
        french = rnd.random() < 0.6
        yield (
            n + 1,
            new_id().hex,
            f"{given} {family}",
            given,
            family,
            "",
            rnd.choice(("ms", "mr", "")),
            "fr" if french else "en",
            "formal" if rnd.random() < 0.7 else "informal",
            "",
            "active",
            when,
            when,
        )


def identifier_rows(customers: list[tuple[Any, ...]], when: Any) -> Iterator[tuple[Any, ...]]:
    """A phone for every customer and an email for two in three, ids derived from ``n``."""
    for row in customers:
        n = row[0] - 1
        yield (
            2 * n + 1,
            new_id().hex,
            n + 1,
            "phone",
            "",
            phone_typed(n, n),
            phone_e164(n),
            "bench",
            None,
            when,
        )
        if n % 3:
            email = f"{ascii_fold(row[3])}.{ascii_fold(row[4])}{n}@{DOMAINS[n % len(DOMAINS)]}"
            email = email.replace("'", "")
            yield (2 * n + 2, new_id().hex, n + 1, "email", "", email, email, "bench", None, when)


def interaction_rows(
    customer_ids: range, per_customer: int, start_id: int, now: datetime, sqlite: bool
) -> Iterator[tuple[Any, ...]]:
    """``per_customer`` contacts for each customer, spread over the last two years."""
    rnd = random.Random(customer_ids.start)
    next_id = start_id
    for customer_id in customer_ids:
        for _ in range(per_customer):
            at = now - timedelta(minutes=rnd.randrange(1, 2 * 365 * 24 * 60))
            stamp: Any = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
            yield (
                next_id,
                new_id().hex if sqlite else new_id(),
                customer_id,
                CHANNELS[rnd.randrange(len(CHANNELS))],
                "inbound" if rnd.random() < 0.7 else "outbound",
                stamp,
                SUMMARIES[rnd.randrange(len(SUMMARIES))],
                "",
                None,
                "bench",
                stamp,
            )
            next_id += 1


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)
