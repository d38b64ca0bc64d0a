"""Console test world: Bob is an agent, Carla a manager, Dan has no role at all."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client


@pytest.fixture
def agent(bob: User) -> User:
    bob.groups.add(Group.objects.get(name="agent"))
    return bob


@pytest.fixture
def manager(db: None) -> User:
    carla = User.objects.create_user("carla", "carla@example.com", "mountain tea 4")
    carla.groups.add(Group.objects.get(name="manager"))
    return carla


@pytest.fixture
def outsider(db: None) -> User:
    return User.objects.create_user("dan", "dan@example.com", "quiet river 2")


@pytest.fixture
def as_agent(agent: User) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def as_manager(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def hx(target: str = "") -> dict[str, str]:
    """Headers htmx sends: the request marker and the id of the element it will swap."""
    return {"HX-Request": "true", "HX-Target": target} if target else {"HX-Request": "true"}
