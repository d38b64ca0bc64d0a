"""A small named world the tests speak about.

Alice is an administrator, Bob an agent; Marie Tremblay is a French-speaking customer
reachable by phone, email and a billing account; Jean Dupont is another customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.facts import NewFact
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.staff import services as staff

# Timing belongs in bench/, not in tests: Hypothesis's per-example deadline and its
# "input generation is slow" check failed on a loaded 2-core CI machine while the
# property itself held.
hypothesis_settings.register_profile(
    "courtier", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("courtier")


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_superuser("alice", "alice@example.com", "correct horse 9")


@pytest.fixture
def bob(db: None) -> User:
    return User.objects.create_user("bob", "bob@example.com", "battery staple 7", is_staff=True)


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")


@pytest.fixture
def marie(db: None, system: Actor) -> Customer:
    return create_customer(
        system,
        {
            "given_name": "Marie",
            "family_name": "Tremblay",
            "salutation": "ms",
            "language": "fr",
            "register": "formal",
        },
        identifiers=[
            NewIdentifier("phone", "+1 514-555-0199"),
            NewIdentifier("email", "Marie.Tremblay@Example.com"),
            NewIdentifier("account", "A-1001", system="billing"),
        ],
        facts=[NewFact("postal_code", "H2X 1Y4", source="billing", source_kind="system")],
    )


@pytest.fixture
def jean(db: None, system: Actor) -> Customer:
    return create_customer(
        system,
        {"given_name": "Jean", "family_name": "Dupont", "language": "fr", "register": "informal"},
        identifiers=[NewIdentifier("phone", "438 555 0142")],
    )


class ApiClient:
    """A test client that sends a bearer token and speaks JSON."""

    def __init__(self, token: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post("/api/v1" + path, data or {}, content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch("/api/v1" + path, data, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete("/api/v1" + path)


@pytest.fixture
def api(alice: User) -> Iterator[ApiClient]:
    yield ApiClient(staff.create_token(alice, "tests"))
    staff._cache.clear()
