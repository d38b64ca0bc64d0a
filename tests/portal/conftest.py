"""Portal fixtures: Marie with verified contact points, signed-in browsers, the desk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from courtier.cases.services.cases import open_case, record_on_case
from courtier.core.actor import Actor
from courtier.customers.models import Customer, Identifier
from courtier.customers.services.facts import record_fact
from courtier.customers.services.records import update_identifier
from courtier.messaging.models import Message
from courtier.portal.services import sessions
from courtier.promises.services.agreements import create_agreement
from courtier.promises.services.promises import make_promise


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


@dataclass
class World:
    """Marie's and Jean's records with something on every portal page."""

    marie: Customer
    jean: Customer
    marie_case: Any
    jean_case: Any
    jean_fact: Any


@pytest.fixture
def world(verified_marie: Customer, verified_jean: Customer, bob: User) -> World:
    staff = Actor.staff(bob.pk, "bob")
    today = timezone.localdate()
    for who in (verified_marie, verified_jean):
        create_agreement(
            staff,
            who,
            product="Fibre 500",
            start_date=today.replace(year=today.year - 1),
            term_months=12,
            price="49.00",
            renewal_date=today + timedelta(days=20),
        )
    cases = []
    for who in (verified_marie, verified_jean):
        case = open_case(staff, who, subject="Internet drops at night", channel="phone")
        record_on_case(staff, case, channel="phone", direction="outbound", summary="We are on it")
        make_promise(staff, case, kind="callback", due_at=timezone.now() + timedelta(days=1))
        cases.append(case)
    jean_fact = record_fact(staff, verified_jean, "postal_code", "H3B 2Y5", source="billing")
    return World(verified_marie, verified_jean, cases[0], cases[1], jean_fact)
