"""Portal fixtures: Marie with verified contact points, signed-in browsers, the desk."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.customers.models import Customer, Identifier
from courtier.customers.services.records import update_identifier
from courtier.messaging.models import Message
from courtier.portal.services import sessions


def verify_all(customer: Customer) -> None:
    for identifier in Identifier.objects.filter(customer=customer):
        update_identifier(
            Actor.system("tests"), identifier, verified_at=timezone.now(), source=None
        )


@pytest.fixture
def desk(bob: User, settings: Any) -> User:
    """Bob takes portal requests from customers without an account owner."""
    settings.PORTAL_DESK = "bob"
    return bob


@pytest.fixture
def verified_marie(marie: Customer) -> Customer:
    verify_all(marie)
    return marie


@pytest.fixture
def verified_jean(jean: Customer) -> Customer:
    verify_all(jean)
    return jean


def signed_in_client(customer: Customer, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.cookies[sessions.COOKIE] = sessions.start_session(customer)
    return client


@pytest.fixture
def marie_client(verified_marie: Customer) -> Client:
    return signed_in_client(verified_marie)


LINK = re.compile(r"http://[^\s\"<>]+/portal/sign-in/link/[A-Za-z0-9_\-]+")


def last_link(customer: Customer) -> str:
    """The sign-in link in the newest portal_link message queued for ``customer``."""
    message = Message.objects.filter(customer=customer, purpose="portal_link").latest("id")
    found = LINK.search(message.text)
    assert found, message.text
    return found.group(0)


def last_code(customer: Customer) -> str:
    message = Message.objects.filter(customer=customer, purpose="portal_code").latest("id")
    found = re.search(r"\b(\d{6})\b", message.text)
    assert found, message.text
    return found.group(1)
