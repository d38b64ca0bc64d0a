"""Writing the demo company: customers, identifiers, facts and two years of timeline.

Rows are made as model instances and written with ``bulk_create`` in chunks, one
transaction for the whole company: thousands of customers take seconds, and a failure
leaves the database as it was. Identifiers go through :func:`normalize` and facts through
:func:`clean_fact`, so the stored data is exactly what the product's own services write.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courtier.audit.models import AccessLog
from courtier.core.demo.people import EMPLOYERS, People, Person, Region
from courtier.core.demo.texts import CHANNEL_WEIGHTS, GATEWAYS, summary
from courtier.core.errors import Conflict, Invalid
from courtier.customers.models import Customer, Fact, Identifier, SourceKind
from courtier.customers.normalize import normalize
from courtier.customers.services.facts import clean_fact
from courtier.interactions.models import Channel, Interaction

DEMO_USERNAME = "demo"
DEFAULT_CUSTOMERS = 2000
DEFAULT_SEED = 2026
CHUNK = 250
TWO_YEARS = timedelta(days=730)
# The agents who handled the demo company's calls and visits.
AGENTS = (
    ("sophie.lambert", "Sophie", "Lambert"),
    ("marc.ouellette", "Marc", "Ouellette"),
    ("nadia.haddad", "Nadia", "Haddad"),
    ("kevin.obrien", "Kevin", "O'Brien"),
    ("isabelle.roy", "Isabelle", "Roy"),
    ("tom.nguyen", "Tom", "Nguyen"),
)
# Every channel where an agent, not a gateway, is the author of the contact.
AGENT_CHANNELS = {"phone", "branch"}

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    """How much the demo company holds."""

    customers: int
    identifiers: int
    facts: int
    interactions: int
    agents: int


def demo_state() -> str:
    """Say what the database holds: ``empty``, a ``demo`` company, or ``other`` (real) data.

    The demo login is the marker: it is created in the same transaction as the demo data,
    so customers without it were put there by someone else and must never be wiped.
    """
    if not Customer.objects.exists():
        return "empty"
    return "demo" if User.objects.filter(username=DEMO_USERNAME).exists() else "other"


def counts() -> DemoSummary:
    """Count what the database holds now."""
    return DemoSummary(
        customers=Customer.objects.count(),
        identifiers=Identifier.objects.count(),
        facts=Fact.objects.count(),
        interactions=Interaction.objects.count(),
        agents=User.objects.filter(username__in=[a[0] for a in AGENTS]).count(),
    )


@transaction.atomic
def wipe_demo() -> None:
    """Delete the demo company (customers, their records and access log, the agents).

    Raises :class:`Conflict` when the database holds customers that are not the demo's.
    The demo login and its tokens stay, so a rebuilt demo keeps its password.
    """
    if demo_state() == "other":
        raise Conflict("This database holds real customers; the demo never deletes them.")
    customer_ids = list(Customer.objects.values_list("id", flat=True))
    AccessLog.objects.filter(customer_id__in=customer_ids).delete()
    Customer.objects.all().delete()
    User.objects.filter(username__in=[a[0] for a in AGENTS]).delete()


@transaction.atomic
def ensure_demo(
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    *,
    reset: bool = False,
    progress: ProgressFn | None = None,
) -> tuple[DemoSummary, bool]:
    """Make sure the database holds the demo company; return what it holds and if it was built.

    An existing demo is reused as it is (so running the demo again never duplicates it)
    unless ``reset``, which deletes and rebuilds it in the same transaction: a failed
    rebuild leaves the old demo in place. Raises :class:`Conflict` when the database holds
    customers that are not the demo's, whatever ``reset`` says.
    """
    state = demo_state()
    if state == "other":
        raise Conflict(
            "This database already holds customers that are not the demo's; the demo only "
            "builds into an empty database (set COURTIER_DATA_DIR to a new folder)."
        )
    if state == "demo" and not reset:
        return counts(), False
    if state == "demo":
        wipe_demo()
    return build_demo(customers, seed, progress), True


@transaction.atomic
def build_demo(
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    progress: ProgressFn | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Build the demo company into an empty database, all or nothing.

    The same ``seed`` gives the same people, identifiers, facts and timeline (public ids
    and creation times aside). Raises :class:`Invalid` for a bad size and
    :class:`Conflict` when the database already holds customers.
    """
    if customers < 1 or customers > 1_000_000:
        raise Invalid.field("customers", "must be between 1 and 1,000,000")
    if Customer.objects.exists():
        raise Conflict("The database already holds customers; reset the demo first.")
    now = now or timezone.now()
    User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"first_name": "Demo", "last_name": "Staff", "is_staff": True},
    )
    agents = _agents()
    writer = _Writer(seed, now, agents)
    for start in range(0, customers, CHUNK):
        writer.write_chunk(range(start, min(start + CHUNK, customers)))
        if progress is not None:
            progress(min(start + CHUNK, customers), customers)
    return counts()


def _agents() -> list[User]:
    agents = []
    for username, first, last in AGENTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "is_staff": True,
            },
        )
        if created:
            # Agents author the timeline; only the demo login signs in.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        agents.append(user)
    return agents


class _Writer:
    """Turns people into rows, one chunk of customers at a time."""

    def __init__(self, seed: int, now: datetime, agents: list[User]) -> None:
        self.people = People(seed)
        self.rng = random.Random(seed + 1)
        self.now = now
        self.agents = agents
        self.channels = list(CHANNEL_WEIGHTS)
        self.weights = list(CHANNEL_WEIGHTS.values())

    def ago(self, low_days: float, high_days: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low_days, high_days))

    def write_chunk(self, indexes: range) -> None:
        people = [(i, self.people.person(i, self.now.date())) for i in indexes]
        rows = [_customer(p) for _, p in people]
        Customer.objects.bulk_create(rows)
        since = {}
        for row in rows:
            # Customers joined over five years; the record says when.
            row.created_at = self.ago(30, 5 * 365)
            since[row.pk] = row.created_at
        Customer.objects.bulk_update(rows, ["created_at"], batch_size=500)
        identifiers: list[Identifier] = []
        facts: list[Fact] = []
        interactions: list[Interaction] = []
        for row, (index, person) in zip(rows, people, strict=True):
            identifiers += self.identifiers(row, person)
            facts += self.facts(row, person, index)
            interactions += self.timeline(row, person, index)
        Identifier.objects.bulk_create(identifiers, batch_size=500)
        Fact.objects.bulk_create(facts, batch_size=500)
        Interaction.objects.bulk_create(interactions, batch_size=500)
        AccessLog.objects.bulk_create(
            [
                AccessLog(
                    customer_id=row.pk,
                    at=since[row.pk],
                    actor_kind="system",
                    actor_label="demo",
                    action="create",
                    reason="demo company",
                )
                for row in rows
            ],
            batch_size=500,
        )

    def identifiers(self, customer: Customer, person: Person) -> list[Identifier]:
        typed: list[tuple[str, str, str, str]] = []  # kind, system, raw, source
        typed += [
            ("phone", "", raw, self.rng.choice(("billing", "crm", "ivr"))) for raw in person.phones
        ]
        typed += [("email", "", raw, self.rng.choice(("crm", "portal"))) for raw in person.emails]
        typed += [("handle", net, raw, net) for net, raw in person.handles]
        typed.append(("account", "billing", person.account, "billing"))
        return [
            Identifier(
                customer=customer,
                kind=kind,
                system=system,
                raw_value=raw,
                value=normalize(kind, raw),
                source=source,
                verified_at=self.ago(0, 700) if self.rng.random() < 0.6 else None,
            )
            for kind, system, raw, source in typed
        ]

    def facts(self, customer: Customer, person: Person, index: int) -> list[Fact]:
        """Postal address and code from billing, birth date, employer; some stale or in conflict."""
        out: list[Fact] = []

        def add(
            key: str,
            value: str,
            kind: str,
            source: str,
            observed: datetime,
            verified: datetime | None,
            staff: User | None = None,
        ) -> None:
            key, value = clean_fact(key, value)
            out.append(
                Fact(
                    customer=customer,
                    key=key,
                    value=value,
                    source_kind=kind,
                    source=source,
                    staff=staff,
                    observed_at=observed,
                    verified_at=verified,
                )
            )

        region = person.region
        stale = index % 13 == 5  # a few records nobody has confirmed in years
        conflict = index % 17 == 3  # a few where billing and the CRM disagree
        observed = self.ago(400, 1500) if stale else self.ago(30, 1500)
        verified = None if stale else self.ago(0, 300)
        address, code = self.address(region)
        add("postal_code", code, SourceKind.SYSTEM, "billing", observed, verified)
        add("postal_address", address, SourceKind.SYSTEM, "billing", observed, verified)
        if conflict:
            moved, new_code = self.address(region)
            when = self.ago(5, 200)
            add("postal_code", new_code, SourceKind.SYSTEM, "crm", when, None)
            add("postal_address", moved, SourceKind.SYSTEM, "crm", when, None)
        if self.rng.random() < 0.7:
            birth = person.birth_date.isoformat()
            if self.rng.random() < 0.5:
                add("date_of_birth", birth, SourceKind.CUSTOMER, "portal", self.ago(10, 330), None)
            else:
                add(
                    "date_of_birth",
                    birth,
                    SourceKind.SYSTEM,
                    "crm",
                    self.ago(200, 1500),
                    self.ago(0, 200),
                )
        if self.rng.random() < 0.45 or conflict:
            employer = self.rng.choice(EMPLOYERS)
            agent = self.rng.choice(self.agents)
            when = self.ago(400, 1000) if stale else self.ago(10, 300)
            add("employer", employer, SourceKind.STAFF, agent.username, when, None, agent)
            if conflict:
                other = self.rng.choice([e for e in EMPLOYERS if e != employer])
                add("employer", other, SourceKind.SYSTEM, "crm", self.ago(10, 300), None)
        return out

    def address(self, region: Region) -> tuple[str, str]:
        rng = self.rng
        letters = "ABCEGHJKLMNPRSTVWXYZ"  # the letters Canada Post uses
        code = (
            f"{region.postal_letter}{rng.randint(0, 9)}{rng.choice(letters)} "
            f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"
        )
        street = f"{rng.randint(1, 9999)} {rng.choice(region.streets)}"
        if rng.random() < 0.3:
            street = (
                f"{rng.randint(1, 40)}-{street}"
                if region.province == "QC"
                else (f"Apt {rng.randint(1, 40)}, {street}")
            )
        return f"{street}, {region.city} {region.province} {code}", code

    def office_hours(self, day: datetime, zone: str) -> datetime:
        """Move ``day`` to a waking hour in the customer's zone: nobody calls a branch at 3 am."""
        local = day.astimezone(_zone(zone))
        local = local.replace(hour=self.rng.randint(8, 19), minute=self.rng.randint(0, 59))
        when = local.astimezone(UTC)
        return when - timedelta(days=1) if when > self.now else when

    def timeline(self, customer: Customer, person: Person, index: int) -> list[Interaction]:
        out = []
        for n in range(self.rng.randint(3, 20)):
            # The first contact of successive customers cycles through every channel.
            channel = (
                Channel.values[index % len(Channel.values)]
                if n == 0
                else self.rng.choices(self.channels, weights=self.weights)[0]
            )
            when = self.office_hours(self.ago(0, TWO_YEARS.days), person.region.time_zone)
            local_month = when.astimezone(_zone(person.region.time_zone)).month
            direction, text = summary(self.rng, channel, person.language, local_month)
            agent = None
            if channel in AGENT_CHANNELS or (direction == "outbound" and channel != "letter"):
                agent = self.rng.choice(self.agents)
            out.append(
                Interaction(
                    customer=customer,
                    channel=channel,
                    direction=direction,
                    occurred_at=when,
                    summary=text,
                    staff=agent,
                    source=agent.username if agent else GATEWAYS.get(channel, channel),
                )
            )
        return out


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _customer(person: Person) -> Customer:
    return Customer(
        display_name=person.display_name,
        given_name=person.given_name,
        family_name=person.family_name,
        preferred_name=person.preferred_name,
        salutation=person.salutation,
        language=person.language,
        register=person.register,
        time_zone=person.region.time_zone,
    )
