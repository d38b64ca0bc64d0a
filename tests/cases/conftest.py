"""The named world of the cases and promises tests, on top of tests/conftest.py.

Claire is a second agent; Denis has left (inactive). Times are fixed moments passed to the
services as ``now``, so no test depends on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from courtier.core.actor import Actor
from courtier.staff.services import actor_for_user

# Monday 2026-03-02, 10:00 in Toronto (EST, UTC-5): inside business hours.
MONDAY_10 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def claire(db: None) -> User:
    return User.objects.create_user("claire", "claire@example.com", "pw claire 12", is_staff=True)


@pytest.fixture
def denis(db: None) -> User:
    return User.objects.create_user(
        "denis", "denis@example.com", "pw denis 12", is_staff=True, is_active=False
    )


@pytest.fixture
def as_bob(bob: User) -> Actor:
    return actor_for_user(bob)


@pytest.fixture
def as_claire(claire: User) -> Actor:
    return actor_for_user(claire)


@pytest.fixture
def console(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture(autouse=True)
def quick_passwords(settings: Any) -> None:
    # Argon2 is right for production and costs most of these tests' time; hashing is not
    # what they test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
